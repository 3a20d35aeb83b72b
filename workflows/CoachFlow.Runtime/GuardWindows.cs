using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CoachFlow.Runtime;

/// <summary>
/// A host's promise that the effects of its recent steps will run. Before a step with effects commits, its
/// instance id is written into the host's current guard message, which stays invisible on the work queue for
/// <see cref="RuntimeOptions.GuardDelay"/>. When every effect of the window has finished, the message is
/// deleted. If the host dies first, the message becomes visible and any host finishes the window's effects.
/// </summary>
/// <remarks>
/// Many steps share one window, and concurrent steps share one queue write (group commit), so the guard
/// costs a fraction of a storage request per step instead of two.
/// </remarks>
internal sealed partial class GuardWindows(StorageAccount storage, RuntimeOptions options, TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private GuardWindow? _current;
    private Task? _flush;
    private readonly List<GuardWindow> _closing = [];

    public async Task<GuardWindow> ProtectAsync(string instanceId, CancellationToken ct)
    {
        while (true)
        {
            Task flush;
            lock (_lock)
            {
                var window = Current();
                if (window.Durable.Contains(instanceId))
                {
                    window.Hold();
                    return window;
                }
                window.Wanted.Add(instanceId);
                if (_flush is null || _flush.IsCompleted) _flush = FlushAsync(window, ct);
                flush = _flush;
            }
            await flush;
        }
    }

    private GuardWindow Current()
    {
        var now = time.GetUtcNow();
        if (_current is null || now - _current.OpenedAt > options.WindowLength || _current.Durable.Count >= 256)
        {
            if (_current is not null) Retire(_current);
            _current = new GuardWindow(Guid.NewGuid().ToString("N"), now, this);
        }
        return _current;
    }

    private async Task FlushAsync(GuardWindow window, CancellationToken ct)
    {
        string[] ids;
        lock (_lock) ids = [.. window.Durable, .. window.Wanted];
        var body = JsonSerializer.Serialize(new GuardMessage("guard", window.Id, options.HostId, ids));
        if (window.MessageId is null)
        {
            var receipt = await storage.Work.SendMessageAsync(body, visibilityTimeout: options.GuardDelay, timeToLive: TimeSpan.FromSeconds(-1), ct);
            lock (_lock) { window.MessageId = receipt.Value.MessageId; window.PopReceipt = receipt.Value.PopReceipt; }
        }
        else
        {
            var receipt = await storage.Work.UpdateMessageAsync(window.MessageId, window.PopReceipt, body, options.GuardDelay, ct);
            lock (_lock) window.PopReceipt = receipt.Value.PopReceipt;
        }
        lock (_lock)
        {
            window.TouchedAt = time.GetUtcNow();
            foreach (var id in ids) { window.Durable.Add(id); window.Wanted.Remove(id); }
        }
    }

    private void Retire(GuardWindow window)
    {
        window.Retired = true;
        _closing.Add(window);
        if (window.Outstanding == 0) _ = CloseAsync(window);
    }

    internal void Released(GuardWindow window)
    {
        bool close;
        lock (_lock) close = window.Retired && window.Outstanding == 0 && !window.Closed;
        if (close) _ = CloseAsync(window);
    }

    private async Task CloseAsync(GuardWindow window)
    {
        string? id, pop;
        lock (_lock)
        {
            if (window.Closed) return;
            window.Closed = true;
            _closing.Remove(window);
            id = window.MessageId;
            pop = window.PopReceipt;
        }
        if (id is null || window.Abandoned) return; // an abandoned window's message becomes visible and recovery runs
        try
        {
            await storage.Work.DeleteMessageAsync(id, pop);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // Another host already took the window over after it became visible: it finishes the effects again.
            LogWindowTakenOver(logger, window.Id);
        }
    }

    /// <summary>Retires an old window, and keeps long-running windows invisible (called about once a second).</summary>
    public async Task MaintainAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var extend = new List<GuardWindow>();
        lock (_lock)
        {
            if (_current is not null && now - _current.OpenedAt > options.WindowLength)
            {
                Retire(_current);
                _current = null;
            }
            extend.AddRange(_closing.Where(w => !w.Closed && w.MessageId is not null && now - w.TouchedAt > options.GuardDelay / 2));
        }
        foreach (var window in extend)
        {
            try
            {
                var receipt = await storage.Work.UpdateMessageAsync(window.MessageId, window.PopReceipt, visibilityTimeout: options.GuardDelay, cancellationToken: ct);
                lock (_lock) { window.PopReceipt = receipt.Value.PopReceipt; window.TouchedAt = now; }
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404)
            {
                LogWindowTakenOver(logger, window.Id);
            }
        }
    }

    /// <summary>Closes every retired window with nothing outstanding (used when idle and at shutdown).</summary>
    public bool AllClosed
    {
        get { lock (_lock) return _closing.Count == 0 && (_current is null || _current.Outstanding == 0); }
    }

    public void RetireCurrent()
    {
        lock (_lock)
        {
            if (_current is null) return;
            Retire(_current);
            _current = null;
        }
    }

    internal Lock SyncRoot => _lock;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Guard window {WindowId} was taken over by another host before it closed")]
    private static partial void LogWindowTakenOver(ILogger logger, string windowId);
}

internal sealed record GuardMessage(string Kind, string Window, string Host, string[] Instances);

internal sealed class GuardWindow(string id, DateTimeOffset openedAt, GuardWindows owner)
{
    public string Id { get; } = id;
    public DateTimeOffset OpenedAt { get; } = openedAt;
    public DateTimeOffset TouchedAt { get; set; } = openedAt;
    public HashSet<string> Durable { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Wanted { get; } = new(StringComparer.Ordinal);
    public string? MessageId { get; set; }
    public string? PopReceipt { get; set; }
    public bool Retired { get; set; }
    public bool Closed { get; set; }
    public int Outstanding { get; private set; }

    /// <summary>Something under this window failed for good: never delete its message, so recovery runs.</summary>
    public bool Abandoned { get; private set; }

    public void Abandon()
    {
        lock (owner.SyncRoot) Abandoned = true;
    }

    /// <summary>Something (a step, an effect, an index write) needs this window open.</summary>
    public void Hold()
    {
        lock (owner.SyncRoot) Outstanding++;
    }

    public void Release()
    {
        lock (owner.SyncRoot) Outstanding--;
        owner.Released(this);
    }
}

/// <summary>
/// Several independent guard windows ("lanes"), an instance always in the same one, so that steps of many
/// instances protect themselves in parallel instead of queueing behind one message's updates.
/// </summary>
internal sealed class GuardLanes(StorageAccount storage, RuntimeOptions options, TimeProvider time, ILogger logger)
{
    private readonly GuardWindows[] _lanes = [.. Enumerable.Range(0, Math.Max(1, options.GuardLanes)).Select(_ => new GuardWindows(storage, options, time, logger))];

    public Task<GuardWindow> ProtectAsync(string instanceId, CancellationToken ct) =>
        _lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(instanceId) % (uint)_lanes.Length)].ProtectAsync(instanceId, ct);

    public Task MaintainAsync(CancellationToken ct) => Task.WhenAll(_lanes.Select(l => l.MaintainAsync(ct)));

    public bool AllClosed => _lanes.All(l => l.AllClosed);

    public void RetireCurrent()
    {
        foreach (var lane in _lanes) lane.RetireCurrent();
    }
}
