using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace CoachFlow.Runtime;

internal sealed record InputMessage(string Kind, string Instance, string Key, string Input);

public sealed partial class DurableRuntime
{
    private WorkPoller? _poller;

    /// <summary>
    /// Handles one work-queue message: a guard window to finish (its host died) or a queued input.
    /// The standalone poller and the Functions queue trigger both call this.
    /// </summary>
    /// <exception cref="BadInputException">The message cannot be read or names nothing that exists; it belongs in the poison queue.</exception>
    public async Task ProcessWorkMessageAsync(string body, CancellationToken ct = default)
    {
        JsonElement root;
        try { root = JsonDocument.Parse(body).RootElement; }
        catch (JsonException) { throw new BadInputException("The work message is not JSON."); }
        if (root.ValueKind != JsonValueKind.Object) throw new BadInputException("The work message is not a JSON object.");
        var kind = root.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, "kind", StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } k ? k.GetString() : null;
        switch (kind)
        {
            case "guard":
                var guard = Read<GuardMessage>(body);
                if (guard.Window is null || guard.Instances is null || guard.Instances.Any(string.IsNullOrEmpty))
                    throw new BadInputException("A guard message needs 'window' and 'instances'.");
                await RecoverWindowAsync(guard, ct);
                break;
            case "input":
                var input = Read<InputMessage>(body);
                if (input.Instance is null || input.Key is null || input.Input is null)
                    throw new BadInputException("An input message needs 'instance', 'key' and 'input'.");
                try
                {
                    var outcome = await RaiseJsonAsync(input.Instance, input.Input, input.Key, ct);
                    if (outcome.Result == InputResult.Rejected) LogQueuedInputRejected(_logger, input.Instance, outcome.Message ?? "");
                }
                catch (InstanceNotFoundException ex)
                {
                    throw new BadInputException(ex.Message);
                }
                break;
            default:
                throw new BadInputException($"Unknown work message kind '{kind}'.");
        }
    }

    private static readonly JsonSerializerOptions MessageJson = new() { PropertyNameCaseInsensitive = true };

    private static T Read<T>(string body) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(body, MessageJson) ?? throw new BadInputException("The work message is empty."); }
        catch (JsonException ex) { throw new BadInputException($"The work message does not have the expected shape: {ex.Message}"); }
    }

    /// <summary>Finishes the effects a host committed but did not get to run, and refreshes their index rows.</summary>
    private async Task RecoverWindowAsync(GuardMessage guard, CancellationToken ct)
    {
        LogRecoveringWindow(_logger, guard.Window, guard.Host, guard.Instances.Length);
        foreach (var instanceId in guard.Instances)
        {
            var filter = Keys.Range(instanceId, 'o') + " and " + TableClient.CreateQueryFilter($"Status eq {"pending"} and Window eq {guard.Window}");
            await foreach (var row in _storage.Instances.QueryAsync<TableEntity>(filter, cancellationToken: ct))
                await _effects.RunStoredAsync(row, ct);
            var loaded = await LoadAsync(instanceId, ct);
            if (loaded is not null)
                await WriteTimerIndexAsync(loaded.Timers.Select(t => TimerIndexRow(instanceId, t.Key, t.Value)), ct);
            if (loaded?.Projection is not null)
                await _effects.WriteIndexAsync(IndexEntry.From(loaded) with { Projection = loaded.Projection with { Flags = loaded.ParkedCount > 0 ? [.. loaded.Projection.Flags, "effect-parked"] : loaded.Projection.Flags } }, ct);
        }
    }

    internal static TableEntity TimerIndexRow(string instanceId, string timerRowKey, TimerRow timer) =>
        new(Keys.DueBucket(timer.DueAt), Keys.TimerIndexRow(instanceId, timerRowKey, timer.Generation))
        {
            ["Kind"] = "timer",
            ["InstanceId"] = instanceId,
            ["TimerRowKey"] = timerRowKey,
            ["Generation"] = timer.Generation,
            ["DueAt"] = timer.DueAt,
        };

    /// <summary>
    /// Runs this host's background work until cancelled: polls the work queue (backing off to
    /// <see cref="RuntimeOptions.MaxPollInterval"/> when idle), scans due timers, writes index rows and
    /// keeps guard windows. Not needed under Azure Functions, whose triggers call the same handlers.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        _poller = new WorkPoller(this, _storage, _options, _time, _logger);
        await Task.WhenAll(
            _poller.RunAsync(ct),
            _scanner.RunAsync(ct),
            _effects.RunIndexWriterAsync(ct),
            MaintainGuardsAsync(ct));
    }

    /// <summary>Writes index rows and keeps guard windows without polling queues (the Functions host polls them).</summary>
    public Task RunHousekeepingAsync(CancellationToken ct) => Task.WhenAll(_effects.RunIndexWriterAsync(ct), MaintainGuardsAsync(ct));

    private async Task MaintainGuardsAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                await _guards.MaintainAsync(ct);
            }
            catch (OperationCanceledException) { return; }
            catch (Exception ex) { LogGuardMaintenanceFailed(_logger, ex.GetType().Name); }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovering guard window {WindowId} of host {HostId} ({Count} engagements)")]
    private static partial void LogRecoveringWindow(ILogger logger, string windowId, string hostId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A queued input for engagement {InstanceId} was rejected: {Reason}")]
    private static partial void LogQueuedInputRejected(ILogger logger, string instanceId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Guard maintenance failed ({ErrorType})")]
    private static partial void LogGuardMaintenanceFailed(ILogger logger, string errorType);
}

/// <summary>Competing consumer of the work queue: receive, handle, delete; poison after too many tries.</summary>
internal sealed partial class WorkPoller(DurableRuntime runtime, StorageAccount storage, RuntimeOptions options, TimeProvider time, ILogger logger)
{
    private CancellationTokenSource _wake = new();
    private readonly Lock _lock = new();

    public void Wake()
    {
        CancellationTokenSource wake;
        lock (_lock) wake = _wake;
        try { wake.Cancel(); } catch (ObjectDisposedException) { }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var idle = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                messages = (await storage.Work.ReceiveMessagesAsync(32, options.WorkVisibilityTimeout, ct)).Value;
            }
            catch (OperationCanceledException) { return; }
            catch (Exception ex)
            {
                LogPollFailed(logger, ex.GetType().Name);
                messages = [];
            }
            if (messages.Length > 0)
            {
                idle = TimeSpan.FromSeconds(1);
                try
                {
                    await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, HandleAsync);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return; // unfinished messages reappear after their visibility timeout for another host
                }
                continue;
            }
            CancellationTokenSource wake;
            lock (_lock)
            {
                _wake.Dispose();
                _wake = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wake = _wake;
            }
            try { await Task.Delay(idle, time, wake.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { idle = TimeSpan.FromSeconds(1); continue; }
            catch (OperationCanceledException) { return; }
            idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, options.MaxPollInterval.Ticks));
        }
    }

    private async ValueTask HandleAsync(QueueMessage message, CancellationToken ct)
    {
        try
        {
            await runtime.ProcessWorkMessageAsync(message.MessageText, ct);
            await storage.Work.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
        }
        catch (BadInputException ex)
        {
            await PoisonAsync(message, ex.Message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogMessageFailed(logger, message.MessageId, message.DequeueCount, ex.GetType().Name);
            if (message.DequeueCount >= options.MaxDequeueCount) await PoisonAsync(message, ex.GetType().Name, ct);
        }
    }

    private async Task PoisonAsync(QueueMessage message, string reason, CancellationToken ct)
    {
        LogPoisoned(logger, message.MessageId, reason);
        await storage.Poison.SendMessageAsync(message.MessageText, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: ct);
        await storage.Work.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling the work queue failed ({ErrorType})")]
    private static partial void LogPollFailed(ILogger logger, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work message {MessageId} failed on dequeue {DequeueCount} ({ErrorType})")]
    private static partial void LogMessageFailed(ILogger logger, string messageId, long dequeueCount, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Work message {MessageId} moved to the poison queue: {Reason}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string reason);
}
