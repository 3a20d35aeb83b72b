using CoachFlow.Engine.Harness;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Tests.Replay;

/// <summary>
/// Histories recorded from the real engine (Azure Storage provider on Azurite) replay on the code that made them.
/// With <c>COACHFLOW_RECORD_HISTORIES=1</c> it records every scenario and writes the fixtures (see <see cref="Recordings"/>).
/// </summary>
public sealed class HistoryRecordingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task GivenAnEngagementRunOnTheRealEngine_WhenItsHistoriesAreRecordedAndReplayed_ThenTodaysCodeDecidesEveryEpisodeTheSame()
    {
        string[] scenarios = Recordings.Recording ? [Recordings.PausedThenEnded, Recordings.Lifecycle] : [Recordings.PausedThenEnded];
        foreach (var scenario in scenarios)
        {
            var recorder = new HistoryRecorder();
            var name = AzuriteFixture.UniqueName();
            await using (var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog, episodeStored: recorder.EpisodeStored))
                await Recordings.RunAsync(host, scenario);

            var recording = RecordedEngagement.FromJson(recorder.For(Recordings.EngagementId(scenario), scenario).ToJson());
            Assert.Equal(Recordings.EngagementId(scenario), recording.Instances[0].InstanceId);
            Assert.Contains(recording.Instances, i => i.InstanceId.EndsWith(":contract", StringComparison.Ordinal));
            Assert.All(recording.Instances, i => Assert.NotEmpty(i.Generations));
            Assert.Empty(HistoryReplay.Replay(recording, new EngagementWorkflow(Examples.Catalog)));

            if (Recordings.Recording) await File.WriteAllTextAsync(Recordings.SourceFileOf(scenario), recording.ToJson());
        }
    }
}
