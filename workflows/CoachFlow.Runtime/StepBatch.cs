using System.Text.Json;
using Azure.Data.Tables;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Runtime;

/// <summary>
/// Decides a run of requests for one instance on a working copy of its snapshot and collects the rows they
/// write, so that all of it commits in one entity-group transaction (or none of it does).
/// </summary>
internal sealed class StepBatch
{
    private readonly string _instanceId;
    private readonly DateTimeOffset _now;
    private readonly DurableRuntime _runtime;
    private readonly List<(Request Request, InputOutcome Outcome)> _outcomes = [];
    private readonly InstanceProjection? _projectionBefore;
    private readonly InstanceStatus _statusBefore;
    private int _outboxIndex;
    private bool _appliedSomething;
    private bool _newStep;

    public StepBatch(string instanceId, LoadedInstance? loaded, DateTimeOffset now, DurableRuntime runtime)
    {
        _instanceId = instanceId;
        _now = now;
        _runtime = runtime;
        Working = loaded?.Clone()!;
        _projectionBefore = loaded?.Projection;
        _statusBefore = loaded?.Status ?? InstanceStatus.Running;
    }

    /// <summary>The snapshot as it will be once the batch commits (null until a start creates it).</summary>
    public LoadedInstance Working { get; private set; }

    /// <summary>Rows to write, one action per row key (a later action on the same row replaces an earlier one).</summary>
    public Dictionary<string, TableTransactionAction> Actions { get; } = new(StringComparer.Ordinal);

    /// <summary>Inbox rows added by this batch, and the request that added each (to spot duplicates).</summary>
    public Dictionary<string, Request> InboxOwners { get; } = new(StringComparer.Ordinal);

    /// <summary>Effects this batch puts in the outbox.</summary>
    public List<(string RowKey, WorkflowEffect Effect)> Outbox { get; } = [];

    /// <summary>Rows for the due-timer table, written just before the commit.</summary>
    public List<TableEntity> TimerIndex { get; } = [];

    /// <summary>Finished outbox rows this batch deletes.</summary>
    public List<string> CollectedOutbox { get; } = [];

    public bool IndexChanged { get; private set; }
    public int RowCount => Actions.Count;

    public void Complete(Request request, InputOutcome outcome) => _outcomes.Add((request, outcome));

    public void CompleteAll()
    {
        foreach (var (request, outcome) in _outcomes) request.Completion.TrySetResult(outcome);
    }

    public async Task ApplyAsync(Request request, CancellationToken ct)
    {
        try
        {
            switch (request)
            {
                case StartRequest start:
                    await StartAsync(start, ct);
                    break;
                case InputRequest input when Working is null:
                    Fail(request, new InstanceNotFoundException(_instanceId));
                    break;
                case InputRequest input:
                    if (input.ExpectedVersion is long expected && expected != Working.Version)
                    {
                        Fail(request, new StaleVersionException(_instanceId, expected, Working.Version));
                        break;
                    }
                    var typed = input.Input ?? Deserialize(input.InputJson!);
                    var json = input.InputJson ?? Working.Definition.SerializeInput(typed);
                    if (System.Text.Encoding.UTF8.GetByteCount(json) > _runtime.Options.MaxInputBytes)
                        throw new BadInputException($"The input is larger than {_runtime.Options.MaxInputBytes / 1024} KB.");
                    Complete(request, await ApplyInputAsync(typed, json, input.Key, fromPending: null, request, ct));
                    break;
                case TimerRequest timer when Working is null:
                    Complete(request, new InputOutcome(InputResult.Ignored, 0, "The engagement no longer exists."));
                    break;
                case TimerRequest timer:
                    Complete(request, await FireTimerAsync(timer, ct));
                    break;
                case ControlRequest when Working is null:
                case ParkRequest when Working is null:
                    Fail(request, new InstanceNotFoundException(_instanceId));
                    break;
                case ControlRequest control:
                    Complete(request, await ControlAsync(control, ct));
                    break;
                case ParkRequest park:
                    Working.ParkedCount++;
                    await AddRuntimeEventAsync("$effect-parked", new { effect = park.OutboxRowKey, error = park.Error }, ct);
                    Complete(request, new InputOutcome(InputResult.Applied, Working.Version));
                    break;
            }
        }
        catch (Exception ex) when (ex is WorkflowException or JsonException or NotSupportedException)
        {
            Fail(request, ex is WorkflowException ? ex : new BadInputException($"The input could not be read: {ex.Message}"));
        }
    }

    private WorkflowInput Deserialize(string json)
    {
        try { return Working.Definition.DeserializeInput(json); }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new BadInputException($"The input is not one this engagement understands: {ex.Message}");
        }
    }

    private static void Fail(Request request, Exception ex) => request.Completion.TrySetException(ex);

    private async Task StartAsync(StartRequest start, CancellationToken ct)
    {
        if (Working is not null)
        {
            // Same start again (idempotent) or a clash of ids: the inbox row of the start key tells.
            var seen = await _runtime.Storage.Instances.GetEntityIfExistsAsync<TableEntity>(_instanceId, Keys.Input(start.Key), cancellationToken: ct);
            if (seen.HasValue) Complete(start, new InputOutcome(InputResult.Duplicate, Working.Version));
            else Fail(start, new InstanceAlreadyExistsException(_instanceId));
            return;
        }
        Working = new LoadedInstance
        {
            Id = _instanceId,
            Definition = start.Definition,
            State = start.Definition.Initial(_instanceId),
            Status = InstanceStatus.Running,
            CreatedAt = _now,
            UpdatedAt = _now,
        };
        var json = start.Definition.SerializeInput(start.Input);
        var outcome = await ApplyInputAsync(start.Input, json, start.Key, fromPending: null, start, ct);
        if (outcome.Result != InputResult.Applied || Working.Version == 0)
        {
            Working = null!;
            Actions.Clear();
            Outbox.Clear();
            TimerIndex.Clear();
            InboxOwners.Clear();
            Fail(start, new BadInputException(outcome.Message ?? "That input does not start an engagement."));
            return;
        }
        Complete(start, outcome);
    }

    private async Task<InputOutcome> ApplyInputAsync(WorkflowInput input, string json, string key, PendingInput? fromPending, Request? owner, CancellationToken ct)
    {
        var w = Working;
        if (w.Status is InstanceStatus.Completed or InstanceStatus.Terminated)
        {
            if (fromPending is not null) DropPending(fromPending, "closed");
            return new InputOutcome(InputResult.Rejected, w.Version, $"Engagement {_instanceId} is {w.Status.ToString().ToLowerInvariant()} and takes no more input.");
        }
        if (fromPending is null && InboxOwners.Values.OfType<InputRequest>().Any(r => r.Key == key))
            return new InputOutcome(InputResult.Duplicate, w.Version);

        var decision = w.Status == InstanceStatus.Suspended
            ? new AdaptedDecision([], [], DecisionKind.Deferred, "The engagement is paused.")
            : w.Definition.Decide(w.State, input, _now);

        switch (decision.Kind)
        {
            case DecisionKind.Rejected:
                if (fromPending is not null)
                {
                    DropPending(fromPending, "rejected");
                    await AddRuntimeEventAsync("$input-dropped", new { input = input.GetType().Name, reason = decision.Reason }, ct);
                }
                return new InputOutcome(InputResult.Rejected, w.Version, decision.Reason);

            case DecisionKind.Deferred:
                if (fromPending is null)
                {
                    var rowKey = Keys.Pending(++w.PendingSerial);
                    Put(TableTransactionActionType.Add, new TableEntity(_instanceId, rowKey)
                    {
                        ["Key"] = key,
                        ["Input"] = await _runtime.StoreInlineAsync(_instanceId, json, ct),
                        ["ArrivedAt"] = _now,
                    });
                    w.Pending.Add(new PendingInput(rowKey, key, json, _now));
                    AddInbox(key, "deferred", owner);
                    _newStep = true;
                }
                return new InputOutcome(InputResult.Deferred, w.Version, decision.Reason);
        }

        foreach (var @event in decision.Events)
        {
            w.State = w.Definition.Evolve(w.State, @event);
            await AddEventRowAsync(@event.GetType().Name, w.Definition.SerializeEvent(@event), ct);
        }
        foreach (var effect in decision.Effects) ApplyEffect(effect);

        if (fromPending is not null)
        {
            Remove(fromPending.RowKey);
            w.Pending.Remove(fromPending);
            Put(TableTransactionActionType.UpsertReplace, new TableEntity(_instanceId, Keys.Input(fromPending.Key)) { ["Status"] = "applied", ["Version"] = w.Version });
        }
        else if (owner is not TimerRequest)
        {
            // A timer needs no inbox row: once it fired its generation is gone, so firing it again is ignored.
            AddInbox(key, "applied", owner);
        }
        _appliedSomething |= decision.Events.Count > 0;
        _newStep = true;
        return new InputOutcome(InputResult.Applied, w.Version);
    }

    private void AddInbox(string key, string status, Request? owner)
    {
        var rowKey = Keys.Input(key);
        Put(TableTransactionActionType.Add, new TableEntity(_instanceId, rowKey) { ["Status"] = status, ["Version"] = Working.Version });
        if (owner is not null) InboxOwners[rowKey] = owner;
    }

    private void DropPending(PendingInput pending, string status)
    {
        Remove(pending.RowKey);
        Working.Pending.Remove(pending);
        Put(TableTransactionActionType.UpsertReplace, new TableEntity(_instanceId, Keys.Input(pending.Key)) { ["Status"] = status, ["Version"] = Working.Version });
        _newStep = true;
    }

    private void ApplyEffect(WorkflowEffect effect)
    {
        var w = Working;
        switch (effect)
        {
            case SetTimer set:
                var timerKey = Keys.Timer(set.TimerId);
                var generation = w.Step + 1;
                w.Timers[timerKey] = new TimerRow(set.TimerId, set.DueAt, generation);
                TimerIndex.Add(DurableRuntime.TimerIndexRow(_instanceId, timerKey, w.Timers[timerKey]));
                break;
            case CancelTimer cancel:
                CancelTimerRow(Keys.Timer(cancel.TimerId));
                break;
            default:
                var rowKey = Keys.Outbox(w.Step + 1, _outboxIndex++);
                Outbox.Add((rowKey, effect));
                Put(TableTransactionActionType.Add, new TableEntity(_instanceId, rowKey)
                {
                    ["Type"] = effect.GetType().Name,
                    ["Data"] = w.Definition.SerializeEffect(effect),
                    ["Status"] = "pending",
                    ["Attempts"] = 0,
                    ["CreatedAt"] = _now,
                });
                break;
        }
    }

    // The snapshot row carries the timers; a due-timer row left behind fires into nothing (its generation is gone).
    private void CancelTimerRow(string timerKey) => Working.Timers.Remove(timerKey);

    private async Task<InputOutcome> FireTimerAsync(TimerRequest timer, CancellationToken ct)
    {
        var w = Working;
        if (!w.Timers.TryGetValue(timer.TimerRowKey, out var row) || row.Generation != timer.Generation)
            return new InputOutcome(InputResult.Ignored, w.Version, "The timer was cancelled or moved.");
        if (w.Status == InstanceStatus.Suspended)
            return new InputOutcome(InputResult.Deferred, w.Version, "The engagement is paused; the timer fires when it resumes.");
        CancelTimerRow(timer.TimerRowKey);
        var input = new TimerFired(row.TimerId, row.DueAt);
        return await ApplyInputAsync(input, w.Definition.SerializeInput(input), $"timer:{timer.TimerRowKey}:{row.Generation}", null, timer, ct);
    }

    private async Task<InputOutcome> ControlAsync(ControlRequest control, CancellationToken ct)
    {
        var w = Working;
        switch (control.Kind)
        {
            case ControlKind.Suspend:
                if (w.Status != InstanceStatus.Running) throw new InvalidStatusException($"Engagement {_instanceId} is {w.Status.ToString().ToLowerInvariant()}; only a running one can be paused.");
                w.Status = InstanceStatus.Suspended;
                await AddRuntimeEventAsync("$suspended", new { reason = control.Reason }, ct);
                break;
            case ControlKind.Resume:
                if (w.Status != InstanceStatus.Suspended) throw new InvalidStatusException($"Engagement {_instanceId} is {w.Status.ToString().ToLowerInvariant()}; only a paused one can be resumed.");
                w.Status = InstanceStatus.Running;
                await AddRuntimeEventAsync("$resumed", new { reason = control.Reason }, ct);
                FireOverdueTimers();
                _appliedSomething = true;
                break;
            case ControlKind.Terminate:
                if (w.Status is InstanceStatus.Completed or InstanceStatus.Terminated) return new InputOutcome(InputResult.Duplicate, w.Version);
                w.Status = InstanceStatus.Terminated;
                await AddRuntimeEventAsync("$terminated", new { reason = control.Reason }, ct);
                break;
            case ControlKind.Redrive:
                var parked = await _runtime.ReadOutboxAsync(_instanceId, "parked", ct);
                if (parked.Count == 0) throw new InvalidStatusException($"Engagement {_instanceId} has no parked effect to retry.");
                foreach (var row in parked)
                {
                    row["Status"] = "pending";
                    row["Attempts"] = 0;
                    row.Remove("NextAttemptAt");
                    Put(TableTransactionActionType.UpdateReplace, row, any: true);
                    Outbox.Add((row.RowKey, w.Definition.DeserializeEffect(await _runtime.ReadInlineAsync(_instanceId, row.GetString("Data"), ct))));
                }
                w.ParkedCount = 0;
                await AddRuntimeEventAsync("$redriven", new { effects = parked.Count }, ct);
                break;
            case ControlKind.Migrate:
                var target = _runtime.Registry.Get(w.Definition.Name, control.ToVersion!.Value);
                if (target.Version == w.Definition.Version) return new InputOutcome(InputResult.Duplicate, w.Version);
                using (var old = JsonDocument.Parse(w.Definition.SerializeState(w.State)))
                {
                    var migrated = target.Migrate(w.Definition.Version, old.RootElement)
                        ?? throw new InvalidStatusException($"Definition {target.Name} v{target.Version} has no migration from v{w.Definition.Version}.");
                    var from = w.Definition.Version;
                    w.Definition = target;
                    w.State = migrated;
                    await AddRuntimeEventAsync("$migrated", new { from, to = target.Version }, ct);
                }
                break;
        }
        _newStep = true;
        return new InputOutcome(InputResult.Applied, w.Version);
    }

    /// <summary>Timers that came due while paused fire once on resume, through the scan (their index rows are still there).</summary>
    private void FireOverdueTimers()
    {
        foreach (var (timerKey, row) in Working.Timers.Where(t => t.Value.DueAt <= _now))
            TimerIndex.Add(DurableRuntime.TimerIndexRow(_instanceId, timerKey, row with { DueAt = _now }));
    }

    /// <summary>After anything applied, offer every kept input again, oldest first, until none moves.</summary>
    public async Task RetryPendingAsync(CancellationToken ct)
    {
        if (Working is null) return;
        var progress = _appliedSomething;
        while (progress && Working.Pending.Count > 0 && Working.Status == InstanceStatus.Running)
        {
            progress = false;
            foreach (var pending in Working.Pending.ToList())
            {
                if (RowCount >= MaxRowsForPending) return;
                WorkflowInput input;
                try { input = Working.Definition.DeserializeInput(pending.InputJson); }
                catch (JsonException) { DropPending(pending, "unreadable"); continue; }
                var outcome = await ApplyInputAsync(input, pending.InputJson, pending.Key, pending, null, ct);
                if (outcome.Result == InputResult.Applied) { progress = true; break; }
            }
        }
    }

    private const int MaxRowsForPending = 80;

    /// <summary>Writes the snapshot row (guarded by its ETag), the terminal clean-up and finished-outbox deletes.</summary>
    public async Task FinishAsync(IEnumerable<string> doneOutbox, CancellationToken ct)
    {
        if (Working is null || !_newStep) return;
        var w = Working;
        var projection = w.Definition.Project(w.State);
        if (projection.Completed && w.Status == InstanceStatus.Running) w.Status = InstanceStatus.Completed;
        if (w.Status is InstanceStatus.Completed or InstanceStatus.Terminated)
            foreach (var timerKey in w.Timers.Keys.ToList()) CancelTimerRow(timerKey);

        foreach (var rowKey in doneOutbox.Take(Math.Max(0, MaxRowsForPending - RowCount)))
        {
            if (Actions.ContainsKey(rowKey)) continue;
            Put(TableTransactionActionType.Delete, new TableEntity(_instanceId, rowKey), any: true);
            CollectedOutbox.Add(rowKey);
        }

        w.Step++;
        w.UpdatedAt = _now;
        var flags = w.ParkedCount > 0 ? [.. projection.Flags, "effect-parked"] : projection.Flags;
        w.Projection = projection with { Flags = flags };
        IndexChanged = _projectionBefore is null || _statusBefore != w.Status || !SameProjection(_projectionBefore, w.Projection);

        var stateJson = w.Definition.SerializeState(w.State);
        var row = new TableEntity(_instanceId, Keys.State)
        {
            ["Definition"] = w.Definition.Name,
            ["DefinitionVersion"] = w.Definition.Version,
            ["Version"] = w.Version,
            ["Step"] = w.Step,
            ["Status"] = w.Status.ToString(),
            ["State"] = await _runtime.StoreInlineAsync(_instanceId, stateJson, ct),
            ["FirmId"] = projection.FirmId,
            ["CoachId"] = projection.CoachId,
            ["SponsorId"] = projection.SponsorId,
            ["Timers"] = await _runtime.StoreInlineAsync(_instanceId, TimerSet.Write(w.Timers), ct),
            ["PendingSerial"] = w.PendingSerial,
            ["PendingCount"] = w.Pending.Count,
            ["ParkedCount"] = w.ParkedCount,
            ["CreatedAt"] = w.CreatedAt,
            ["UpdatedAt"] = w.UpdatedAt,
        };
        Actions[Keys.State] = w.Exists
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, w.ETag)
            : new TableTransactionAction(TableTransactionActionType.Add, row);
    }

    private static bool SameProjection(InstanceProjection a, InstanceProjection b) =>
        a.FirmId == b.FirmId && a.CoachId == b.CoachId && a.Phase == b.Phase && a.WaitingFor == b.WaitingFor
        && a.DueAt == b.DueAt && a.Completed == b.Completed && a.Flags.SequenceEqual(b.Flags) && a.Label == b.Label && a.Category == b.Category && a.SponsorId == b.SponsorId;

    private async Task AddRuntimeEventAsync(string type, object data, CancellationToken ct) =>
        await AddEventRowAsync(type, JsonSerializer.Serialize(data), ct);

    private async Task AddEventRowAsync(string type, string json, CancellationToken ct)
    {
        var version = ++Working.Version;
        Put(TableTransactionActionType.Add, new TableEntity(_instanceId, Keys.Event(version))
        {
            ["Type"] = type,
            ["Data"] = await _runtime.StoreInlineAsync(_instanceId, json, ct),
            ["At"] = _now,
        });
        _newStep = true;
    }

    private void Put(TableTransactionActionType type, TableEntity entity, bool any = false) =>
        Actions[entity.RowKey] = any ? new TableTransactionAction(type, entity, Azure.ETag.All) : new TableTransactionAction(type, entity);

    private void Remove(string rowKey)
    {
        if (Actions.TryGetValue(rowKey, out var existing) && existing.ActionType == TableTransactionActionType.Add)
            Actions.Remove(rowKey);
        else
            Put(TableTransactionActionType.Delete, new TableEntity(_instanceId, rowKey), any: true);
    }
}
