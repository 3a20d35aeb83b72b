using System.Runtime.CompilerServices;
using CoachFlow.Engine.Harness;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Tests.Replay;

/// <summary>
/// The engagements whose histories are kept as fixtures (<c>Histories/*.json</c>), how they are run on the real
/// engine, and where their files are.
/// </summary>
/// <remarks>
/// Fixtures are regenerated deliberately, never by a normal test run: set <c>COACHFLOW_RECORD_HISTORIES=1</c> and run
/// <c>HistoryRecordingTests</c>; it runs every scenario on the real engine and writes its file into this folder's
/// <c>Histories/</c> (in the source tree, to be committed). Regenerate after a change that is meant to decide differently,
/// together with a new <see cref="EngineVersion"/>.
/// </remarks>
internal static class Recordings
{
    public const string RecordVariable = "COACHFLOW_RECORD_HISTORIES";

    public static bool Recording => Environment.GetEnvironmentVariable(RecordVariable) == "1";

    /// <summary>A whole engagement on <c>demo-accelerated</c>: contract, intake, six sessions, two reassessments, graduation, a year of maintenance, closed.</summary>
    public const string Lifecycle = "demo-lifecycle";

    /// <summary>On <c>demo-accelerated</c>: a contract reminder, the signature, a pause with the intake submitted meanwhile, the resume, a session booked, then the client ends it.</summary>
    public const string PausedThenEnded = "demo-paused-then-ended";

    public static string EngagementId(string scenario) => $"eng-{scenario}";

    /// <summary>Where the fixtures are read from (copied beside the tests).</summary>
    public static string FileOf(string scenario) => Path.Combine(AppContext.BaseDirectory, "Histories", $"{scenario}.json");

    /// <summary>Where a regenerated fixture is written: the source tree.</summary>
    public static string SourceFileOf(string scenario, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(here))!, "Histories", $"{scenario}.json");

    public static RecordedEngagement Load(string scenario) => RecordedEngagement.FromJson(File.ReadAllText(FileOf(scenario)));

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    /// <summary>Drives <paramref name="scenario"/> to its end on <paramref name="host"/>.</summary>
    public static async Task RunAsync(EngineHost host, string scenario)
    {
        var id = EngagementId(scenario);
        await host.Engine.StartAsync(id, Examples.Start(program: "demo-accelerated"), "start");
        switch (scenario)
        {
            case Lifecycle:
                // Sessions twelve seconds ahead: the reminder (ten seconds before on the demo clock) is due at once.
                var done = await CoachAndClient.FollowThroughAsync(host, id, TimeSpan.FromMinutes(6), sessionIn: TimeSpan.FromSeconds(12));
                Assert.Equal(EngagementPhase.Closed, done.State!.Phase);
                break;
            case PausedThenEnded:
                await host.UntilAsync(id, s => s.State?.ContractReminders >= 1, Within, "a contract reminder");
                await host.Engine.SubmitAsync(id, Examples.Sign(), "sign");
                await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Intake, Within, "intake");
                await host.Engine.SubmitAsync(id, new PauseEngagement(Party.Coach, "Client on leave"), "pause");
                await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Paused, Within, "paused");
                await host.Engine.SubmitAsync(id, new SubmitIntake(Examples.IntakeAnswers()), "intake");
                Assert.Equal("deferred", (await host.Engine.WaitForOutcomeAsync(id, "intake", Within))!.Status);
                await host.Engine.SubmitAsync(id, new ResumeEngagement(), "resume");
                await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Sessions, Within, "sessions");
                await host.Engine.SubmitAsync(id, new ScheduleSession(1, DateTimeOffset.UtcNow.AddMinutes(5), "Europe/Berlin"), "schedule:1");
                await host.UntilAsync(id, s => s.State?.Session(1) is not null, Within, "session 1 booked");
                await host.Engine.SubmitAsync(id, new EndEngagement(Party.Client, "A new job leaves no time"), "end");
                await host.UntilAsync(id, s => s.Status == "ended", Within, "ended");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "Not a recorded scenario.");
        }
        // Recorded once every orchestration of the engagement has finished.
        using var wait = new CancellationTokenSource(Within);
        await host.Client.WaitForInstanceCompletionAsync(id, wait.Token);
    }
}
