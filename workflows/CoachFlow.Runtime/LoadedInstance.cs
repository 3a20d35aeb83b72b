using System.Collections.Concurrent;
using Azure;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Runtime;

internal sealed record PendingInput(string RowKey, string Key, string InputJson, DateTimeOffset ArrivedAt);

internal sealed record TimerRow(string TimerId, DateTimeOffset DueAt, long Generation);

/// <summary>
/// An instance's timers live in its snapshot row (one JSON property), so setting, moving, cancelling and
/// firing a timer writes no row of its own. Snapshots written before that kept one 't' row per timer.
/// </summary>
internal static class TimerSet
{
    private sealed record Stored(string Id, DateTimeOffset Due, long Gen);

    public static string Write(Dictionary<string, TimerRow> timers) =>
        System.Text.Json.JsonSerializer.Serialize(timers.Values.OrderBy(t => t.DueAt).Select(t => new Stored(t.TimerId, t.DueAt, t.Generation)));

    public static Dictionary<string, TimerRow> Read(string? json, IEnumerable<Azure.Data.Tables.TableEntity> legacyRows)
    {
        var timers = new Dictionary<string, TimerRow>(StringComparer.Ordinal);
        if (json is not null)
            foreach (var t in System.Text.Json.JsonSerializer.Deserialize<Stored[]>(json) ?? [])
                timers[Keys.Timer(t.Id)] = new TimerRow(t.Id, t.Due, t.Gen);
        else
            foreach (var t in legacyRows)
                timers[t.RowKey] = new TimerRow(t.GetString("TimerId"), t.GetDateTimeOffset("DueAt")!.Value, t.GetInt64("Generation") ?? 0);
        return timers;
    }
}

/// <summary>An instance as this host last committed or read it (the snapshot cache).</summary>
internal sealed class LoadedInstance
{
    public required string Id { get; init; }
    public required IWorkflowAdapter Definition { get; set; }
    public required object State { get; set; }
    public bool Exists { get; set; }
    public ETag ETag { get; set; }
    public long Version { get; set; }
    public long Step { get; set; }
    public InstanceStatus Status { get; set; }
    public long PendingSerial { get; set; }
    public List<PendingInput> Pending { get; init; } = [];
    public Dictionary<string, TimerRow> Timers { get; init; } = [];
    public int ParkedCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public InstanceProjection? Projection { get; set; }

    public LoadedInstance Clone() => new()
    {
        Id = Id,
        Definition = Definition,
        State = State,
        Exists = Exists,
        ETag = ETag,
        Version = Version,
        Step = Step,
        Status = Status,
        PendingSerial = PendingSerial,
        Pending = [.. Pending],
        Timers = new Dictionary<string, TimerRow>(Timers),
        ParkedCount = ParkedCount,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        Projection = Projection,
    };
}

/// <summary>One instance's mailbox: callers queue requests and whoever holds the gate commits them together.</summary>
internal sealed class InstanceSlot
{
    public SemaphoreSlim Gate { get; } = new(1, 1);
    public ConcurrentQueue<Request> Queue { get; } = new();
    public LoadedInstance? Cache { get; set; }

    /// <summary>Whether this host has read the instance from storage at least once.</summary>
    public bool Loaded { get; set; }

    /// <summary>Outbox rows whose effects finished here; the next commit deletes them.</summary>
    public ConcurrentDictionary<string, byte> DoneOutbox { get; } = new();
    public long LastUsedTicks { get; set; }
}

internal abstract record Request
{
    public TaskCompletionSource<InputOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed record StartRequest(IWorkflowAdapter Definition, WorkflowInput Input, string Key) : Request;

internal sealed record InputRequest(WorkflowInput? Input, string? InputJson, string Key, long? ExpectedVersion) : Request;

internal sealed record TimerRequest(string TimerRowKey, long Generation) : Request;

internal enum ControlKind { Suspend, Resume, Terminate, Redrive, Migrate }

internal sealed record ControlRequest(ControlKind Kind, string? Reason, int? ToVersion) : Request;

internal sealed record ParkRequest(string OutboxRowKey, string Error) : Request;
