using System.Collections.Immutable;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Orchestrations;

/// <summary>
/// What an engagement carries from one part of its lifecycle to the next: the rules' state, the events
/// recorded so far, its timers, the inputs that wait, the idempotency keys already decided, and the effects
/// that wait for a retry or for an operator.
/// </summary>
/// <remarks>
/// It is the input and output of every part's orchestration, so it is stored in their histories: keep it
/// small (no answers beyond what the rules' state holds) and never reshape a shipped field.
/// </remarks>
public sealed record EngagementRun(
    string EngagementId,
    EngagementState State,
    long Version,
    ImmutableList<TimerEntry> Timers,
    ImmutableList<PendingInput> Deferred,
    ImmutableList<string> SeenKeys,
    ImmutableList<EffectRetry> Retries,
    ImmutableList<ParkedEffect> Parked,
    EngineSettings Settings)
{
    /// <summary>A new engagement; its start waits in the inbox with any input that follows it.</summary>
    public static EngagementRun New(string engagementId, EngineSettings settings) =>
        new(engagementId, new EngagementState { EngagementId = engagementId }, 0, [], [], [], [], [], settings);

    /// <summary>The phase the engagement is in, looking through a pause to the phase it will resume.</summary>
    public EngagementPhase EffectivePhase => State.Phase == EngagementPhase.Paused ? State.PausedFrom ?? EngagementPhase.Sessions : State.Phase;

    public bool IsFinished => State.IsFinished();
}

/// <summary>How effects and the engine's own activities are retried; fixed for an engagement when it starts, so its orchestrations replay the same.</summary>
/// <param name="MaxEffectAttempts">Attempts before an effect is parked for an operator.</param>
/// <param name="FirstRetryDelay">The first pause after a failure; it doubles up to <paramref name="MaxRetryDelay"/>.</param>
/// <remarks>
/// Stored in every run's history: the later fields are properties with today's defaults, so a run recorded before they
/// existed reads back with those defaults (never add one as a constructor parameter).
/// </remarks>
public sealed record EngineSettings(int MaxEffectAttempts, TimeSpan FirstRetryDelay, TimeSpan MaxRetryDelay)
{
    public static EngineSettings Default { get; } = new(8, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(15));

    /// <summary>Attempts of one activity (begin a part, record a step, run effects) before the step is parked.</summary>
    public int ActivityAttempts { get; init; } = 10;

    /// <summary>The first pause between two attempts of an activity; it doubles up to <see cref="ActivityMaxRetryDelay"/>.</summary>
    public TimeSpan ActivityFirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ActivityMaxRetryDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a parked step waits before it is tried again by itself (a redrive tries it at once).</summary>
    public TimeSpan ParkedRetryDelay { get; init; } = TimeSpan.FromHours(3);

    public TimeSpan DelayBefore(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks * (1L << Math.Min(attempt - 2, 30))));
}

/// <summary>A timer the rules set, by id.</summary>
public sealed record TimerEntry(string TimerId, DateTimeOffset DueAt);

/// <summary>An input accepted for an engagement, with the idempotency key it is decided under once.</summary>
public sealed record PendingInput(string Key, Envelope Input, DateTimeOffset AcceptedAt)
{
    /// <summary>Whether it came from a caller (and so has a row in the inbox to report its outcome on).</summary>
    public bool FromCaller => !Key.StartsWith(TimerKeyPrefix, StringComparison.Ordinal);

    public const string TimerKeyPrefix = "timer:";

    public static PendingInput Timer(TimerEntry timer, DateTimeOffset firedAt) =>
        new($"{TimerKeyPrefix}{timer.TimerId}:{timer.DueAt.UtcTicks}", EngagementCodec.Wrap(new TimerFired(timer.TimerId, timer.DueAt)), firedAt);
}

/// <summary>One effect of a step, with the id it keeps through every retry (the idempotency key at its target).</summary>
public sealed record EffectToRun(string EffectId, Envelope Effect);

/// <summary>Effects that failed and wait for their next attempt (they keep their order).</summary>
public sealed record EffectRetry(ImmutableList<EffectToRun> Effects, int Attempt, DateTimeOffset DueAt);

/// <summary>An effect that kept failing and waits for an operator's redrive.</summary>
public sealed record ParkedEffect(EffectToRun Effect, int Attempts, string Error);

/// <summary>What one input came to, for its caller to read.</summary>
public sealed record InputOutcome(string Key, string Result, string? Reason, long Version)
{
    public const string Applied = "applied";
    public const string Deferred = "deferred";
    public const string Rejected = "rejected";
}
