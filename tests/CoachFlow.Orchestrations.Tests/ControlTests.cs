using CoachFlow.Engine.Harness;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>Pause and resume, ending, a change of coach, and an operator's redrive of effects that kept failing.</summary>
public sealed class ControlTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    private static async Task<string> InIntakeAsync(EngineHost host, string name)
    {
        var id = $"eng-{name}";
        await host.Engine.StartAsync(id, Examples.Start(), "start");
        await host.Engine.SubmitAsync(id, Examples.Sign(), "sign");
        await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Intake, Within, "intake");
        return id;
    }

    [Fact]
    public async Task GivenAnEngagementInIntake_WhenTheCoachPausesItAndTheClientSubmits_ThenTheIntakeWaitsUntilItResumes()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var id = await InIntakeAsync(host, name);

        await host.Engine.SubmitAsync(id, new PauseEngagement(Party.Coach, "Client on leave"), "pause");
        await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Paused, Within, "paused");
        await host.Engine.SubmitAsync(id, new SubmitIntake(Examples.IntakeAnswers()), "intake");
        Assert.Equal("deferred", (await host.Engine.WaitForOutcomeAsync(id, "intake", Within))!.Status);
        Assert.Null((await host.Store.GetAsync(id, CancellationToken.None))!.State!.IntakeCompletedAt);

        await host.Engine.SubmitAsync(id, new ResumeEngagement(), "resume");
        var resumed = await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Sessions, Within, "intake applied after resume");
        Assert.NotNull(resumed.State!.IntakeCompletedAt);
        Assert.Equal("applied", (await host.Store.GetInputAsync(id, "intake", CancellationToken.None))!.Status);
        // The resume step is recorded before its email is sent: wait for the email, then count.
        var emails = (await host.Effects.UntilAsync(id, w => w.Exists(e => e.StartsWith("email:engagement-resumed/", StringComparison.Ordinal)), Within))
            .Select(e => e.What).ToList();
        Assert.Single(emails, e => e.StartsWith("email:engagement-paused/", StringComparison.Ordinal));
        Assert.Single(emails, e => e.StartsWith("email:engagement-resumed/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenAnEngagementInIntake_WhenTheCoachEndsIt_ThenTheClosingEmailGoesAndEveryOrchestrationFinishes()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var id = await InIntakeAsync(host, name);

        await host.Engine.SubmitAsync(id, new EndEngagement(Party.Coach, "The client took a new job"), "end");

        var ended = await host.UntilAsync(id, s => s.Status == "ended", Within, "ended");
        Assert.Equal(EngagementPhase.Ended, ended.State!.Phase);
        Assert.Empty(ended.Timers);
        var root = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: false);
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed, root.RuntimeStatus);
        Assert.Contains("email:engagement-ended/ended", (await host.Effects.ForAsync(id)).Select(e => e.What));
        await host.UntilIndexAsync(id, listed: true, Within, "listed as ended", status: "ended");
    }

    [Fact]
    public async Task GivenAnEngagement_WhenAFirmAdminHandsItToAnotherCoach_ThenTheIndexListsItUnderTheNewCoach()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var id = await InIntakeAsync(host, name);

        await host.Engine.SubmitAsync(id, new ChangeCoach("coach-bo"), "coach:bo");

        await host.UntilAsync(id, s => s.CoachId == "coach-bo", Within, "new coach");
        await host.UntilIndexAsync(id, listed: true, Within, "listed under the new coach", coachId: "coach-bo");
        await host.UntilIndexAsync(id, listed: false, Within, "no longer under the old coach", coachId: "coach-ada");
    }

    [Fact]
    public async Task GivenTheEmailTransportDown_WhenAnEffectFailsEveryAttempt_ThenItIsParkedAndFlaggedAndARedriveDeliversItOnce()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var id = $"eng-{name}";
        host.Effects.FailingKinds["email:intake-invitation"] = -1; // down until further notice
        await host.Engine.StartAsync(id, Examples.Start(), "start");
        await host.Engine.SubmitAsync(id, Examples.Sign(), "sign");

        // Three attempts (the test settings), then parked: the engagement is flagged and says what failed.
        var parked = await host.UntilAsync(id, s => s.Parked.Count > 0, Within, "effect parked");
        Assert.Contains("intake-invitation", parked.Parked[0].Effect.Effect.Json, StringComparison.Ordinal);
        Assert.Contains("transport is down", parked.Parked[0].Error, StringComparison.Ordinal);
        await host.UntilIndexAsync(id, listed: true, Within, "flagged effect-parked", flag: "effect-parked");
        Assert.DoesNotContain("email:intake-invitation/intake", (await host.Effects.ForAsync(id)).Select(e => e.What));

        // The transport is fixed; an operator redrives.
        host.Effects.FailingKinds.TryRemove("email:intake-invitation", out _);
        await host.Engine.RedriveAsync(id);

        await host.UntilAsync(id, s => s.Parked.Count == 0, Within, "redriven");
        var deadline = DateTime.UtcNow + Within; // the effect runs in the activity that cleared it
        while (!(await host.Effects.ForAsync(id)).Exists(e => e.What == "email:intake-invitation/intake") && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Single(await host.Effects.ForAsync(id), e => e.What == "email:intake-invitation/intake");
        await host.UntilIndexAsync(id, listed: false, Within, "flag cleared", flag: "effect-parked");
    }

    [Fact]
    public async Task GivenAnEngagement_WhenItIsPurged_ThenNoOrchestrationAndNoRowOfItRemains()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var id = await InIntakeAsync(host, name);

        await host.Engine.PurgeAsync(id);

        Assert.Null(await host.Store.GetAsync(id, CancellationToken.None));
        Assert.Empty(await host.Store.TimelineAsync(id, CancellationToken.None));
        Assert.Null(await host.Client.GetInstanceAsync(id));
        Assert.Null(await host.Client.GetInstanceAsync(Names.PartInstanceId(id, "contract")));
        Assert.Null(await host.Client.GetInstanceAsync(Names.PartInstanceId(id, "intake")));
        var listed = await host.Store.ListAsync("firm-1", new CoachFlow.Orchestrations.ReadModel.IndexFilter(), 50, null, CancellationToken.None);
        Assert.DoesNotContain(listed.Items, i => i.EngagementId == id);
    }
}
