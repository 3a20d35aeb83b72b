using CoachFlow.Testing;
using System.Collections.Concurrent;
using CoachFlow.Engine.Harness;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>What the firm's admins were told, as the engine told it (the Web host emails them; tested there).</summary>
internal sealed class RecordingNotices : IEngagementNotices
{
    public ConcurrentQueue<EngagementRepaired> Repaired { get; } = new();

    public Task StepParkedAsync(string firmId, ParkStepRequest parked, CancellationToken ct) => Task.CompletedTask;

    public Task EngagementRepairedAsync(EngagementRepaired repaired, CancellationToken ct)
    {
        Repaired.Enqueue(repaired);
        return Task.CompletedTask;
    }
}

/// <summary>
/// No engagement dies silently: an engagement whose orchestration was terminated behind CoachFlow's back, or is missing, is
/// found by the engine sweep, started again from the read model and reported; the inputs sent meanwhile are decided once.
/// </summary>
[RunsForMinutes]
public sealed class RepairTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    /// <summary>Engagements created a moment ago are looked at too (a host's default leaves them a minute); the test runs the sweep itself.</summary>
    private static readonly EngineSweepOptions Sweep = new() { Interval = TimeSpan.FromHours(1), MinAge = TimeSpan.Zero };

    /// <summary><see cref="Examples.Fast"/> with an intake reminder 12 seconds after the invitation, so one falls due while nothing runs.</summary>
    private static readonly ProgramDefinition Reminding = Examples.Fast with
    {
        Id = "fast-reminding",
        Reminders = Examples.Fast.Reminders with { IntakeReminderEvery = TimeSpan.FromSeconds(12) },
    };

    private static readonly ProgramCatalog Catalog = new([.. Examples.Catalog.All, Reminding]);

    private async Task<(EngineHost Host, RecordingNotices Notices)> StartAsync(StepWritesDown? fault = null, TimeSpan? effectRetryDelay = null)
    {
        var notices = new RecordingNotices();
        var settings = new EngineSettings(3, effectRetryDelay ?? TimeSpan.FromSeconds(1), effectRetryDelay ?? TimeSpan.FromSeconds(2))
        {
            ActivityAttempts = 2, ActivityFirstRetryDelay = TimeSpan.FromMilliseconds(200), ActivityMaxRetryDelay = TimeSpan.FromMilliseconds(500),
            ParkedRetryDelay = TimeSpan.FromHours(6),
        };
        var host = await EngineHost.StartAsync(azurite.ConnectionString, AzuriteFixture.UniqueName(), Catalog, settings, tablePolicy: fault, sweep: Sweep, notices: notices);
        return (host, notices);
    }

    private static async Task<string> InIntakeAsync(EngineHost host, string program = "fast")
    {
        var id = $"eng-{host.Name}";
        await host.Engine.StartAsync(id, Examples.Start(program: program), "start");
        await host.Engine.SubmitAsync(id, Examples.Sign(), "sign");
        // The intake's part has begun (it is where inputs go), so there is a part running to terminate.
        await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Intake && s.ActiveInstance == Names.PartInstanceId(id, "intake"), Within, "intake");
        return id;
    }

    /// <summary>What an operator does by hand with the engine's client: the engagement's orchestration terminated, then the part it runs.</summary>
    private static async Task TerminateAsync(EngineHost host, string engagementId, string part)
    {
        foreach (var instanceId in new[] { engagementId, Names.PartInstanceId(engagementId, part) })
        {
            await host.Client.TerminateInstanceAsync(instanceId, "by hand");
            await UntilInstanceAsync(host, instanceId, i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Terminated, "terminated");
        }
    }

    private static async Task UntilInstanceAsync(EngineHost host, string instanceId, Func<OrchestrationMetadata?, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(await host.Client.GetInstanceAsync(instanceId))) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Instance {instanceId} is not {what} after {Within.TotalSeconds:0} s.");
    }

    private static async Task<List<string>> EmailsAsync(EngineHost host, string id, string kind) =>
        [.. (await host.Effects.ForAsync(id)).Select(e => e.What).Where(w => w.StartsWith($"email:{kind}/", StringComparison.Ordinal))];

    [Fact]
    public async Task GivenAnEngagementTerminatedBehindCoachFlowsBack_WhenTheSweepRuns_ThenItIsRepairedReportedAndCarriesOnWithTheInputSentMeanwhileDecidedOnce()
    {
        var (host, notices) = await StartAsync();
        await using var _ = host;
        var id = await InIntakeAsync(host, Reminding.Id);
        var reminderDue = (await host.Store.GetAsync(id, CancellationToken.None))!.Timers.Min(t => t.DueAt);

        await TerminateAsync(host, id, "intake");
        // Sent while nothing runs it: kept, not decided; and the reminder falls due with nothing to send it.
        await host.Engine.SubmitAsync(id, new ChangeCoach("coach-bo"), "coach:bo");
        while (DateTimeOffset.UtcNow < reminderDue.AddSeconds(1)) await Task.Delay(200);
        Assert.Equal("accepted", (await host.Store.GetInputAsync(id, "coach:bo", CancellationToken.None))!.Status);
        Assert.Empty(await EmailsAsync(host, id, EmailKinds.IntakeReminder));

        var swept = await host.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(1, swept.Repaired);
        var repaired = Assert.Single(notices.Repaired);
        Assert.Equal((id, "firm-1", "engagement Terminated"), (repaired.EngagementId, repaired.FirmId, repaired.Found));
        // It carries on: the input sent while it was dead is decided, the reminder that fell due goes out.
        Assert.Equal("applied", (await host.Engine.WaitForOutcomeAsync(id, "coach:bo", Within))!.Status);
        await host.UntilAsync(id, s => s.CoachId == "coach-bo", Within, "coach changed");
        var deadline = DateTime.UtcNow + Within;
        while ((await EmailsAsync(host, id, EmailKinds.IntakeReminder)).Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Single(await EmailsAsync(host, id, EmailKinds.IntakeReminder));
        // An input sent after the repair is decided as any other.
        var paused = await host.Engine.RaiseAsync(id, new PauseEngagement(Party.Coach, "Client on leave"), "pause", Within);
        Assert.Equal(InputOutcome.Applied, paused.Result);

        // Reported on the engagement (kept by every later step) and in the firm's listing.
        var after = (await host.Store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(EngagementPhase.Paused, after.State!.Phase);
        Assert.Equal("engagement Terminated", after.Repaired);
        Assert.NotNull(after.RepairedAt);
        await host.UntilIndexAsync(id, listed: true, Within, "flagged engagement-repaired", flag: EngagementStore.RepairedFlag);
        var timeline = await host.Store.TimelineAsync(id, CancellationToken.None);
        Assert.Single(timeline, e => e.Type == nameof(CoachChanged));
        Assert.Single(timeline, e => e.Type == nameof(IntakeReminderSent));
        Assert.Equal(timeline.Count, after.Version);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await host.Client.GetInstanceAsync(id))!.RuntimeStatus);

        // Running again, it is left alone.
        Assert.Equal(0, (await host.Sweep.RunAsync(CancellationToken.None)).Repaired);
        Assert.Single(notices.Repaired);
    }

    [Fact]
    public async Task GivenAnEngagementWhoseOrchestrationsWerePurged_WhenTheSweepRuns_ThenItIsStartedAgainFromTheReadModelAndTakesInputs()
    {
        var (host, notices) = await StartAsync();
        await using var _ = host;
        var id = await InIntakeAsync(host);
        await TerminateAsync(host, id, "intake");
        foreach (var instance in new[] { id, Names.PartInstanceId(id, "contract"), Names.PartInstanceId(id, "intake") })
            await host.Client.PurgeInstanceAsync(instance);
        Assert.Null(await host.Client.GetInstanceAsync(id));

        var swept = await host.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(1, swept.Repaired);
        Assert.Equal("engagement missing", Assert.Single(notices.Repaired).Found);
        var submitted = await host.Engine.RaiseAsync(id, new SubmitIntake(Examples.IntakeAnswers()), "intake", Within);
        Assert.Equal(InputOutcome.Applied, submitted.Result);
        var after = await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Sessions, Within, "sessions");
        Assert.Single(await host.Store.TimelineAsync(id, CancellationToken.None), e => e.Type == nameof(EngagementStarted));
        Assert.Equal((await host.Store.TimelineAsync(id, CancellationToken.None)).Count, after.Version);
        // It went on from the part it was in: the contract's part was not run again.
        Assert.Null(await host.Client.GetInstanceAsync(Names.PartInstanceId(id, "contract")));
    }

    [Fact]
    public async Task GivenAnEmailWaitingForARetryWhenTheOrchestrationWasTerminated_WhenTheSweepRepairsIt_ThenTheEmailGoesOnce()
    {
        // The contract email fails once; its retry is an hour away, held only in the orchestration's memory and the snapshot.
        var (host, _) = await StartAsync(effectRetryDelay: TimeSpan.FromHours(1));
        await using var _ = host;
        host.Effects.FailingKinds[$"email:{EmailKinds.ContractInvitation}"] = 1;
        var id = $"eng-{host.Name}";
        await host.Engine.StartAsync(id, Examples.Start(), "start");
        var started = await host.UntilAsync(id, s => s.Version > 0 && s.ActiveInstance == Names.PartInstanceId(id, "contract"), Within, "started");
        var contract = Assert.Single(started.Pending!, e => e.Effect.Json.Contains(EmailKinds.ContractInvitation, StringComparison.Ordinal));
        var deadline = DateTime.UtcNow + Within;
        while (await host.Store.GetEffectAsync(id, contract.EffectId, CancellationToken.None) is not { Attempts: 1 } && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.False((await host.Store.GetEffectAsync(id, contract.EffectId, CancellationToken.None))!.Delivered);

        await TerminateAsync(host, id, "contract");
        Assert.Equal(1, (await host.Sweep.RunAsync(CancellationToken.None)).Repaired);

        // The repaired run retries it at once, from the snapshot's pending effects; nothing else is sent again.
        deadline = DateTime.UtcNow + Within;
        while ((await EmailsAsync(host, id, EmailKinds.ContractInvitation)).Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Single(await EmailsAsync(host, id, EmailKinds.ContractInvitation));
        Assert.True((await host.Store.GetEffectAsync(id, contract.EffectId, CancellationToken.None))!.Delivered);
        var signed = await host.Engine.RaiseAsync(id, Examples.Sign(), "sign", Within);
        Assert.Equal(InputOutcome.Applied, signed.Result);
        Assert.Single(await EmailsAsync(host, id, EmailKinds.ContractInvitation));
    }

    [Fact]
    public async Task GivenAnEndedEngagementWithNoOrchestrationLeft_WhenTheSweepRuns_ThenItIsLeftAlone()
    {
        var (host, notices) = await StartAsync();
        await using var _ = host;
        var id = await InIntakeAsync(host);
        var ended = await host.Engine.RaiseAsync(id, new EndEngagement(Party.Coach, "Client moved abroad"), "end", Within);
        Assert.Equal(InputOutcome.Applied, ended.Result);
        await UntilInstanceAsync(host, id, i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Completed, "completed");
        await host.Client.PurgeInstanceAsync(id);

        var swept = await host.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(0, swept.Repaired);
        Assert.Empty(notices.Repaired);
        Assert.Null(await host.Client.GetInstanceAsync(id));
        var snapshot = (await host.Store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal("ended", snapshot.Status);
        Assert.Null(snapshot.RepairedAt);
    }

    [Fact]
    public async Task GivenAnEngagementNothingRuns_WhenAnInputIsRaisedAndWaitedFor_ThenItIsRepairedThereAndTheAnswerIsNeverAccepted()
    {
        var (host, notices) = await StartAsync();
        await using var _ = host;
        var id = await InIntakeAsync(host);
        await TerminateAsync(host, id, "intake");

        // The wait runs out with nothing running it: it is repaired there and then, and the caller is never told "in a moment".
        var outcome = await host.Engine.RaiseAsync(id, new ChangeCoach("coach-bo"), "coach:bo", TimeSpan.FromSeconds(2));

        Assert.Contains(outcome.Result, new[] { InputOutcome.Applied, RaiseOutcome.Repairing });
        Assert.Single(notices.Repaired);
        // Kept either way, and decided once by the repaired engagement.
        Assert.Equal("applied", (await host.Engine.WaitForOutcomeAsync(id, "coach:bo", Within))!.Status);
        var again = await host.Engine.RaiseAsync(id, new ChangeCoach("coach-bo"), "coach:bo", Within);
        Assert.True(again.Duplicate);
        Assert.Equal(InputOutcome.Applied, again.Result);
        Assert.Single(await host.Store.TimelineAsync(id, CancellationToken.None), e => e.Type == nameof(CoachChanged));
    }

    [Fact]
    public async Task GivenAnEngagementNothingRunsAndStepWritesFailing_WhenAnInputIsRaisedAndWaitedFor_ThenTheAnswerIsRepairingAndTheInputIsKeptUntilItIsDecided()
    {
        var fault = new StepWritesDown();
        var (host, notices) = await StartAsync(fault);
        await using var _ = host;
        var id = await InIntakeAsync(host);
        await TerminateAsync(host, id, "intake");
        fault.Down = true;

        // Repaired, but the repaired engagement cannot record the step within the wait: the caller is told so, not "in a moment".
        var outcome = await host.Engine.RaiseAsync(id, new ChangeCoach("coach-bo"), "coach:bo", TimeSpan.FromSeconds(2));

        Assert.Equal(RaiseOutcome.Repairing, outcome.Result);
        Assert.Single(notices.Repaired);
        Assert.Equal("accepted", (await host.Store.GetInputAsync(id, "coach:bo", CancellationToken.None))!.Status);
        // The storage is fixed; the step, parked meanwhile, is redriven and the input decided once.
        await host.UntilAsync(id, s => s.StepParked is not null, Within, "step parked");
        fault.Down = false;
        await host.Engine.RedriveAsync(id);
        Assert.Equal("applied", (await host.Engine.WaitForOutcomeAsync(id, "coach:bo", Within))!.Status);
        Assert.Single(await host.Store.TimelineAsync(id, CancellationToken.None), e => e.Type == nameof(CoachChanged));
    }

    [Fact]
    public async Task GivenOnlyThePartAnEngagementIsInTerminated_WhenTheSweepRuns_ThenItIsRepairedAndDecidesTheInputSentMeanwhile()
    {
        var (host, notices) = await StartAsync();
        await using var _ = host;
        var id = await InIntakeAsync(host);
        await host.Client.TerminateInstanceAsync(Names.PartInstanceId(id, "intake"), "by hand");
        await UntilInstanceAsync(host, Names.PartInstanceId(id, "intake"), i => i?.RuntimeStatus == OrchestrationRuntimeStatus.Terminated, "terminated");
        await host.Engine.SubmitAsync(id, new ChangeCoach("coach-bo"), "coach:bo");

        var swept = await host.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(1, swept.Repaired);
        // The engagement's orchestration is told its part ended and fails, or still waits: either way nothing decides inputs.
        Assert.Contains(Assert.Single(notices.Repaired).Found, new[] { "part Terminated", "engagement Failed" });
        Assert.Equal("applied", (await host.Engine.WaitForOutcomeAsync(id, "coach:bo", Within))!.Status);
        Assert.Single(await host.Store.TimelineAsync(id, CancellationToken.None), e => e.Type == nameof(CoachChanged));
    }

    [Fact]
    public async Task GivenRunningEngagementsThatTheEngineRuns_WhenTheSweepRuns_ThenNoneIsLookedAtOneByOneAndNoneIsRepaired()
    {
        var (host, notices) = await StartAsync();
        await using var _ = host;
        var ids = Enumerable.Range(1, 10).Select(i => $"eng-{host.Name}-{i}").ToList();
        foreach (var id in ids) await host.Engine.StartAsync(id, Examples.Start(), "start");
        foreach (var id in ids) await host.UntilAsync(id, s => s.ActiveInstance == Names.PartInstanceId(id, "contract"), Within, "contract");

        var swept = await host.Sweep.RunAsync(CancellationToken.None);

        Assert.Equal(ids.Count, swept.Running);
        Assert.Equal((0, 0, 0), (swept.Checked, swept.Repaired, swept.Failed));
        Assert.Empty(notices.Repaired);
    }
}
