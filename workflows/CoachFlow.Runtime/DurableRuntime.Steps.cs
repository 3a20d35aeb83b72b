using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace CoachFlow.Runtime;

public sealed partial class DurableRuntime
{
    /// <summary>Largest property value kept in a table row; anything larger goes to a blob named by its SHA-256.</summary>
    private const int MaxInlineChars = 30_000;

    /// <summary>Rows one step may write; an entity-group transaction holds at most 100.</summary>
    private const int MaxRowsPerCommit = 99;

    /// <summary>A batch stops taking more requests once it writes this many rows.</summary>
    private const int SoftRowsPerCommit = 60;

    private async Task<InputOutcome> SubmitAsync(string instanceId, Request request, CancellationToken ct)
    {
        var slot = _slots.GetOrAdd(instanceId, _ => new InstanceSlot());
        slot.Queue.Enqueue(request);
        await slot.Gate.WaitAsync(ct);
        try
        {
            slot.LastUsedTicks = Environment.TickCount64;
            while (!request.Completion.Task.IsCompleted && !slot.Queue.IsEmpty)
                await DrainOnceAsync(instanceId, slot, ct);
        }
        finally
        {
            slot.Gate.Release();
        }
        TrimCache();
        return await request.Completion.Task;
    }

    private async Task DrainOnceAsync(string instanceId, InstanceSlot slot, CancellationToken ct)
    {
        var requests = new List<Request>();
        while (requests.Count < 200 && slot.Queue.TryDequeue(out var r)) requests.Add(r);
        if (requests.Count == 0) return;
        try
        {
            await RunBatchesAsync(instanceId, slot, requests, ct);
        }
        catch (Exception ex)
        {
            foreach (var r in requests) r.Completion.TrySetException(ex);
            slot.Cache = null; // unknown state after a failure: reload next time
        }
    }

    private async Task RunBatchesAsync(string instanceId, InstanceSlot slot, List<Request> requests, CancellationToken ct)
    {
        var remaining = new Queue<Request>(requests);
        var duplicates = new HashSet<Request>();
        var attempts = 0;
        var assumeNew = !slot.Loaded && slot.Cache is null && requests[0] is StartRequest;
        while (remaining.Count > 0)
        {
            // A start on an id this host has never seen skips the read: if the id is taken after all, the Add of
            // the snapshot row fails, and the retry reads it (then reports a duplicate or a clash).
            if (slot.Cache is null && !assumeNew)
            {
                slot.Cache = await LoadAsync(instanceId, ct);
                slot.Loaded = true;
            }
            var batch = new StepBatch(instanceId, slot.Cache, _time.GetUtcNow(), this);
            var taken = new List<Request>();
            foreach (var request in remaining)
            {
                if (batch.RowCount >= SoftRowsPerCommit) break;
                taken.Add(request);
                if (duplicates.Contains(request)) { batch.Complete(request, new InputOutcome(InputResult.Duplicate, batch.Working.Version)); continue; }
                await batch.ApplyAsync(request, ct);
            }
            await batch.RetryPendingAsync(ct);
            await batch.FinishAsync(slot.DoneOutbox.Keys, ct);

            if (batch.RowCount > MaxRowsPerCommit)
            {
                if (taken.Count == 1)
                {
                    taken[0].Completion.TrySetException(new BadInputException(
                        $"This step would write {batch.RowCount} rows; one step may write at most {MaxRowsPerCommit}."));
                    remaining.Dequeue();
                    continue;
                }
                // Too much at once: retry the first half alone.
                var half = taken.Take(taken.Count / 2).ToList();
                var rest = remaining.Skip(half.Count).ToList();
                remaining = new Queue<Request>(half.Concat(rest));
                continue;
            }

            var commit = await CommitAsync(slot, batch, ct);
            assumeNew = false;
            if (commit is CommitResult.Conflict)
            {
                if (++attempts > 50) throw new InvalidOperationException($"Engagement {instanceId} kept changing under this host; gave up after 50 attempts.");
                slot.Cache = null;
                await Task.Delay(Random.Shared.Next(1, 5 * Math.Min(attempts, 20)), ct);
                continue;
            }
            if (commit is CommitResult.Duplicate dup)
            {
                duplicates.Add(dup.Request);
                slot.Cache = null;
                continue;
            }
            foreach (var r in taken) remaining.Dequeue();
            attempts = 0;
        }
    }

    private abstract record CommitResult
    {
        public sealed record Done : CommitResult;
        public sealed record Conflict : CommitResult;
        public sealed record Duplicate(Request Request) : CommitResult;
    }

    private async Task<CommitResult> CommitAsync(InstanceSlot slot, StepBatch batch, CancellationToken ct)
    {
        var w = batch.Working;
        if (batch.Actions.Count == 0)
        {
            batch.CompleteAll();
            return new CommitResult.Done();
        }

        // Everything a step does after its commit (effects, index row, due-timer rows) is covered by the guard.
        GuardWindow? window = null;
        if (batch.Outbox.Count > 0 || batch.IndexChanged || batch.TimerIndex.Count > 0)
            window = await _guards.ProtectAsync(w.Id, ct);
        try
        {
            foreach (var (rowKey, _) in batch.Outbox)
                ((TableEntity)batch.Actions[rowKey].Entity)["Window"] = window!.Id;
            _options.FaultInjector?.Invoke("before-commit");

            var actions = batch.Actions.Values.ToList();
            Response<IReadOnlyList<Response>> response;
            try
            {
                response = await _storage.Instances.SubmitTransactionAsync(actions, ct);
            }
            catch (TableTransactionFailedException ex)
            {
                var failed = ex.FailedTransactionActionIndex is int i && i < actions.Count ? actions[i].Entity.RowKey : null;
                if (failed is not null && failed.StartsWith('i') && ex.Status == 409 && batch.InboxOwners.TryGetValue(failed, out var owner))
                    return new CommitResult.Duplicate(owner);
                if (failed is not null && failed.StartsWith('o') && ex.Status == 404)
                    slot.DoneOutbox.TryRemove(failed, out _);
                if (ex.Status is 409 or 412 or 404) return new CommitResult.Conflict();
                throw;
            }

            var stateIndex = actions.FindIndex(a => a.Entity.RowKey == Keys.State);
            w.ETag = response.Value[stateIndex].Headers.ETag ?? default;
            w.Exists = true;
            slot.Cache = w;
            foreach (var rowKey in batch.CollectedOutbox) slot.DoneOutbox.TryRemove(rowKey, out _);
            _options.FaultInjector?.Invoke("after-commit");
            batch.CompleteAll();

            if (batch.TimerIndex.Count > 0) _effects.LaunchTimerIndex(window!, batch.TimerIndex);
            foreach (var (rowKey, effect) in batch.Outbox)
                _effects.Launch(window!, slot, w, rowKey, effect);
            if (batch.IndexChanged && w.Projection is not null)
                _effects.ScheduleIndex(window, IndexEntry.From(w));
            return new CommitResult.Done();
        }
        finally
        {
            window?.Release();
        }
    }

    /// <summary>
    /// Writes due-timer rows at once (recovery, from the snapshot's timers; steps hand theirs to the batched
    /// writer in <see cref="EffectRunner.LaunchTimerIndex"/>). A row whose step did not commit fires into nothing.
    /// </summary>
    internal async Task WriteTimerIndexAsync(IEnumerable<TableEntity> rows, CancellationToken ct)
    {
        foreach (var chunk in TimerIndexChunks(rows)) await WriteTimerIndexChunkAsync(chunk, ct);
    }

    /// <summary>Due-timer rows as transactions: the last row written under a key wins; one due minute, at most 100 rows each.</summary>
    internal static List<TableEntity[]> TimerIndexChunks(IEnumerable<TableEntity> rows) =>
        [.. rows.GroupBy(r => (r.PartitionKey, r.RowKey)).Select(g => g.Last()).GroupBy(r => r.PartitionKey).SelectMany(g => g.Chunk(100))];

    /// <summary>Writes one chunk of <see cref="TimerIndexChunks"/>, and wakes this host's scanner for what it holds.</summary>
    internal async Task WriteTimerIndexChunkAsync(TableEntity[] chunk, CancellationToken ct)
    {
        await _storage.Timers.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), ct);
        foreach (var row in chunk) _scanner.NoteDue(row.GetDateTimeOffset("DueAt")!.Value);
    }

    internal async Task<LoadedInstance?> LoadAsync(string instanceId, CancellationToken ct)
    {
        var filter = $"PartitionKey eq '{Keys.Escape(instanceId)}' and (RowKey eq '{Keys.State}' or (RowKey ge 'p' and RowKey lt 'q') or (RowKey ge 't' and RowKey lt 'u'))";
        TableEntity? state = null;
        var pending = new List<TableEntity>();
        var timers = new List<TableEntity>();
        await foreach (var row in _storage.Instances.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (row.RowKey == Keys.State) state = row;
            else if (row.RowKey.StartsWith('p')) pending.Add(row);
            else timers.Add(row);
        }
        if (state is null) return null;

        var definition = _registry.Get(state.GetString("Definition"), state.GetInt32("DefinitionVersion")!.Value);
        var loaded = new LoadedInstance
        {
            Id = instanceId,
            Definition = definition,
            State = definition.DeserializeState(await ReadInlineAsync(instanceId, state.GetString("State"), ct)),
            Exists = true,
            ETag = state.ETag,
            Version = state.GetInt64("Version") ?? 0,
            Step = state.GetInt64("Step") ?? 0,
            Status = Enum.Parse<InstanceStatus>(state.GetString("Status")),
            PendingSerial = state.GetInt64("PendingSerial") ?? 0,
            ParkedCount = state.GetInt32("ParkedCount") ?? 0,
            CreatedAt = state.GetDateTimeOffset("CreatedAt") ?? default,
            UpdatedAt = state.GetDateTimeOffset("UpdatedAt") ?? default,
        };
        loaded.Projection = definition.Project(loaded.State);
        foreach (var p in pending.OrderBy(p => p.RowKey, StringComparer.Ordinal))
            loaded.Pending.Add(new PendingInput(p.RowKey, p.GetString("Key"), await ReadInlineAsync(instanceId, p.GetString("Input"), ct), p.GetDateTimeOffset("ArrivedAt") ?? default));
        foreach (var (key, timer) in await ReadTimersAsync(instanceId, state, timers, ct)) loaded.Timers[key] = timer;
        return loaded;
    }

    internal async Task<Dictionary<string, TimerRow>> ReadTimersAsync(string instanceId, TableEntity state, IEnumerable<TableEntity> legacyRows, CancellationToken ct) =>
        TimerSet.Read(state.GetString("Timers") is { } stored ? await ReadInlineAsync(instanceId, stored, ct) : null, legacyRows);

    /// <summary>Keeps a value in its row, or in a blob named by its SHA-256 when it is too large for a property.</summary>
    internal async Task<string> StoreInlineAsync(string instanceId, string value, CancellationToken ct)
    {
        if (value.Length <= MaxInlineChars) return value;
        var sha = Keys.Sha256Hex(value);
        var blob = _storage.Documents.GetBlobClient($"instances/{instanceId}/payloads/{sha}.json");
        try
        {
            await blob.UploadAsync(BinaryData.FromString(value), overwrite: false, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Content-addressed: the same bytes are already there.
        }
        return "blob:sha256:" + sha;
    }

    internal async Task<string> ReadInlineAsync(string instanceId, string value, CancellationToken ct)
    {
        if (!value.StartsWith("blob:sha256:", StringComparison.Ordinal)) return value;
        var sha = value["blob:sha256:".Length..];
        var content = await _storage.Documents.GetBlobClient($"instances/{instanceId}/payloads/{sha}.json").DownloadContentAsync(ct);
        var text = content.Value.Content.ToString();
        if (Keys.Sha256Hex(text) != sha) throw new InvalidDataException($"Payload {sha} of engagement {instanceId} does not match its hash.");
        return text;
    }

    private void TrimCache()
    {
        if (_slots.Count <= _options.CacheCapacity) return;
        foreach (var (id, slot) in _slots.OrderBy(kv => kv.Value.LastUsedTicks).Take(_slots.Count - _options.CacheCapacity))
            if (slot.Gate.CurrentCount == 1 && slot.Queue.IsEmpty && slot.DoneOutbox.IsEmpty)
                _slots.TryRemove(id, out _);
    }

    internal static JsonElement ParseOrString(string json)
    {
        try { return JsonDocument.Parse(json).RootElement.Clone(); }
        catch (JsonException) { return JsonSerializer.SerializeToElement(json); }
    }
}
