using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using CoachFlow.Workflows.Runtime;
using Microsoft.Extensions.Logging;

namespace CoachFlow.Runtime;

/// <summary>What an effect handler gets.</summary>
/// <param name="InstanceId">The instance whose step asked for the effect.</param>
/// <param name="EffectId">Stable across retries: use it as the idempotency key at the effect's target.</param>
/// <param name="Attempt">1 on the first try.</param>
/// <param name="Effect">The effect.</param>
public sealed record EffectContext(string InstanceId, string EffectId, int Attempt, WorkflowEffect Effect);

/// <summary>The index row of an instance, as of one committed version.</summary>
internal sealed record IndexEntry(string InstanceId, string Definition, int DefinitionVersion, InstanceStatus Status, long Version, InstanceProjection Projection, DateTimeOffset UpdatedAt)
{
    public static IndexEntry From(LoadedInstance w) =>
        new(w.Id, w.Definition.Name, w.Definition.Version, w.Status, w.Version, w.Projection!, w.UpdatedAt);

    public TableEntity ToEntity()
    {
        var p = Projection;
        var row = new TableEntity(p.FirmId, InstanceId)
        {
            ["Definition"] = Definition,
            ["DefinitionVersion"] = DefinitionVersion,
            ["Status"] = Status.ToString(),
            ["Version"] = Version,
            ["CoachId"] = p.CoachId,
            ["SponsorId"] = p.SponsorId,
            ["Phase"] = p.Phase,
            ["WaitingFor"] = p.WaitingFor,
            ["DueAt"] = p.DueAt,
            ["Flags"] = string.Join(',', p.Flags),
            ["Label"] = p.Label,
            ["Category"] = p.Category,
            ["UpdatedAt"] = UpdatedAt,
        };
        foreach (var flag in p.Flags) row[FlagColumn(flag)] = true;
        return row;
    }

    public static string FlagColumn(string flag) => "F_" + new string([.. flag.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}

/// <summary>
/// Runs effects right after their step commits (the fast path), retries failures with backoff through the
/// due-timer table, parks what keeps failing, and keeps the index rows in step with the snapshots.
/// </summary>
internal sealed partial class EffectRunner(DurableRuntime runtime, StorageAccount storage, RuntimeOptions options, TimeProvider time, ILogger logger)
{
    private readonly ConcurrentDictionary<Type, Func<EffectContext, CancellationToken, Task>> _handlers = new();
    private readonly ConcurrentDictionary<string, (IndexEntry Entry, GuardWindow? Window)> _dirtyIndex = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ETag> _indexETags = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _indexWriting = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _indexSignal = new(0);
    private readonly Lock _timerLock = new();
    private List<(GuardWindow Window, IReadOnlyCollection<TableEntity> Rows)> _timerRows = [];
    private Task? _timerFlush;
    private long _inFlight;

    public long InFlight => Interlocked.Read(ref _inFlight) + _dirtyIndex.Count;

    public void Handle(Type effectType, Func<EffectContext, CancellationToken, Task> handler) => _handlers[effectType] = handler;

    public void Launch(GuardWindow window, InstanceSlot slot, LoadedInstance instance, string rowKey, WorkflowEffect effect)
    {
        window.Hold();
        Interlocked.Increment(ref _inFlight);
        _ = Task.Run(async () =>
        {
            try
            {
                if (await ExecuteAsync(instance.Id, rowKey, effect, attempt: 1)) slot.DoneOutbox.TryAdd(rowKey, 0);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
                window.Release();
            }
        });
    }

    /// <summary>
    /// Writes a step's due-timer rows after its commit. Rows of the steps that commit meanwhile are written with
    /// them: rows due in the same minute share one transaction. The steps' windows stay open until the rows land
    /// (see <see cref="WriteTimerRowsAsync"/>); rows storage refuses leave their windows to recovery.
    /// </summary>
    public void LaunchTimerIndex(GuardWindow window, IReadOnlyCollection<TableEntity> rows)
    {
        window.Hold();
        Interlocked.Increment(ref _inFlight);
        lock (_timerLock)
        {
            _timerRows.Add((window, rows));
            _timerFlush ??= Task.Run(FlushTimerIndexAsync);
        }
    }

    private async Task FlushTimerIndexAsync()
    {
        await Task.Delay(5); // lets the steps committing now join this write
        while (true)
        {
            List<(GuardWindow Window, IReadOnlyCollection<TableEntity> Rows)> items;
            lock (_timerLock)
            {
                if (_timerRows.Count == 0)
                {
                    _timerFlush = null;
                    return;
                }
                items = _timerRows;
                _timerRows = [];
            }
            var failed = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            try
            {
                await WriteTimerRowsAsync(items.SelectMany(i => i.Rows), failed);
            }
            catch (Exception ex)
            {
                // Nothing may stop this writer: what this round held is left to its windows' recovery.
                LogTimerIndexFailed(logger, "(several)", ex.GetType().Name);
                foreach (var row in items.SelectMany(i => i.Rows)) failed[row.GetString("InstanceId") ?? ""] = true;
            }
            foreach (var (window, rows) in items)
            {
                // Left to the guard: the window is not closed cleanly, so recovery rewrites the rows.
                if (rows.Any(r => failed.ContainsKey(r.GetString("InstanceId") ?? ""))) window.Abandon();
                Interlocked.Decrement(ref _inFlight);
                window.Release();
            }
        }
    }

    /// <summary>
    /// One transaction per due minute (<see cref="DurableRuntime.TimerIndexChunks"/>). A storage hiccup (timeout,
    /// throttling, 5xx) is retried for as long as this host lives, the windows staying open meanwhile, so no
    /// effect is run a second time by a recovery; a row storage refuses outright is left to its windows' recovery.
    /// </summary>
    private async Task WriteTimerRowsAsync(IEnumerable<TableEntity> rows, ConcurrentDictionary<string, bool> failed)
    {
        await Task.WhenAll(DurableRuntime.TimerIndexChunks(rows).Select(async chunk =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    options.FaultInjector?.Invoke("timer-index");
                    await runtime.WriteTimerIndexChunkAsync(chunk, CancellationToken.None);
                    return;
                }
                catch (Exception ex) when (IsTransient(ex))
                {
                    LogTimerIndexRetry(logger, chunk[0].PartitionKey, (ex as RequestFailedException)?.Status ?? 0);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * attempt)));
                }
                catch (Exception ex)
                {
                    LogTimerIndexFailed(logger, chunk[0].PartitionKey, ex.GetType().Name);
                    foreach (var row in chunk) failed[row.GetString("InstanceId") ?? ""] = true;
                    return;
                }
            }
        }));
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        RequestFailedException => false,
        HttpRequestException or TimeoutException or IOException => true,
        _ => false,
    };

    /// <summary>Runs one attempt; on failure records it and schedules the next (or parks). True when it succeeded.</summary>
    private async Task<bool> ExecuteAsync(string instanceId, string rowKey, WorkflowEffect effect, int attempt)
    {
        var effectId = Keys.EffectId(instanceId, rowKey);
        try
        {
            if (!_handlers.TryGetValue(effect.GetType(), out var handler))
                throw new InvalidOperationException($"No handler is registered for effect {effect.GetType().Name}.");
            await handler(new EffectContext(instanceId, effectId, attempt, effect), CancellationToken.None);
            options.FaultInjector?.Invoke("after-effect");
            return true;
        }
        catch (Exception ex)
        {
            LogEffectFailed(logger, instanceId, effectId, attempt, ex.GetType().Name);
            await RecordFailureAsync(instanceId, rowKey, attempt, Describe(ex));
            return false;
        }
    }

    // Only the exception's type and first line: handlers must keep client data out of their messages.
    private static string Describe(Exception ex)
    {
        var first = ex.Message.Split('\n')[0];
        return $"{ex.GetType().Name}: {(first.Length > 300 ? first[..300] + "…" : first)}";
    }

    private async Task RecordFailureAsync(string instanceId, string rowKey, int attempt, string error)
    {
        var row = new TableEntity(instanceId, rowKey) { ["Attempts"] = attempt, ["LastError"] = error };
        if (attempt >= options.MaxEffectAttempts)
        {
            row["Status"] = "parked";
            await storage.Instances.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge);
            LogEffectParked(logger, instanceId, Keys.EffectId(instanceId, rowKey), attempt);
            await runtime.ParkAsync(instanceId, rowKey, error);
            return;
        }
        var delay = TimeSpan.FromTicks(Math.Min(options.MaxRetryDelay.Ticks, options.FirstRetryDelay.Ticks << Math.Min(attempt - 1, 20)));
        var next = time.GetUtcNow() + delay;
        row["Status"] = "retry";
        row["NextAttemptAt"] = next;
        await storage.Instances.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge);
        await storage.Timers.UpsertEntityAsync(new TableEntity(Keys.DueBucket(next), Keys.RetryIndexRow(instanceId, rowKey))
        {
            ["Kind"] = "retry",
            ["InstanceId"] = instanceId,
            ["OutboxRowKey"] = rowKey,
            ["DueAt"] = next,
        }, TableUpdateMode.Replace);
        runtime.Scanner.NoteDue(next);
    }

    /// <summary>Next attempt of an effect in retry (from the due-timer scan). Deletes its outbox row when it succeeds.</summary>
    public async Task RetryAsync(string instanceId, string rowKey, CancellationToken ct)
    {
        var found = await storage.Instances.GetEntityIfExistsAsync<TableEntity>(instanceId, rowKey, cancellationToken: ct);
        if (!found.HasValue || found.Value!.GetString("Status") != "retry") return;
        await RunStoredAsync(found.Value, ct);
    }

    /// <summary>Runs a stored outbox row (recovery and retries) and deletes it when it succeeds.</summary>
    public async Task RunStoredAsync(TableEntity row, CancellationToken ct)
    {
        var instanceId = row.PartitionKey;
        var loaded = await runtime.LoadAsync(instanceId, ct);
        if (loaded is null) return;
        var effect = loaded.Definition.DeserializeEffect(await runtime.ReadInlineAsync(instanceId, row.GetString("Data"), ct));
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (await ExecuteAsync(instanceId, row.RowKey, effect, (row.GetInt32("Attempts") ?? 0) + 1))
            {
                try { await storage.Instances.DeleteEntityAsync(instanceId, row.RowKey, ETag.All, ct); }
                catch (RequestFailedException ex) when (ex.Status == 404) { }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>
    /// Marks an instance's index row to be written (its window stays open until it is). An entry never
    /// replaces a newer one already waiting, which matters when a failed write is scheduled again.
    /// </summary>
    public void ScheduleIndex(GuardWindow? window, IndexEntry entry)
    {
        window?.Hold();
        var added = true;
        GuardWindow? dropped = null;
        _dirtyIndex.AddOrUpdate(entry.InstanceId, (entry, window), (_, old) =>
        {
            added = false;
            if (old.Entry.Version > entry.Version)
            {
                dropped = window;
                return old;
            }
            dropped = old.Window;
            return (entry, window);
        });
        dropped?.Release();
        if (added) _indexSignal.Release();
    }

    public void ForgetIndex(string instanceId)
    {
        if (_dirtyIndex.TryRemove(instanceId, out var dropped)) dropped.Window?.Release();
        _indexETags.TryRemove(instanceId, out _);
    }

    /// <summary>
    /// Writes dirty index rows, newest snapshot per instance; runs for the life of the host. Rows of one firm
    /// share a transaction (up to 100), each guarded by the ETag this host last wrote; if any of them moved
    /// under another host, that chunk is written row by row instead, which never puts an older version back.
    /// </summary>
    public async Task RunIndexWriterAsync(CancellationToken ct)
    {
        using var gate = new SemaphoreSlim(8);
        while (!ct.IsCancellationRequested)
        {
            try { await _indexSignal.WaitAsync(ct); }
            catch (OperationCanceledException) { return; }
            // A short pause lets several steps of one instance share one index write, and many instances one transaction.
            await Task.Delay(20, CancellationToken.None);
            var items = new List<(IndexEntry Entry, GuardWindow? Window)>();
            foreach (var id in _dirtyIndex.Keys)
            {
                // One write per instance at a time, so a write never races an older one of the same row.
                if (!_indexWriting.TryAdd(id, 0)) continue;
                Interlocked.Increment(ref _inFlight);
                if (_dirtyIndex.TryRemove(id, out var item)) items.Add(item);
                else { Interlocked.Decrement(ref _inFlight); _indexWriting.TryRemove(id, out _); }
            }
            foreach (var chunk in items.GroupBy(i => i.Entry.Projection.FirmId, StringComparer.Ordinal).SelectMany(g => g.Chunk(100)))
            {
                await gate.WaitAsync(CancellationToken.None);
                _ = Task.Run(async () =>
                {
                    try { await WriteIndexChunkAsync(chunk); }
                    catch (Exception ex)
                    {
                        LogIndexFailed(logger, chunk[0].Entry.InstanceId, ex.GetType().Name);
                        await Task.Delay(IndexRetryDelay, CancellationToken.None);
                        foreach (var (entry, window) in chunk) ScheduleIndex(window, entry);
                    }
                    finally
                    {
                        var again = false;
                        foreach (var item in chunk)
                        {
                            _indexWriting.TryRemove(item.Entry.InstanceId, out _);
                            again |= _dirtyIndex.ContainsKey(item.Entry.InstanceId);
                            item.Window?.Release();
                            Interlocked.Decrement(ref _inFlight);
                        }
                        gate.Release();
                        if (again) _indexSignal.Release();
                    }
                }, CancellationToken.None);
            }
        }
    }

    private static readonly TimeSpan IndexRetryDelay = TimeSpan.FromMilliseconds(500);

    private async Task WriteIndexChunkAsync((IndexEntry Entry, GuardWindow? Window)[] chunk)
    {
        options.FaultInjector?.Invoke("index");
        if (chunk.Length > 1)
        {
            var actions = chunk.Select(i => _indexETags.TryGetValue(i.Entry.InstanceId, out var etag)
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, i.Entry.ToEntity(), etag)
                : new TableTransactionAction(TableTransactionActionType.Add, i.Entry.ToEntity())).ToList();
            try
            {
                var response = await storage.Index.SubmitTransactionAsync(actions, CancellationToken.None);
                for (var n = 0; n < chunk.Length; n++)
                    if (response.Value[n].Headers.ETag is { } written) _indexETags[chunk[n].Entry.InstanceId] = written;
                return;
            }
            catch (RequestFailedException)
            {
                // Row by row below: each finds out what is there and keeps the newer version.
            }
        }
        var failed = new List<(IndexEntry Entry, GuardWindow? Window)>();
        foreach (var (entry, window) in chunk)
        {
            try { await WriteIndexAsync(entry, CancellationToken.None); }
            catch (Exception ex) { LogIndexFailed(logger, entry.InstanceId, ex.GetType().Name); failed.Add((entry, window)); }
        }
        if (failed.Count == 0) return;
        // Tried again a little later, their windows still open (if this host dies meanwhile, recovery writes them).
        await Task.Delay(IndexRetryDelay, CancellationToken.None);
        foreach (var (entry, window) in failed) ScheduleIndex(window, entry);
    }

    /// <summary>Writes one index row unless a newer version is already there.</summary>
    public async Task WriteIndexAsync(IndexEntry entry, CancellationToken ct)
    {
        var row = entry.ToEntity();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                Response response = _indexETags.TryGetValue(entry.InstanceId, out var etag)
                    ? await storage.Index.UpdateEntityAsync(row, etag, TableUpdateMode.Replace, ct)
                    : await storage.Index.AddEntityAsync(row, ct);
                if (response.Headers.ETag is { } written) _indexETags[entry.InstanceId] = written;
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
            {
                _indexETags.TryRemove(entry.InstanceId, out _);
                var current = await storage.Index.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct);
                if (!current.HasValue) continue;
                if ((current.Value!.GetInt64("Version") ?? 0) > entry.Version) return;
                _indexETags[entry.InstanceId] = current.Value.ETag;
            }
        }
        throw new InvalidOperationException($"The index row of engagement {entry.InstanceId} kept changing under this host; will retry.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Effect {EffectId} of engagement {InstanceId} failed on attempt {Attempt} ({ErrorType})")]
    private static partial void LogEffectFailed(ILogger logger, string instanceId, string effectId, int attempt, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Effect {EffectId} of engagement {InstanceId} is parked after {Attempts} attempts; an operator can redrive it")]
    private static partial void LogEffectParked(ILogger logger, string instanceId, string effectId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Due-timer rows of minute {Bucket} not written yet (status {Status}); retrying")]
    private static partial void LogTimerIndexRetry(ILogger logger, string bucket, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Due-timer rows of minute {Bucket} could not be written ({ErrorType}); their guard windows will recover them")]
    private static partial void LogTimerIndexFailed(ILogger logger, string bucket, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index row of engagement {InstanceId} could not be written ({ErrorType}); will retry")]
    private static partial void LogIndexFailed(ILogger logger, string instanceId, string errorType);
}
