using Xunit;
using Xunit.Abstractions;

namespace CoachFlow.Testing;

/// <summary>
/// Marks a test class (or a collection's definition) whose tests wait minutes on the demo clock: a whole engagement
/// driven to its end, a crash and its recovery. <see cref="LongestFirst"/> starts those collections before the rest.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RunsForMinutesAttribute : Attribute;

/// <summary>
/// Starts the collections marked <see cref="RunsForMinutesAttribute"/> first, so they wait on their clocks side by side
/// while the short collections fill the other threads, instead of one of them starting last and setting the run's end.
/// An assembly opts in with <c>[assembly: TestCollectionOrderer(LongestFirst.TypeName, LongestFirst.AssemblyName)]</c>.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    public const string TypeName = "CoachFlow.Testing.LongestFirst";
    public const string AssemblyName = "CoachFlow.Testing";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(c => RunsForMinutes(c) ? 0 : 1).ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    private static bool RunsForMinutes(ITestCollection collection)
    {
        // A collection with a definition is marked on it; a class's own collection is named after the class.
        var marked = collection.CollectionDefinition ?? ClassOf(collection);
        return marked?.GetCustomAttributes(typeof(RunsForMinutesAttribute).AssemblyQualifiedName!).Any() == true;
    }

    private static ITypeInfo? ClassOf(ITestCollection collection)
    {
        const string prefix = "Test collection for ";
        return collection.DisplayName.StartsWith(prefix, StringComparison.Ordinal)
            ? collection.TestAssembly.Assembly.GetType(collection.DisplayName[prefix.Length..])
            : null;
    }
}
