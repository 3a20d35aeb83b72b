using System.Text.RegularExpressions;
using CoachFlow.Testing;

namespace CoachFlow.Cli.Tests;

/// <summary>
/// A command that fails says why in words a person can act on and exits non-zero, never with a stack trace: bad
/// arguments and bad input exit 2, a storage that does not answer exits 1 (CommandRunner).
/// </summary>
public sealed partial class CommandFailureTests
{
    /// <summary>A storage nothing listens on: none of these commands may get as far as opening it.</summary>
    private static readonly Dictionary<string, string> NoStorage = new()
    {
        ["CoachFlow__Storage__ConnectionString"] = StorageOn(Repository.FreePort()),
        ["CoachFlow__Storage__Prefix"] = Cli.UniquePrefix(),
    };

    [Theory]
    [InlineData("cohort import {missing} --firm firm-a --program career-6 --name Spring --app http://127.0.0.1:1", "There is no file '{missing}'.")]
    [InlineData("export --firm firm-a --engagement eng-1 --client-email ivy@client.test", "Export one engagement (--engagement) or one client (--client-email), not both.")]
    [InlineData("admin add-user --firm firm-a --email cleo@acme.example", "Option '--name' is required.\nSee ./coachflow admin add-user --help.")]
    [InlineData("webhooks", "Required command was not provided.\nSee ./coachflow webhooks --help.")]
    public async Task Given_bad_arguments_or_input_When_a_command_runs_Then_it_exits_2_with_only_the_reason(string command, string reason)
    {
        var missing = Path.Combine(Path.GetTempPath(), $"cohort-{Guid.NewGuid():N}.csv");

        var (exitCode, output) = await Cli.RunAsync(NoStorage, command.Replace("{missing}", missing, StringComparison.Ordinal).Split(' '));

        Assert.True(exitCode == 2, $"exit {exitCode}:\n{output}");
        Assert.Equal(reason.Replace("{missing}", missing, StringComparison.Ordinal), output.Trim());
    }

    [Fact]
    public async Task GivenAStorageThatDoesNotAnswer_WhenAnAdminCommandRuns_ThenItExits1SayingToStartItWithNoStackTrace()
    {
        var port = Repository.FreePort();

        var (exitCode, output) = await Cli.RunAsync(new Dictionary<string, string>
        {
            ["CoachFlow__Storage__ConnectionString"] = StorageOn(port),
            ["CoachFlow__Storage__Prefix"] = Cli.UniquePrefix(),
        }, "admin", "seed-demo");

        Assert.True(exitCode == 1, $"exit {exitCode}:\n{output}");
        Assert.StartsWith("CoachFlow's storage did not answer (", output, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", output, StringComparison.Ordinal);
        Assert.Contains("./coachflow run starts Azurite", output, StringComparison.Ordinal);
        Assert.Contains("CoachFlow__Storage__ConnectionString", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(StackFrameRegex(), output);
        Assert.DoesNotContain("token:", output, StringComparison.Ordinal);
    }

    private static string StorageOn(int port) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    [GeneratedRegex(@"^\s+at \S", RegexOptions.Multiline)]
    private static partial Regex StackFrameRegex();
}
