using System.Collections.Immutable;
using CoachFlow.Orchestrations.Bulk;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Orchestrations.Activities;

/// <summary>A part of an engagement starts running as <see cref="InstanceId"/>.</summary>
public sealed record BeginPartRequest(string EngagementId, string InstanceId, string Part);

/// <summary>
/// One step of an engagement: what the read model must show afterwards and the effects to run, in order.
/// </summary>
/// <param name="FromVersion">The engagement's version (events recorded) before this step; the step is written once.</param>
/// <param name="Events">New events, in order; they become versions <c>FromVersion + 1</c> onwards.</param>
/// <param name="State">The rules' state after the step.</param>
/// <param name="Projection">What listing filters on, after the step.</param>
/// <param name="Outcomes">What each caller's input came to.</param>
/// <param name="Effects">Effects to run now, in order; the activity stops at the first failure and reports it.</param>
/// <param name="BeforeHash">What the orchestration believes the stored state is before this step (<see cref="StateHash"/> of it);
/// the read model at another state is drift, and the step is not written past it. Null in steps recorded before it existed.</param>
public sealed record StepRecord(
    string EngagementId,
    string InstanceId,
    long FromVersion,
    ImmutableList<Envelope> Events,
    EngagementState State,
    InstanceProjection Projection,
    ImmutableList<TimerEntry> Timers,
    ImmutableList<InputOutcome> Outcomes,
    ImmutableList<EffectToRun> Effects,
    ImmutableList<ParkedEffect> Parked,
    DateTimeOffset At,
    string? BeforeHash = null)
{
    public long ToVersion => FromVersion + Events.Count;
}

/// <summary>A short, stable fingerprint of the rules' state (SHA-256 of its JSON): what a step expects to find stored.</summary>
public static class StateHash
{
    public static string Of(EngagementState? state) => state is null
        ? "none"
        : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(state, EngagementCodec.Json)))[..32];
}

/// <summary>
/// A step whose activity kept failing past its retries (or that found the read model at another state): the engagement
/// is flagged <c>step-parked</c> and the firm's admins are told. <paramref name="Reason"/> names the activity and the
/// kind of failure, never client content.
/// </summary>
public sealed record ParkStepRequest(string EngagementId, string InstanceId, long Version, string Reason, bool Diverged, DateTimeOffset At);

/// <summary>Effects to run again, in order.</summary>
public sealed record EffectsRequest(string EngagementId, ImmutableList<EffectToRun> Effects);

/// <summary>How a run of effects went: <see cref="Remaining"/> starts with the one that failed (empty when all ran).</summary>
/// <param name="Diverged">Set when the step was not written because the read model is at another state than the
/// orchestration believes (drift after a deploy changed a rule's output): no effect ran.</param>
/// <param name="Recorded">Set when the step was recorded before by its twin (an episode run again after a crash, at
/// another moment) with another state: the state the read model holds, which the orchestration carries on from.</param>
public sealed record EffectsReport(ImmutableList<EffectToRun> Remaining, string? Error, string? Diverged = null, EngagementState? Recorded = null)
{
    public static EffectsReport AllDone { get; } = new([], null);
}

/// <summary>What an effect handler gets.</summary>
/// <param name="EffectId">Stable across retries: the idempotency key at the effect's target.</param>
/// <param name="State">The engagement as of the step that asked for the effect (or later).</param>
/// <param name="FirstAttemptedAt">When the first attempt at this effect began (kept in its delivery record): the same on
/// every retry, so what a handler dates or derives from it (a link's expiry, an email's Date) is too.</param>
public sealed record EffectContext(string EngagementId, string EffectId, EngagementState State, DateTimeOffset FirstAttemptedAt);

/// <summary>Runs the engagement's effects (emails, documents, coach notifications). Implemented by the host.</summary>
/// <remarks>
/// <see cref="EffectSequence"/> calls it once per effect unless an attempt was cut off after the effect left and before
/// its delivery was recorded: then it is called again with the same <see cref="EffectContext"/> values. Build what leaves
/// from them only (the effect id, the first attempt's time, the state), so that a repeat is the same message.
/// </remarks>
public interface IEngagementEffects
{
    Task RunAsync(EffectContext context, WorkflowEffect effect, CancellationToken cancellationToken);
}

/// <summary>
/// Tells a firm's people about an engagement the engine had to stop (a parked step) or found stopped and repaired. Implemented by the host
/// (CoachFlow.Web emails the firm's admins); hosts without email register <see cref="NoEngagementNotices"/>.
/// </summary>
/// <remarks>At least once: a repeated activity calls it again with the same request. Carries no client content.</remarks>
public interface IEngagementNotices
{
    Task StepParkedAsync(string firmId, ParkStepRequest parked, CancellationToken ct);

    /// <summary>Nothing ran the engagement (its orchestration failed, was terminated or is missing); it was started again from the read model.</summary>
    Task EngagementRepairedAsync(EngagementRepaired repaired, CancellationToken ct);
}

/// <summary>Notices that go nowhere (the engine's own tests and harness have no firm admins).</summary>
public sealed class NoEngagementNotices : IEngagementNotices
{
    public static NoEngagementNotices Instance { get; } = new();

    public Task StepParkedAsync(string firmId, ParkStepRequest parked, CancellationToken ct) => Task.CompletedTask;

    public Task EngagementRepairedAsync(EngagementRepaired repaired, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// Where what the engine recorded leaves it for a firm's own systems (outbound webhooks). Implemented by the host;
/// hosts without webhooks register <see cref="NoEngagementOutbox"/>.
/// </summary>
/// <remarks>
/// Called inside the activity that recorded the step (or settled the bulk action), after the read model holds it and
/// before the step's effects run. A repeated activity calls it again with the same step, so an implementation must be
/// idempotent (the step's versions are unique per engagement). An exception fails the activity and the engine runs it
/// again: that is what makes what the outbox keeps at-least-once with the step. Never reads a clock to decide what to
/// keep: everything comes from the step.
/// </remarks>
public interface IEngagementOutbox
{
    /// <summary>A step was recorded (or found recorded by an earlier run of the same activity).</summary>
    Task StepRecordedAsync(StepRecord step, CancellationToken ct);

    /// <summary>A bulk action's run was settled as finished; <paramref name="action"/> holds its final counts.</summary>
    Task BulkActionFinishedAsync(BulkActionRecord action, CancellationToken ct);
}

/// <summary>An outbox that keeps nothing: for hosts without webhooks (the engine's own tests and harness).</summary>
public sealed class NoEngagementOutbox : IEngagementOutbox
{
    public static NoEngagementOutbox Instance { get; } = new();

    public Task StepRecordedAsync(StepRecord step, CancellationToken ct) => Task.CompletedTask;

    public Task BulkActionFinishedAsync(BulkActionRecord action, CancellationToken ct) => Task.CompletedTask;
}
