using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;

namespace CoachFlow.Orchestrations.Tests.Replay;

/// <summary>
/// Deploys cannot change a decision unnoticed: the recorded histories of whole engagements (<c>Histories/*.json</c>)
/// are replayed episode by episode against today's orchestrators and rules, and every action compared.
/// </summary>
public sealed class HistoryReplayTests
{
    private static readonly EngagementWorkflow TodaysRules = new(Examples.Catalog);

    public static TheoryData<string> Scenarios => new(Recordings.Lifecycle, Recordings.PausedThenEnded);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void GivenARecordedEngagement_WhenItsHistoriesAreReplayedOnTodaysCode_ThenEveryActionIsTheOneRecorded(string scenario)
    {
        var recording = Recordings.Load(scenario);

        var differences = HistoryReplay.Replay(recording, TodaysRules);

        Assert.True(differences.Count == 0,
            $"Today's code decides {scenario} differently from its recording (a change of a decision needs a new EngineVersion and the old path kept):\n"
            + string.Join("\n", differences));
    }

    [Fact]
    public void GivenTheWholeLifecycleRecording_WhenReplayed_ThenEveryPartAndEveryMaintenanceGenerationIsReplayed()
    {
        var recording = Recordings.Load(Recordings.Lifecycle);

        var names = recording.Instances.Select(i => i.Name).Distinct().ToList();
        Assert.Equal(HistoryReplay.Orchestrators(TodaysRules).Keys.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        var maintenance = Assert.Single(recording.Instances, i => i.Name == Names.Orchestrators.Maintenance);
        Assert.True(maintenance.Generations.Count > 1, "maintenance continued as new after each check-in");
        Assert.All(maintenance.Generations[..^1], g => Assert.NotNull(g.ContinuedAsNew));
    }

    [Fact]
    public void GivenAContractReminderOffsetChangedSinceTheRecording_WhenTheLifecycleIsReplayed_ThenTheReplayNamesTheContractStepThatDecidesDifferently()
    {
        var recording = Recordings.Load(Recordings.Lifecycle);
        var demo = BuiltInPrograms.DemoAccelerated;
        var changed = demo with { Reminders = demo.Reminders with { ContractReminderEvery = demo.Reminders.ContractReminderEvery + TimeSpan.FromSeconds(1) } };
        var rules = new EngagementWorkflow(new ProgramCatalog([BuiltInPrograms.Career6, changed, Examples.Fast]));

        var differences = HistoryReplay.Replay(recording, rules);

        var first = differences[0];
        Assert.Equal(Names.PartInstanceId(recording.EngagementId, "contract"), first.InstanceId);
        Assert.Contains(Names.Activities.RecordStep, first.Action, StringComparison.Ordinal);
        Assert.Contains("Timers", first.Path, StringComparison.Ordinal);
        Assert.Contains(first.InstanceId, first.ToString(), StringComparison.Ordinal);
        Assert.Contains($"episode {first.Episode}", first.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a":1}""", """{"a":1,"added":null}""", null)]
    [InlineData("""{"a":1}""", """{"a":1,"added":[]}""", "$.added")]
    [InlineData("""{"a":1,"gone":2}""", """{"a":1}""", "$.gone")]
    [InlineData("""{"kind":"k","templateId":"career/k"}""", """{"kind":"k"}""", null)]
    [InlineData("""{"e":[{"type":"X","json":"{\"at\":\"1\"}"}]}""", """{"e":[{"type":"X","json":"{\"at\":\"2\"}"}]}""", "$.e[0].json(json).at")]
    [InlineData("""{"e":[1,2]}""", """{"e":[1,2,3]}""", "$.e.length")]
    public void GivenTwoPayloads_WhenCompared_ThenTheFirstDifferingPathIsNamedAndANullAddedOrARetiredFieldIsNone(string recorded, string today, string? path)
    {
        Assert.Equal(path, JsonDifference.First(recorded, today)?.Path);
    }
}
