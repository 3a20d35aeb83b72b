using CoachFlow.Engine.Harness;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>Whole engagements on the real Durable Task engine: every part's orchestration, the read model, the effects.</summary>
public sealed class LifecycleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly string[] FastEmails =
    [
        "contract-invitation/contract-v1",
        "intake-invitation/intake",
        "pre-session-brief/intake",
        "session-confirmation/session-1", "session-reminder/session-1", "session-summary/session-1", "reassessment-invitation/reassessment-1",
        "goals-updated/reassessment-1",
        "session-confirmation/session-2", "session-reminder/session-2", "session-summary/session-2", "reassessment-invitation/reassessment-2",
        "goals-updated/reassessment-2",
        "maintenance-plan-review/plan-draft-1",
        "graduation/graduation",
        "maintenance-checkin/maintenance-checkin-1", "still-applying-check/six-month-check", "maintenance-checkin/maintenance-checkin-2",
        "maintenance-complete/closed",
    ];

    [Fact]
    public async Task GivenAFastProgram_WhenCoachAndClientFollowItThrough_ThenEveryEmailWentOnceInOrderAndEveryPartRanAsItsOwnOrchestration()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var id = $"eng-{name}";

        Assert.True(await host.Engine.StartAsync(id, Examples.Start(), "start-1"));
        var done = await CoachAndClient.FollowThroughAsync(host, id, TimeSpan.FromMinutes(3));

        Assert.Equal(EngagementPhase.Closed, done.State!.Phase);
        Assert.Equal("completed", done.Status);
        // The snapshot says closed as soon as the last step is recorded; that step's email goes out just after, in the same
        // activity. Once the engagement's orchestration has completed, every effect has run.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var root = await host.Client.WaitForInstanceCompletionAsync(id, wait.Token);
        var effects = await host.Effects.ForAsync(id);
        var emails = effects.Where(e => e.What.StartsWith("email:", StringComparison.Ordinal)).Select(e => e.What["email:".Length..]).ToList();
        Assert.Equal(FastEmails, emails);
        Assert.Equal(effects.Count, effects.Select(e => e.EffectId).Distinct().Count());
        Assert.Contains("document/contract-v1", effects.Select(e => e.What));
        Assert.Contains("document/maintenance-plan", effects.Select(e => e.What));

        // The timeline holds every event once, numbered without gaps.
        var timeline = await host.Store.TimelineAsync(id, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, timeline.Count).Select(v => (long)v), timeline.Select(e => e.Version));
        Assert.Equal(done.Version, timeline.Count);
        Assert.Equal(nameof(EngagementClosed), timeline[^1].Type);

        // Each part ran as a sub-orchestration of its own, and the engagement orchestration completed.
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed, root.RuntimeStatus);
        foreach (var part in new[] { "contract", "intake", "session-1", "reassessment-1", "session-2", "graduation", "maintenance" })
        {
            var instance = await host.Client.GetInstanceAsync(Names.PartInstanceId(id, part));
            Assert.True(instance is { RuntimeStatus: Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed }, $"part {part} did not complete");
        }
    }
}
