using CoachFlow.Engine.Harness;
using CoachFlow.Testing;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>A firm publishes a new version of a program while engagements run on the previous one.</summary>
[RunsForMinutes]
public sealed class ProgramVersionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task GivenAnEngagementOnV1_WhenTheFirmPublishesV2MidEngagement_ThenTheRunningEngagementKeepsV1AndANewOneFollowsV2()
    {
        var name = AzuriteFixture.UniqueName();
        var (a, b) = ($"eng-{name}-a", $"eng-{name}-b");

        // Engagement A starts on the only "fast" there is (v1: two sessions) and gets into its sessions.
        await using (var before = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog))
        {
            await before.Engine.StartAsync(a, Examples.Start(), "start");
            await before.Engine.SubmitAsync(a, Examples.Sign(), "sign");
            await before.Engine.SubmitAsync(a, new SubmitIntake(Examples.IntakeAnswers()), "intake");
            await before.UntilAsync(a, s => s.State?.Phase == EngagementPhase.Sessions, TimeSpan.FromSeconds(90), "sessions on v1");
        }

        // The firm publishes v2 (three sessions, reassessed at the end only) and the host restarts with both versions.
        var v2 = Examples.Fast with { Version = 2, SessionCount = 3, Reassessment = new ReassessmentRule(EverySessions: null, Every: null, AtEnd: true) };
        var catalog = new ProgramCatalog([BuiltInPrograms.Career6, BuiltInPrograms.DemoAccelerated, Examples.Fast, v2]);
        await using var after = await EngineHost.StartAsync(azurite.ConnectionString, name, catalog);
        await after.Engine.StartAsync(b, Examples.Start(), "start");

        var doneA = CoachAndClient.FollowThroughAsync(after, a, TimeSpan.FromMinutes(4));
        var doneB = CoachAndClient.FollowThroughAsync(after, b, TimeSpan.FromMinutes(4));
        var (stateA, stateB) = ((await doneA).State!, (await doneB).State!);

        Assert.Equal((1, 2, 2, EngagementPhase.Closed), (stateA.ProgramVersion, stateA.SessionsHeld, stateA.Reassessments.Count, stateA.Phase));
        Assert.Equal((2, 3, 1, EngagementPhase.Closed), (stateB.ProgramVersion, stateB.SessionsHeld, stateB.Reassessments.Count, stateB.Phase));
    }
}
