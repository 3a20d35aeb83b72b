namespace CoachFlow.Workflows.Runtime;

/// <summary>
/// A versioned, explicit state machine: <c>Decide(state, input, now) → events + effects</c> and
/// <c>Evolve(state, event) → state</c>. The engagement's orchestrators call both in orchestrator code (only the
/// step's write and effects are activities), so the rules run again whenever an orchestration replays.
/// </summary>
/// <remarks>
/// Both functions must be pure: no clock (time arrives as <c>now</c>), no I/O, no randomness. A change to what a rule
/// decides for an input it decided before changes what a replay computes: it needs a new program or engine version
/// (the replay fixtures in CoachFlow.Orchestrations.Tests fail when it does not get one).
/// A repeated input must decide nothing (return <see cref="Decision{TEvent}.None"/>); an impossible one
/// returns <see cref="Decision{TEvent}.Reject"/> with a message naming the input and the state.
/// Every input, event and effect type an instance may store is declared in <see cref="InputTypes"/>,
/// <see cref="EventTypes"/> and <see cref="EffectTypes"/>: its simple name becomes its stored discriminator.
/// </remarks>
public abstract class WorkflowDefinition<TState, TEvent>
    where TState : class
    where TEvent : class
{
    /// <summary>The definition's stable name, e.g. <c>engagement</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The version instances pin when they start on this definition.</summary>
    public abstract int Version { get; }

    /// <summary>Concrete input types (the runtime adds <see cref="TimerFired"/> itself).</summary>
    public abstract IReadOnlyList<Type> InputTypes { get; }

    /// <summary>Concrete event types, each deriving from <typeparamref name="TEvent"/>.</summary>
    public abstract IReadOnlyList<Type> EventTypes { get; }

    /// <summary>Concrete effect types besides the runtime's own <see cref="SetTimer"/> and <see cref="CancelTimer"/>.</summary>
    public abstract IReadOnlyList<Type> EffectTypes { get; }

    /// <summary>The state before the first event.</summary>
    public abstract TState Initial(string instanceId);

    /// <summary>Decides what an input means in a state, at a time.</summary>
    public abstract Decision<TEvent> Decide(TState state, WorkflowInput input, DateTimeOffset now);

    /// <summary>Applies one stored event.</summary>
    public abstract TState Evolve(TState state, TEvent @event);

    /// <summary>What the runtime indexes about an instance (for listing and filtering).</summary>
    public abstract InstanceProjection Project(TState state);
}

/// <summary>What one input decided.</summary>
public sealed record Decision<TEvent>(
    IReadOnlyList<TEvent> Events,
    IReadOnlyList<WorkflowEffect> Effects,
    DecisionKind Kind = DecisionKind.Applied,
    string? Reason = null)
    where TEvent : class
{
    /// <summary>Nothing happens: a repeat, or an input with no consequence in this state.</summary>
    public static Decision<TEvent> None { get; } = new([], []);

    /// <summary>The instance is not ready for this input yet; the runtime keeps it and offers it again after every later step.</summary>
    public static Decision<TEvent> Defer(string reason) => new([], [], DecisionKind.Deferred, reason);

    /// <summary>The input cannot apply in this state; nothing is stored and the caller gets <paramref name="reason"/>.</summary>
    public static Decision<TEvent> Reject(string reason) => new([], [], DecisionKind.Rejected, reason);

    /// <summary>Events to store and effects to run.</summary>
    public static Decision<TEvent> Apply(IReadOnlyList<TEvent> events, params WorkflowEffect[] effects) => new(events, effects);
}

/// <summary>How an input was decided.</summary>
public enum DecisionKind
{
    /// <summary>Events (possibly none) were decided.</summary>
    Applied,
    /// <summary>Kept for later.</summary>
    Deferred,
    /// <summary>Refused.</summary>
    Rejected,
}

/// <summary>Base of every input a workflow decides on.</summary>
public abstract record WorkflowInput;

/// <summary>Delivered by the runtime when a timer set with <see cref="SetTimer"/> comes due.</summary>
/// <param name="TimerId">The id given to <see cref="SetTimer"/>.</param>
/// <param name="DueAt">When it was due (it may arrive later, after downtime).</param>
public sealed record TimerFired(string TimerId, DateTimeOffset DueAt) : WorkflowInput;

/// <summary>Base of every effect a workflow asks for. Effects run after their step is stored, at least once.</summary>
public abstract record WorkflowEffect;

/// <summary>Sets (or moves) a durable timer. Setting an id that is already set replaces it.</summary>
/// <remarks>Timers of any length are allowed; a timer fires once, even after downtime.</remarks>
public sealed record SetTimer(string TimerId, DateTimeOffset DueAt) : WorkflowEffect;

/// <summary>Cancels a timer; cancelling an unknown or fired timer does nothing.</summary>
public sealed record CancelTimer(string TimerId) : WorkflowEffect;

/// <summary>
/// The fields the runtime indexes for listing: the owning firm (every read is scoped to it), the coach,
/// the phase, what the instance waits for and when that is due (overdue = due in the past), flags, and a
/// label and category to show in a listing (for an engagement: the client's name and the program), and the
/// sponsor who may read it. For a firm's overview: the cohort, the client (an opaque id, never the email), and the
/// milestones reached (signed, intake completed, sessions held, graduated) with the mean rating change since the baseline.
/// </summary>
public sealed record InstanceProjection(
    string FirmId,
    string? CoachId,
    string Phase,
    string? WaitingFor,
    DateTimeOffset? DueAt,
    IReadOnlyList<string> Flags,
    bool Completed = false,
    string? Label = null,
    string? Category = null,
    string? SponsorId = null,
    string? CohortId = null,
    string? ClientId = null,
    ProjectedMilestones? Milestones = null);

/// <summary>How far an engagement has come: what a firm's dashboard counts, without any answer.</summary>
/// <param name="ProgressSinceBaseline">The mean change of the latest completed reassessment's ratings against the intake baseline (null before one).</param>
public sealed record ProjectedMilestones(bool Signed, bool IntakeCompleted, int SessionsHeld, int ReassessmentsCompleted, bool Graduated, double? ProgressSinceBaseline);
