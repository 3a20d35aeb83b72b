using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Azure;
using CoachFlow.Orchestrations;

namespace CoachFlow.Cli;

/// <summary>
/// Runs a command so that its failure ends in a message a person can act on and a non-zero exit code. System.CommandLine's
/// own exception handler is off: it would print an exception thrown out of an action as a crash, with exit code 1.
/// </summary>
/// <remarks>
/// Exit codes every command shares: 0 done; 1 something the command needs did not answer (the storage, the running
/// CoachFlow) or a fault in CoachFlow itself; 2 bad arguments or input; 130 stopped (Ctrl+C). A command documents its
/// own others (3) and handles them in its action.
/// </remarks>
internal static class CommandRunner
{
    public const int Unavailable = 1;
    public const int BadInput = 2;
    public const int Stopped = 130;

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine($"See {string.Join(' ', ["./coachflow", .. CommandPath(parsed.CommandResult), "--help"])}.");
            return BadInput;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            var (exitCode, message) = Explain(ex);
            Console.Error.WriteLine(message);
            return exitCode;
        }
    }

    /// <summary>The exit code and message for a failure no action handled.</summary>
    public static (int ExitCode, string Message) Explain(Exception ex) => ex switch
    {
        WorkflowException => (BadInput, ex.Message),
        OperationCanceledException => (Stopped, "Stopped."),
        _ when Find<RequestFailedException>(ex) is { Status: 0 } unreachable =>
            (Unavailable, $"CoachFlow's storage did not answer ({unreachable.Message}). Start it (./coachflow run starts Azurite) or check CoachFlow__Storage__ConnectionString, then run this again."),
        _ when Find<RequestFailedException>(ex) is { } refused =>
            (Unavailable, $"CoachFlow's storage refused the request (HTTP {refused.Status}, {refused.ErrorCode}). Check CoachFlow__Storage__ConnectionString (or the service URIs and this identity's roles), then run this again."),
        _ => (Unavailable, $"The command failed: {ex.Message}\nThat is a fault in CoachFlow, not in what you typed; please report it with these details:\n{ex}"),
    };

    /// <summary>The names from the root's first command down to <paramref name="result"/>'s, e.g. <c>admin add-user</c>.</summary>
    private static IEnumerable<string> CommandPath(CommandResult result)
    {
        var names = new Stack<string>();
        for (var at = result; at.Parent is CommandResult parent; at = parent) names.Push(at.Command.Name);
        return names;
    }

    private static T? Find<T>(Exception ex) where T : Exception => ex switch
    {
        T found => found,
        AggregateException many => many.InnerExceptions.Select(Find<T>).FirstOrDefault(f => f is not null),
        { InnerException: { } inner } => Find<T>(inner),
        _ => null,
    };
}
