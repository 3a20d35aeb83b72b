using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace CoachFlow.Runtime;

/// <summary>
/// Fires due timers and effect retries from the due-timer table (partition = due minute, so a scan reads
/// only rows that are due). Timers of any length work the same way: nothing depends on queue visibility.
/// </summary>
/// <remarks>
/// Granularity: a timer fires at the first scan at or after its due time. The host scans every
/// <see cref="RuntimeOptions.TimerScanInterval"/> and also wakes itself at the earliest due time it has set,
/// so timers set by a running host fire on time (to about a second); after downtime each due timer fires
/// once, at the first scan.
/// </remarks>
internal sealed partial class TimerScanner(DurableRuntime runtime, StorageAccount storage, RuntimeOptions options, TimeProvider time, ILogger logger)
{
    private const int MaxKnown = 10_000;
    private readonly Lock _lock = new();
    private readonly SortedSet<DateTimeOffset> _known = [];
    private CancellationTokenSource _wake = new();

    private DateTimeOffset NextKnownDue => _known.Count == 0 ? DateTimeOffset.MaxValue : _known.Min;

    /// <summary>Remembers a due time this host wrote, so it wakes for it instead of waiting for the next scan.</summary>
    public void NoteDue(DateTimeOffset due)
    {
        CancellationTokenSource? wake = null;
        lock (_lock)
        {
            var earliest = due < NextKnownDue;
            _known.Add(due);
            if (_known.Count > MaxKnown) _known.Remove(_known.Max);
            if (earliest) wake = _wake;
        }
        try { wake?.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Fires everything due now. Returns how many timers and retries ran.</summary>
    public async Task<int> FireDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        lock (_lock) _known.RemoveWhere(d => d <= now);
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {Keys.DueBucket(now)}");
        var due = new List<TableEntity>();
        await foreach (var row in storage.Timers.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            var at = row.GetDateTimeOffset("DueAt");
            if (at is null || at <= now) due.Add(row);
            else NoteDue(at.Value);
        }
        var fired = new System.Collections.Concurrent.ConcurrentBag<TableEntity>();
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (row, token) =>
        {
            try
            {
                await FireAsync(row, token);
                fired.Add(row);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFireFailed(logger, row.GetString("InstanceId") ?? "?", ex.GetType().Name);
            }
        });
        await DeleteFiredAsync(fired, ct);
        return due.Count;
    }

    /// <summary>
    /// Deletes the rows of what fired, a transaction per due minute (after the steps committed, so a crash
    /// before this only fires them again into nothing). A row another host deleted first fails its batch, and
    /// that batch is retried row by row.
    /// </summary>
    private async Task DeleteFiredAsync(IEnumerable<TableEntity> fired, CancellationToken ct)
    {
        foreach (var chunk in fired.GroupBy(r => r.PartitionKey).SelectMany(g => g.Chunk(100)))
        {
            try
            {
                await storage.Timers.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, r.ETag)), ct);
            }
            catch (TableTransactionFailedException)
            {
                foreach (var row in chunk)
                {
                    try { await storage.Timers.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, ct); }
                    catch (RequestFailedException ex) when (ex.Status is 404 or 412) { }
                }
            }
        }
    }

    private async Task FireAsync(TableEntity row, CancellationToken ct)
    {
        var instanceId = row.GetString("InstanceId");
        switch (row.GetString("Kind"))
        {
            case "timer":
                try
                {
                    await runtime.DeliverTimerAsync(instanceId, row.GetString("TimerRowKey"), row.GetInt64("Generation") ?? 0, ct);
                }
                catch (InstanceNotFoundException)
                {
                    // Purged: nothing to wake.
                }
                break;
            case "retry":
                await runtime.Effects.RetryAsync(instanceId, row.GetString("OutboxRowKey"), ct);
                break;
        }
    }

    /// <summary>Scans on the interval, or sooner when a timer this host set comes due.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await FireDueAsync(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception ex) when (ex is not OperationCanceledException) { LogScanFailed(logger, ex.GetType().Name); }

            CancellationTokenSource wake;
            TimeSpan wait;
            lock (_lock)
            {
                _wake.Dispose();
                _wake = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wake = _wake;
                var untilNext = NextKnownDue == DateTimeOffset.MaxValue ? options.TimerScanInterval : NextKnownDue - time.GetUtcNow();
                wait = untilNext < TimeSpan.Zero ? TimeSpan.Zero : untilNext > options.TimerScanInterval ? options.TimerScanInterval : untilNext;
            }
            try { await Task.Delay(wait, time, wake.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A due timer of engagement {InstanceId} could not fire ({ErrorType}); the next scan retries it")]
    private static partial void LogFireFailed(ILogger logger, string instanceId, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Due-timer scan failed ({ErrorType}); retrying on the next interval")]
    private static partial void LogScanFailed(ILogger logger, string errorType);
}
