using System.Text.Json;

namespace CoachFlow.Runtime;

/// <summary>Lifecycle status of an instance, kept by the runtime (the phase belongs to the definition).</summary>
public enum InstanceStatus
{
    /// <summary>Takes inputs and fires timers.</summary>
    Running,
    /// <summary>Keeps inputs and due timers for later; resumes where it was.</summary>
    Suspended,
    /// <summary>The definition finished it.</summary>
    Completed,
    /// <summary>Stopped by an operator or by either side ending it; takes no more input.</summary>
    Terminated,
}

/// <summary>What happened to one input.</summary>
public enum InputResult
{
    /// <summary>Decided and stored (possibly with no events).</summary>
    Applied,
    /// <summary>The same idempotency key was seen before; nothing changed.</summary>
    Duplicate,
    /// <summary>Kept; offered again after every later step.</summary>
    Deferred,
    /// <summary>Refused; nothing changed. <see cref="InputOutcome.Message"/> says why.</summary>
    Rejected,
    /// <summary>A timer that was cancelled or moved; nothing changed.</summary>
    Ignored,
}

/// <summary>The outcome of one input.</summary>
/// <param name="Result">What happened.</param>
/// <param name="Version">The instance's version (events stored) afterwards.</param>
/// <param name="Message">Why, for deferred and rejected inputs.</param>
public sealed record InputOutcome(InputResult Result, long Version, string? Message = null);

/// <summary>One stored event (or runtime record) in an instance's history.</summary>
/// <param name="Version">Its position (1-based).</param>
/// <param name="Type">The event's type name; runtime records start with <c>$</c>.</param>
/// <param name="At">When it was stored.</param>
/// <param name="Data">The event as stored.</param>
public sealed record HistoryEntry(long Version, string Type, DateTimeOffset At, JsonElement Data);

/// <summary>A timer that is set.</summary>
public sealed record TimerView(string TimerId, DateTimeOffset DueAt);

/// <summary>An effect that has not completed on its first attempt.</summary>
public sealed record EffectView(string EffectId, string Type, string Status, int Attempts, DateTimeOffset? NextAttemptAt, string? LastError);

/// <summary>Everything about one instance.</summary>
public sealed record InstanceView(
    string InstanceId,
    string Definition,
    int DefinitionVersion,
    InstanceStatus Status,
    long Version,
    string FirmId,
    string? CoachId,
    string Phase,
    string? WaitingFor,
    DateTimeOffset? DueAt,
    IReadOnlyList<string> Flags,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    JsonElement State,
    IReadOnlyList<TimerView> Timers,
    int PendingInputs,
    IReadOnlyList<EffectView> Effects,
    IReadOnlyList<HistoryEntry> History);

/// <summary>One row of a listing.</summary>
public sealed record InstanceSummary(
    string InstanceId,
    string Definition,
    int DefinitionVersion,
    InstanceStatus Status,
    long Version,
    string? CoachId,
    string Phase,
    string? WaitingFor,
    DateTimeOffset? DueAt,
    IReadOnlyList<string> Flags,
    DateTimeOffset UpdatedAt,
    string? Label = null,
    string? Category = null);

/// <summary>Filters for listing a firm's instances; every field is optional.</summary>
public sealed record InstanceFilter(
    string? CoachId = null,
    string? Phase = null,
    InstanceStatus? Status = null,
    string? Flag = null,
    bool OverdueOnly = false,
    string? SponsorId = null);

/// <summary>One page of a listing; pass <see cref="ContinuationToken"/> back for the next.</summary>
public sealed record InstancePage(IReadOnlyList<InstanceSummary> Items, string? ContinuationToken);

/// <summary>What purge erased.</summary>
public sealed record PurgeResult(int Rows, int Blobs);

/// <summary>Who an instance belongs to: what an access check needs, read without its history.</summary>
public sealed record InstanceOwner(string FirmId, string? CoachId, string? SponsorId = null);
