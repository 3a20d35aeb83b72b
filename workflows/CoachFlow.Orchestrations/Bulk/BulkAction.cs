using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using Microsoft.DurableTask;

namespace CoachFlow.Orchestrations.Bulk;

/// <summary>Which bulk action of which firm to run.</summary>
public sealed record BulkRunRequest(string FirmId, string ActionId);

/// <summary>One batch of a bulk action's selection (<see cref="BulkActionRecord.BatchSize"/> engagements from <c>Batch × size</c>).</summary>
public sealed record BulkBatchRequest(string FirmId, string ActionId, int Batch);

/// <summary>An input kept in its engagement's inbox, to be raised to the part that runs the engagement now.</summary>
public sealed record BulkRaise(string InstanceId, PendingInput Input);

/// <summary>Counts a bulk action's outcomes; <see cref="Final"/>: stop waiting for undecided inputs (they stay kept and are decided later).</summary>
public sealed record BulkSettleRequest(string FirmId, string ActionId, bool Final);

/// <summary>
/// Runs exactly the selection a bulk action's dry run recorded: batch by batch, an activity keeps each engagement's
/// input in its inbox (idempotency key <c>bulk:{action}</c>) and returns the part instance each goes to; this
/// orchestrator raises them (<c>SendEvent</c>), then counts what came of them until every input is decided.
/// </summary>
/// <remarks>
/// Why the orchestrator raises the events and not the activity: in the Azure app an activity has no
/// <c>DurableTaskClient</c>, while an orchestration can send events in both hosts. The engine's rule holds all the
/// same: the input is kept first and the part instance read second, so an input is either raised to a running part
/// or found in the inbox by the next part when it begins. A batch repeated after a crash keeps nothing twice (the
/// same key) and a repeated raise is decided once. Batches run a few at a time so a large action does not crowd out
/// the firm's live engagements.
/// </remarks>
public sealed class BulkAction : TaskOrchestrator<BulkRunRequest, int>
{
    /// <summary>Batches kept at the same time.</summary>
    public const int Parallelism = 4;

    /// <summary>How often and how long the outcomes are read back before the run is reported finished with some still undecided.</summary>
    public static readonly TimeSpan SettleEvery = TimeSpan.FromSeconds(2);
    public const int SettleAttempts = 30;

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    public override async Task<int> RunAsync(TaskOrchestrationContext context, BulkRunRequest input)
    {
        var batches = await context.CallActivityAsync<int>(Names.Activities.BeginBulkAction, input, Retry);
        var raised = 0;
        for (var first = 0; first < batches; first += Parallelism)
        {
            var kept = await Task.WhenAll(Enumerable.Range(first, Math.Min(Parallelism, batches - first))
                .Select(b => context.CallActivityAsync<List<BulkRaise>>(Names.Activities.KeepBulkBatch, new BulkBatchRequest(input.FirmId, input.ActionId, b), Retry)));
            foreach (var raise in kept.SelectMany(k => k))
            {
                context.SendEvent(raise.InstanceId, Names.Events.Input, raise.Input);
                raised++;
            }
        }
        for (var attempt = 1; ; attempt++)
        {
            var settled = await context.CallActivityAsync<bool>(Names.Activities.SettleBulkAction,
                new BulkSettleRequest(input.FirmId, input.ActionId, Final: attempt >= SettleAttempts), Retry);
            if (settled) return raised;
            await context.CreateTimer(SettleEvery, CancellationToken.None);
        }
    }

    /// <summary>The input a bulk action hands every selected engagement.</summary>
    public static WorkflowInput InputFor(BulkActionRecord action) => action.Action switch
    {
        BulkActionKinds.ResendLink => new ResendPendingLink(),
        BulkActionKinds.Nudge => new NudgeClient(action.Message ?? ""),
        BulkActionKinds.Pause => new PauseEngagement(Party.Coach, action.Reason ?? ""),
        BulkActionKinds.Resume => new ResumeEngagement(),
        BulkActionKinds.End => new EndEngagement(Party.Coach, action.Reason ?? ""),
        _ => throw new InvalidDataException($"'{action.Action}' is not a bulk action."),
    };

    /// <summary>The idempotency key of a bulk action's input in each engagement's inbox.</summary>
    public static string KeyOf(string actionId) => $"bulk:{actionId}";
}

/// <summary>Reads how many batches a bulk action has (none when its draft is gone).</summary>
public sealed class BeginBulkAction(EngagementStore store) : TaskActivity<BulkRunRequest, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, BulkRunRequest input) =>
        await new BulkActionStore(store).GetAsync(input.FirmId, input.ActionId, CancellationToken.None) is { } found ? found.Record.Batches : 0;
}

/// <summary>
/// Keeps one batch's inputs, each in its engagement's inbox, and returns where to raise them. An engagement that has
/// ended or was erased, or a client nudged in the last day (by any action), is skipped with the reason.
/// </summary>
public sealed class KeepBulkBatch(EngagementStore store, TimeProvider time) : TaskActivity<BulkBatchRequest, List<BulkRaise>>
{
    public override async Task<List<BulkRaise>> RunAsync(TaskActivityContext context, BulkBatchRequest input)
    {
        var ct = CancellationToken.None;
        var bulk = new BulkActionStore(store);
        if (await bulk.GetAsync(input.FirmId, input.ActionId, ct) is not { } found) return [];
        var action = found.Record;
        var from = input.Batch * BulkActionRecord.BatchSize;
        var items = await bulk.ItemsAsync(input.FirmId, input.ActionId, from, from + BulkActionRecord.BatchSize, ct);
        var envelope = EngagementCodec.Wrap(BulkAction.InputFor(action));
        var key = BulkAction.KeyOf(action.ActionId);
        var raises = new List<BulkRaise>();
        foreach (var chunk in items.Chunk(10))
        {
            var kept = await Task.WhenAll(chunk.Select(item => KeepAsync(bulk, action, item, key, envelope, ct)));
            raises.AddRange(kept.OfType<BulkRaise>());
        }
        return raises;
    }

    private async Task<BulkRaise?> KeepAsync(BulkActionStore bulk, BulkActionRecord action, BulkItem item, string key, Envelope envelope, CancellationToken ct)
    {
        if (item.Outcome == BulkOutcomes.Skipped) return null; // decided when this batch ran before
        var now = time.GetUtcNow();
        var route = await store.GetRouteAsync(item.EngagementId, ct);
        string? skip = route switch
        {
            null => "the engagement was erased",
            { } over when EngagementStatus.IsOver(over.Status) => "the engagement is over",
            _ => null,
        };
        if (skip is null && action.Action == BulkActionKinds.Nudge && item.ClientId is { } client)
            skip = await bulk.ClaimNudgeAsync(action.FirmId, client, action.ActionId, item.EngagementId, now, EngagementWorkflow.NudgeInterval, ct);
        if (skip is not null)
        {
            // An input kept by an earlier run of this batch stays what it was (the inbox tells).
            if (await store.GetInputAsync(item.EngagementId, key, ct) is null)
            {
                await bulk.SetOutcomeAsync(action.FirmId, action.ActionId, item.Index, BulkOutcomes.Skipped, skip, ct);
                return null;
            }
        }

        var kept = await Inbox.KeepThenRouteAsync(store, item.EngagementId, key, envelope, now, ct);
        // Kept, or taken back because the engagement was erased in between: the settle finds no input and counts it erased.
        await bulk.SetOutcomeAsync(action.FirmId, action.ActionId, item.Index, BulkOutcomes.Kept, null, ct);
        if (kept is null) return null;
        // Decided already, or still starting (its first part finds the input in the inbox): nothing to raise.
        return kept.RaiseTo is { } instance ? new BulkRaise(instance, kept.Pending) : null;
    }
}

/// <summary>
/// Reads each kept input's outcome from its engagement's inbox and writes the counts to the audit row; a finished
/// action goes to the outbox (webhooks). A repeat after a crash keeps the first finish time, so the outbox sees the
/// same action again.
/// </summary>
public sealed class SettleBulkAction(EngagementStore store, IEngagementOutbox outbox, TimeProvider time) : TaskActivity<BulkSettleRequest, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, BulkSettleRequest input)
    {
        var ct = CancellationToken.None;
        var bulk = new BulkActionStore(store);
        if (await bulk.GetAsync(input.FirmId, input.ActionId, ct) is not { } found) return true;
        var action = found.Record;
        var key = BulkAction.KeyOf(action.ActionId);
        var items = await bulk.ItemsAsync(input.FirmId, input.ActionId, 0, action.Selected, ct);
        int applied = 0, deferred = 0, rejected = 0, skipped = 0, pending = 0;
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        void Count(string outcome, string? reason, string engagementId)
        {
            if (reason is null) return;
            var general = $"{outcome}: {reason.Replace($"engagement {engagementId}", "the engagement", StringComparison.Ordinal)}";
            reasons[general] = reasons.GetValueOrDefault(general) + 1;
        }
        foreach (var chunk in items.Chunk(20))
        {
            var outcomes = await Task.WhenAll(chunk.Select(async item =>
            {
                if (item.Outcome is BulkOutcomes.Skipped or null) return (item, item.Outcome ?? BulkOutcomes.Skipped, item.Outcome is null ? "not reached" : item.Reason);
                if (item.Outcome is not BulkOutcomes.Kept) return (item, item.Outcome, item.Reason); // decided at an earlier look
                var record = await store.GetInputAsync(item.EngagementId, key, ct);
                var status = record?.Status ?? InputOutcome.Rejected;
                var reason = record is null ? "the engagement was erased" : record.Reason;
                if (status == InputOutcome.Rejected && action.Action == BulkActionKinds.Nudge && item.ClientId is { } client)
                    await bulk.ReleaseNudgeAsync(action.FirmId, client, action.ActionId, item.EngagementId, ct);
                if (status != RaiseOutcome.Accepted) await bulk.SetOutcomeAsync(action.FirmId, action.ActionId, item.Index, status, reason, ct);
                return (item, status, reason);
            }));
            foreach (var (item, status, reason) in outcomes)
            {
                switch (status)
                {
                    case InputOutcome.Applied: applied++; break;
                    case InputOutcome.Deferred: deferred++; break;
                    case InputOutcome.Rejected: rejected++; Count("rejected", reason, item.EngagementId); break;
                    case BulkOutcomes.Skipped: skipped++; Count("skipped", reason, item.EngagementId); break;
                    default: pending++; break;
                }
            }
        }
        var finished = pending == 0 || input.Final;
        var settled = action with
        {
            Status = finished ? BulkActionRecord.Finished : BulkActionRecord.Running,
            FinishedAt = finished ? action.FinishedAt ?? time.GetUtcNow() : null,
            Done = applied + deferred + rejected + skipped, Applied = applied, Deferred = deferred, Rejected = rejected, Skipped = skipped, Pending = pending,
            Reasons = reasons,
        };
        await bulk.SaveProgressAsync(settled, ct);
        if (finished) await outbox.BulkActionFinishedAsync(settled, ct);
        return finished;
    }
}
