using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Runtime;
using Grpc.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Orchestrations;

/// <summary>How a caller's input was taken.</summary>
public enum SubmitResult
{
    /// <summary>Kept durably and handed to the engagement; it is decided shortly.</summary>
    Accepted,
    /// <summary>The same idempotency key was taken before; <see cref="Submission.Earlier"/> says what came of it.</summary>
    Duplicate,
}

/// <summary>What <see cref="EngagementEngine.SubmitAsync"/> did.</summary>
public sealed record Submission(SubmitResult Result, InputRecord? Earlier = null);

/// <summary>What came of an input raised with <see cref="EngagementEngine.RaiseAsync"/>.</summary>
/// <param name="Result"><c>applied</c>, <c>deferred</c> (kept until the engagement can take it, e.g. after a pause),
/// <c>rejected</c> (<paramref name="Reason"/> says why), <c>accepted</c> (kept durably and not decided yet within the wait, while
/// the engine runs the engagement), or <c>repairing</c> (kept durably, but nothing was running the engagement: it was started
/// again from the read model and had not decided the input within the wait; ask again in a moment).</param>
/// <param name="Version">The engagement's version after the step that decided it, when decided.</param>
/// <param name="Duplicate">The same idempotency key was raised before; this is what came of that one.</param>
public sealed record RaiseOutcome(string Result, long? Version, string? Reason, bool Duplicate)
{
    public const string Accepted = "accepted";
    public const string Repairing = "repairing";
}


/// <summary>
/// The hosts' door to the engine: starts engagements and hands them inputs so that none is ever lost, and reads
/// the read model. An input is accepted once it is kept in the engagement's inbox; it is then raised to the
/// orchestration that runs the engagement's current part, or, if that part has not begun yet, found there by it.
/// </summary>
/// <remarks>Every input enters by <see cref="Inbox.KeepThenRouteAsync"/>: kept first, routed second.</remarks>
public sealed class EngagementEngine(DurableTaskClient client, EngagementStore store, TimeProvider time, EngineSettings settings, ProgramCatalog programs,
    EngagementRepair repair)
{
    public EngagementStore Store => store;

    /// <summary>Starts an engagement. Starting the same id again starts nothing (and returns false).</summary>
    /// <remarks>
    /// The program's version is fixed here, outside the orchestration: an orchestrator replays its decisions, and a
    /// replay after a firm published a newer version must still decide on the version the engagement started on.
    /// </remarks>
    public async Task<bool> StartAsync(string engagementId, StartEngagement start, string idempotencyKey, CancellationToken ct = default)
    {
        if (start.ProgramVersion is null && programs.Find(start.ProgramId) is { } program) start = start with { ProgramVersion = program.Version };
        var now = time.GetUtcNow();
        var created = await store.CreateAsync(engagementId, start, now, ct);
        if (!created)
        {
            // A repeat. If the first start died between claiming the id and scheduling, finish it now. (Two
            // identical starts at the same instant may both schedule: the engine keeps the first start message.)
            if (await client.GetInstanceAsync(engagementId, ct) is not null) return false;
        }
        await store.AcceptAsync(engagementId, "start:" + idempotencyKey, EngagementCodec.Wrap(start), now, ct);
        await client.ScheduleNewOrchestrationInstanceAsync(Names.Orchestrators.Engagement, EngagementRun.New(engagementId, settings),
            new StartOrchestrationOptions(engagementId), ct);
        return created;
    }

    /// <summary>Keeps an input and hands it to the engagement. The same key twice is taken once.</summary>
    /// <exception cref="EngagementNotFoundException">No such engagement.</exception>
    /// <exception cref="InvalidStatusException">The engagement has ended or closed: nothing would ever take the input.</exception>
    /// <exception cref="BadInputException">The input is larger than <see cref="MaxInputBytes"/>.</exception>
    public async Task<Submission> SubmitAsync(string engagementId, WorkflowInput input, string idempotencyKey, CancellationToken ct = default)
    {
        var route = await store.GetRouteAsync(engagementId, ct) ?? throw new EngagementNotFoundException(engagementId);
        if (EngagementStatus.IsOver(route.Status))
        {
            // A repeat of an input taken before it finished still says what came of it.
            if (await store.GetInputAsync(engagementId, idempotencyKey, ct) is { } taken) return new Submission(SubmitResult.Duplicate, taken);
            throw new InvalidStatusException(route.Status == EngagementStatus.Completed
                ? $"Engagement {engagementId} has closed; nothing more can be recorded on it."
                : $"Engagement {engagementId} has ended; nothing more can be recorded on it.");
        }
        var now = time.GetUtcNow();
        var envelope = EngagementCodec.Wrap(input);
        if (envelope.Json.Length > MaxInputBytes) throw new BadInputException($"The input is larger than {MaxInputBytes / 1024} KB.");
        var kept = await Inbox.KeepThenRouteAsync(store, engagementId, idempotencyKey, envelope, now, ct) ?? throw new EngagementNotFoundException(engagementId);
        if (kept.DecidedBefore) return new Submission(SubmitResult.Duplicate, kept.Earlier);
        if (kept.RaiseTo is { } instance)
        {
            try
            {
                await client.RaiseEventAsync(instance, Names.Events.Input, kept.Pending, ct);
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition)
            {
                // The part is gone; the next one finds the input in the inbox.
            }
        }
        return new Submission(kept.Earlier is null ? SubmitResult.Accepted : SubmitResult.Duplicate, kept.Earlier);
    }

    /// <summary>Largest input kept, in UTF-16 characters of its JSON.</summary>
    public const int MaxInputBytes = 256 * 1024;

    /// <summary>
    /// Keeps an input, hands it to the engagement and waits up to <paramref name="wait"/> for what came of it, so a
    /// person who pressed a button can be told. An input still undecided then is safe (kept) and is decided shortly.
    /// </summary>
    public async Task<RaiseOutcome> RaiseAsync(string engagementId, WorkflowInput input, string idempotencyKey, TimeSpan wait, CancellationToken ct = default)
    {
        var submission = await SubmitAsync(engagementId, input, idempotencyKey, ct);
        var duplicate = submission.Result == SubmitResult.Duplicate;
        var record = submission.Earlier is { Status: not RaiseOutcome.Accepted } earlier ? earlier : await WaitForOutcomeAsync(engagementId, idempotencyKey, wait, ct);
        if (record is null)
        {
            // Not decided within the wait: "decided shortly" only holds if something runs the engagement.
            if (await repair.DiagnoseAsync(engagementId, ct) is not { } found) return new RaiseOutcome(RaiseOutcome.Accepted, null, null, duplicate);
            await repair.RepairAsync(engagementId, found, ct);
            record = await WaitForOutcomeAsync(engagementId, idempotencyKey, wait, ct);
            if (record is null) return new RaiseOutcome(RaiseOutcome.Repairing, null, null, duplicate);
        }
        return new RaiseOutcome(record.Status, record.Version, record.Reason, duplicate);
    }

    /// <summary>Waits until the input is decided (applied, deferred or rejected) or <paramref name="timeout"/> passes; null then.</summary>
    /// <remarks>
    /// Reads the input's row after 25 ms, then twice as long each time up to half a second: a decision at idle is
    /// seen within a few dozen milliseconds, and many callers waiting while the engine is busy (a cohort started
    /// through the API) do not add a storage read every 100 ms each.
    /// </remarks>
    public async Task<InputRecord?> WaitForOutcomeAsync(string engagementId, string idempotencyKey, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = time.GetUtcNow() + timeout;
        var pause = TimeSpan.FromMilliseconds(25);
        while (true)
        {
            var record = await store.GetInputAsync(engagementId, idempotencyKey, ct);
            if (record is { Status: not RaiseOutcome.Accepted }) return record;
            if (time.GetUtcNow() >= deadline) return null;
            await Task.Delay(pause, ct);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxOutcomePoll.Ticks));
        }
    }

    private static readonly TimeSpan MaxOutcomePoll = TimeSpan.FromMilliseconds(500);

    /// <summary>Asks for the engagement's parked effects to run again.</summary>
    public Task<Submission> RedriveAsync(string engagementId, CancellationToken ct = default) =>
        SubmitAsync(engagementId, new RedriveEffects(), "redrive:" + time.GetUtcNow().UtcTicks, ct);

    private Task StopAsync(string instanceId, CancellationToken ct) => EngineInstances.StopAsync(client, instanceId, "purged", ct);

    /// <summary>
    /// Purges a finished orchestration's history (a bulk action that named an erased engagement); false when it still
    /// runs after <paramref name="wait"/> or is gone. A bulk action reads as finished once its last activity settled
    /// its counts, a moment before its orchestration completes: the wait covers that moment, so an erasure right after
    /// a bulk action still purges the history that names the engagement.
    /// </summary>
    public async Task<bool> PurgeFinishedAsync(string instanceId, TimeSpan wait, CancellationToken ct = default)
    {
        var until = time.GetUtcNow() + wait;
        var meta = await client.GetInstanceAsync(instanceId, ct);
        while (meta is { IsCompleted: false } && time.GetUtcNow() < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), time, ct);
            meta = await client.GetInstanceAsync(instanceId, ct);
        }
        if (meta is null || !meta.IsCompleted) return false;
        return (await client.PurgeInstanceAsync(instanceId, cancellation: ct)).PurgedInstanceCount > 0;
    }

    /// <summary>Erases an engagement: its orchestrations and their histories, and every row of the read model.</summary>
    /// <exception cref="EngagementNotFoundException">No such engagement.</exception>
    public async Task PurgeAsync(string engagementId, CancellationToken ct = default)
    {
        var snapshot = await store.GetAsync(engagementId, ct) ?? throw new EngagementNotFoundException(engagementId);
        await EraseAsync(engagementId, snapshot.FirmId, ct);
    }

    /// <summary>
    /// Erases an engagement of <paramref name="firmId"/>, whatever is left of it: its orchestrations are stopped and purged
    /// with their histories, then its snapshot row goes (so a late activity records and sends nothing), then every other
    /// row of the read model and its index row. Running it again after it stopped half-way finishes the job.
    /// </summary>
    /// <returns>How many orchestration instances and read-model rows went.</returns>
    public async Task<(int Instances, int Rows)> EraseAsync(string engagementId, string firmId, CancellationToken ct = default)
    {
        var instances = 0;
        // The orchestrations go while the snapshot still says which parts ran; without it they went before it did.
        if (await store.GetAsync(engagementId, ct) is { } snapshot)
        {
            var state = snapshot.State; // null while the engagement is still starting
            // The engagement first, so it starts no further part; then every part it may have run (their ids follow
            // from the engagement's state), whether it still runs or not.
            await StopAsync(engagementId, ct);
            var parts = new List<string> { "contract", "intake", "graduation", "maintenance" };
            parts.AddRange(Enumerable.Range(1, (state?.SessionsHeld ?? 0) + 1).Select(n => $"session-{n}"));
            parts.AddRange(Enumerable.Range(1, (state?.Reassessments.Count ?? 0) + 1).Select(n => $"reassessment-{n}"));
            // A part whose start was already on its way when the engagement stopped may appear a moment later: look again.
            for (var round = 0; round < 10; round++)
            {
                var found = false;
                foreach (var id in parts.Select(p => Names.PartInstanceId(engagementId, p)).Prepend(engagementId))
                {
                    if (await client.GetInstanceAsync(id, ct) is null) continue;
                    found = true;
                    await StopAsync(id, ct);
                    await client.PurgeInstanceAsync(id, cancellation: ct);
                    instances++;
                }
                if (!found && round > 0) break;
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }
        return (instances, await store.PurgeAsync(engagementId, firmId, ct));
    }
}
