using CoachFlow.Engine.Harness;
using CoachFlow.Testing;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>A deployment of a newer version of the orchestrations carries engagements started on the previous one.</summary>
[RunsForMinutes]
public sealed class VersioningTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task GivenAnEngagementStartedOnThePreviousVersion_WhenANewerVersionIsDeployed_ThenItFinishesOnTheNewDeployment()
    {
        var name = AzuriteFixture.UniqueName();
        var id = $"eng-{name}";

        // Version 1.0 starts the engagement and takes it into the intake; then it is shut down.
        await using (var previous = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog, version: "1.0"))
        {
            await previous.Engine.StartAsync(id, Examples.Start(), "start");
            await previous.Engine.SubmitAsync(id, Examples.Sign(), "sign");
            await previous.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Intake, TimeSpan.FromSeconds(90), "intake on 1.0");
        }

        // Version 1.1 is deployed on the same task hub: it runs what 1.0 started, to the end, and starts new engagements as 1.1.
        await using var current = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog, version: "1.1");
        var done = await CoachAndClient.FollowThroughAsync(current, id, TimeSpan.FromMinutes(3));
        Assert.Equal(EngagementPhase.Closed, done.State!.Phase);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed, (await current.Client.WaitForInstanceCompletionAsync(id, wait.Token)).RuntimeStatus);

        var next = $"eng-{name}-next";
        await current.Engine.StartAsync(next, Examples.Start(), "start");
        await current.Engine.SubmitAsync(next, Examples.Sign(), "sign");
        await current.UntilAsync(next, s => s.State?.Phase == EngagementPhase.Intake, TimeSpan.FromSeconds(90), "intake on 1.1");
    }
}
