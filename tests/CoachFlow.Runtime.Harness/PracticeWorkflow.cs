using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Runtime.Harness;

// A compact coaching-shaped workflow that exercises every runtime feature: a contract with repeating
// reminders, sessions on a cadence, inputs that must wait, quarterly check-ins over a year, completion.

public sealed record Begin(string FirmId, string CoachId, int Sessions, TimeSpan Cadence, int CheckIns = 4) : WorkflowInput;
public sealed record Sign(string FullName) : WorkflowInput;
public sealed record Answer(string Text) : WorkflowInput;
public sealed record Count(int By) : WorkflowInput;
public sealed record Remember(string Payload) : WorkflowInput;
public sealed record Impossible : WorkflowInput;

public abstract record PracticeEvent;
public sealed record Begun(string FirmId, string CoachId, int Sessions, TimeSpan Cadence, int CheckIns, DateTimeOffset BegunAt) : PracticeEvent;
public sealed record Signed(DateTimeOffset SignedAt) : PracticeEvent;
public sealed record Reminded(int Number, DateTimeOffset RemindedAt) : PracticeEvent;
public sealed record Answered(string Text, DateTimeOffset AnsweredAt) : PracticeEvent;
public sealed record Counted(int By) : PracticeEvent;
public sealed record Remembered(string Payload) : PracticeEvent;
public sealed record SessionHeld(int Number, DateTimeOffset HeldAt) : PracticeEvent;
public sealed record CheckInSent(int Number, DateTimeOffset SentAt) : PracticeEvent;
public sealed record Closed(DateTimeOffset ClosedAt) : PracticeEvent;

/// <summary>Asks the host to tell someone something (an email, in the real product).</summary>
public sealed record Notify(string What) : WorkflowEffect;

public sealed record PracticeState(
    string Id,
    string FirmId,
    string CoachId,
    string Phase,
    int Sessions,
    TimeSpan Cadence,
    int CheckIns,
    int Held,
    int CheckInsSent,
    int Reminders,
    int Total,
    ImmutableList<string> Answers,
    string? Memory,
    DateTimeOffset? DueAt)
{
    public static PracticeState Empty(string id) => new(id, "", "", "new", 0, TimeSpan.Zero, 0, 0, 0, 0, 0, [], null, null);
}

public class PracticeWorkflow : WorkflowDefinition<PracticeState, PracticeEvent>
{
    public static readonly TimeSpan ReminderEvery = TimeSpan.FromDays(3);
    public static readonly TimeSpan CheckInEvery = TimeSpan.FromDays(91);

    public override string Name => "practice";
    public override int Version => 1;
    public override IReadOnlyList<Type> InputTypes => [typeof(Begin), typeof(Sign), typeof(Answer), typeof(Count), typeof(Remember), typeof(Impossible)];
    public override IReadOnlyList<Type> EventTypes => [typeof(Begun), typeof(Signed), typeof(Reminded), typeof(Answered), typeof(Counted), typeof(Remembered), typeof(SessionHeld), typeof(CheckInSent), typeof(Closed)];
    public override IReadOnlyList<Type> EffectTypes => [typeof(Notify)];

    public override PracticeState Initial(string instanceId) => PracticeState.Empty(instanceId);

    /// <summary>What v1 says when the contract is signed; v2 says more.</summary>
    protected virtual IEnumerable<WorkflowEffect> OnSigned() => [new Notify("welcome")];

    public override Decision<PracticeEvent> Decide(PracticeState s, WorkflowInput input, DateTimeOffset now) => (s.Phase, input) switch
    {
        ("new", Begin b) => Decision<PracticeEvent>.Apply(
            [new Begun(b.FirmId, b.CoachId, b.Sessions, b.Cadence, b.CheckIns, now)],
            new Notify("contract"), new SetTimer("reminder", now + ReminderEvery)),
        (_, Begin) => Decision<PracticeEvent>.None,
        ("contract", Sign) => Decision<PracticeEvent>.Apply(
            [new Signed(now)],
            [new CancelTimer("reminder"), .. OnSigned(), new SetTimer("session-1", now + s.Cadence)]),
        (_, Sign) => Decision<PracticeEvent>.None,
        ("contract", TimerFired { TimerId: "reminder" }) => Decision<PracticeEvent>.Apply(
            [new Reminded(s.Reminders + 1, now)],
            new Notify($"reminder-{s.Reminders + 1}"), new SetTimer("reminder", now + ReminderEvery)),
        ("contract", Answer) => Decision<PracticeEvent>.Defer("Answers are taken once the contract is signed."),
        ("sessions" or "maintenance", Answer a) => Decision<PracticeEvent>.Apply([new Answered(a.Text, now)]),
        ("sessions", TimerFired t) when t.TimerId == $"session-{s.Held + 1}" => s.Held + 1 < s.Sessions
            ? Decision<PracticeEvent>.Apply([new SessionHeld(s.Held + 1, now)], new Notify($"summary-{s.Held + 1}"), new SetTimer($"session-{s.Held + 2}", now + s.Cadence))
            : Decision<PracticeEvent>.Apply([new SessionHeld(s.Held + 1, now)], new Notify($"summary-{s.Held + 1}"), new Notify("graduated"), new SetTimer("checkin-1", now + CheckInEvery)),
        ("maintenance", TimerFired t) when t.TimerId == $"checkin-{s.CheckInsSent + 1}" => s.CheckInsSent + 1 < s.CheckIns
            ? Decision<PracticeEvent>.Apply([new CheckInSent(s.CheckInsSent + 1, now)], new Notify($"checkin-{s.CheckInsSent + 1}"), new SetTimer($"checkin-{s.CheckInsSent + 2}", now + CheckInEvery))
            : Decision<PracticeEvent>.Apply([new CheckInSent(s.CheckInsSent + 1, now), new Closed(now)], new Notify($"checkin-{s.CheckInsSent + 1}"), new Notify("closed")),
        (_, Count c) when s.Phase != "new" => Decision<PracticeEvent>.Apply([new Counted(c.By)]),
        (_, Remember r) when s.Phase != "new" => Decision<PracticeEvent>.Apply([new Remembered(r.Payload)]),
        (_, TimerFired) => Decision<PracticeEvent>.None,
        _ => Decision<PracticeEvent>.Reject($"{input.GetType().Name} does not apply while the practice engagement is in phase '{s.Phase}'."),
    };

    public override PracticeState Evolve(PracticeState s, PracticeEvent e) => e switch
    {
        Begun b => s with { FirmId = b.FirmId, CoachId = b.CoachId, Phase = "contract", Sessions = b.Sessions, Cadence = b.Cadence, CheckIns = b.CheckIns, DueAt = b.BegunAt + ReminderEvery },
        Signed x => s with { Phase = "sessions", DueAt = x.SignedAt + s.Cadence },
        Reminded r => s with { Reminders = r.Number, DueAt = r.RemindedAt + ReminderEvery },
        Answered a => s with { Answers = s.Answers.Add(a.Text) },
        Counted c => s with { Total = s.Total + c.By },
        Remembered r => s with { Memory = r.Payload },
        SessionHeld h => h.Number < s.Sessions
            ? s with { Held = h.Number, DueAt = h.HeldAt + s.Cadence }
            : s with { Held = h.Number, Phase = "maintenance", DueAt = h.HeldAt + CheckInEvery },
        CheckInSent c => s with { CheckInsSent = c.Number, DueAt = c.SentAt + CheckInEvery },
        Closed => s with { Phase = "closed", DueAt = null },
        _ => s,
    };

    public override InstanceProjection Project(PracticeState s) => new(
        s.FirmId,
        s.CoachId,
        s.Phase,
        s.Phase switch { "contract" => "signature", "sessions" => $"session-{s.Held + 1}", "maintenance" => $"checkin-{s.CheckInsSent + 1}", _ => null },
        s.DueAt,
        s.Reminders >= 2 ? ["slow-to-sign"] : [],
        Completed: s.Phase == "closed");
}

/// <summary>Version 2: also sends a reading list when the contract is signed. Migrates v1 state unchanged.</summary>
public sealed class PracticeWorkflowV2 : PracticeWorkflow
{
    public override int Version => 2;

    protected override IEnumerable<WorkflowEffect> OnSigned() => [new Notify("welcome"), new Notify("reading-list")];

    public override PracticeState? Migrate(int fromVersion, JsonElement oldState, JsonSerializerOptions options) =>
        fromVersion == 1 ? oldState.Deserialize<PracticeState>(options) : null;
}

/// <summary>Formats for log lines and test names.</summary>
internal static class Invariant
{
    public static string Format(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
