using CoachFlow.Testing;

// Collections that wait minutes on the demo clock start first (see docs/testing.md); the rest fill the other threads.
[assembly: TestCollectionOrderer(LongestFirst.TypeName, LongestFirst.AssemblyName)]

namespace CoachFlow.Web.Tests;

/// <summary>
/// The tests that kill the host mid-burst and count what survived, two by two (<see cref="CrashCollection"/>,
/// <see cref="SecondCrashCollection"/>): two bursts at most compete for the CPU, side by side with the tests that only wait.
/// </summary>
[CollectionDefinition(Name)]
[RunsForMinutes]
public sealed class CrashCollection
{
    public const string Name = "crashes";
}

/// <inheritdoc cref="CrashCollection"/>
[CollectionDefinition(Name)]
[RunsForMinutes]
public sealed class SecondCrashCollection
{
    public const string Name = "crashes, second";
}
