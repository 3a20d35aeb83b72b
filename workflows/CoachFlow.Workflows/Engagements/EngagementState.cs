using System.Collections.Immutable;
using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Workflows.Engagements;

/// <summary>The closed set of phases an engagement moves through.</summary>
public enum EngagementPhase
{
    New,
    Contract,
    ContractExpired,
    Intake,
    Sessions,
    Reassessment,
    Graduation,
    Maintenance,
    Paused,
    Closed,
    Ended,
}

/// <summary>
/// Everything an engagement needs to decide its next step. A snapshot the runtime stores as JSON (web defaults):
/// records, init properties, immutable lists, no polymorphic fields.
/// </summary>
public sealed record EngagementState
{
    public string EngagementId { get; init; } = "";
    public EngagementPhase Phase { get; init; } = EngagementPhase.New;
    /// <summary>The phase to return to when a paused engagement resumes.</summary>
    public EngagementPhase? PausedFrom { get; init; }

    public string FirmId { get; init; } = "";
    public string CoachId { get; init; } = "";
    /// <summary>The firm's sponsor user who pays for this client and may read agreed progress; none when null.</summary>
    public string? SponsorId { get; init; }
    /// <summary>The cohort the engagement was imported with (a firm's group started together); null when started alone.</summary>
    public string? CohortId { get; init; }
    /// <summary>The client's IANA time zone when the coach or the import gave one; sessions default to it.</summary>
    public string? ClientTimeZone { get; init; }
    public string ClientId { get; init; } = "";
    public string ClientName { get; init; } = "";
    public string ClientEmail { get; init; } = "";
    public string ProgramId { get; init; } = "";
    public int ProgramVersion { get; init; }
    public DateTimeOffset? StartedAt { get; init; }

    public EngagementTerms? Terms { get; init; }
    /// <summary>The latest contract version offered; above <see cref="SignedContractVersion"/> while an amendment waits.</summary>
    public int ContractVersion { get; init; }
    public int SignedContractVersion { get; init; }
    public int ContractSends { get; init; }
    public int ContractReminders { get; init; }
    public DateTimeOffset? ContractExpiresAt { get; init; }
    public ImmutableList<ContractSignature> Signatures { get; init; } = [];

    public ImmutableList<QuestionnaireAnswer> IntakeAnswers { get; init; } = [];
    public int IntakeReminders { get; init; }
    public DateTimeOffset? IntakeDueAt { get; init; }
    public DateTimeOffset? IntakeCompletedAt { get; init; }
    public ImmutableList<Rating> Baseline { get; init; } = [];
    /// <summary>When ratings were last taken (intake or reassessment): the start of a time-based reassessment rule.</summary>
    public DateTimeOffset? LastRatedAt { get; init; }

    public ImmutableList<SessionRecord> Sessions { get; init; } = [];
    public int SessionsHeld { get; init; }
    public DateTimeOffset? LastSessionHeldAt { get; init; }
    public int CoachNudges { get; init; }
    public ImmutableList<ActionRecord> Actions { get; init; } = [];

    public ImmutableList<ReassessmentRecord> Reassessments { get; init; } = [];

    public MaintenancePlan? Plan { get; init; }
    public int PlanDrafts { get; init; }
    public DateTimeOffset? GraduatedAt { get; init; }
    public DateTimeOffset? MaintenanceEndsAt { get; init; }
    public ImmutableList<string> ChecksSent { get; init; } = [];
    public ImmutableList<MaintenanceCheckRecord> ChecksAnswered { get; init; } = [];

    public ImmutableList<EngagementFlag> Flags { get; init; } = [];

    /// <summary>The plan draft the client asked to change, while the coach has not redrafted it; null otherwise.</summary>
    public int? PlanChangesRequestedOn { get; init; }
    /// <summary>Engagements the coach started from this one for the same client.</summary>
    public ImmutableList<string> FollowUps { get; init; } = [];
    /// <summary>The engagement this one follows up, when the coach started it from an earlier one.</summary>
    public string? PreviousEngagementId { get; init; }

    /// <summary>The coach's last nudge to the client (its message is what the nudge email shows); at most one a day.</summary>
    public ClientNudge? LastNudge { get; init; }

    /// <summary>When the client turned reminders and nudges off (<see cref="StopReminders"/>); null while they are on.</summary>
    public DateTimeOffset? RemindersStoppedAt { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }
    public Party? EndedBy { get; init; }
    public string? EndReason { get; init; }

    public SessionRecord? Session(int number) => Sessions.Find(x => x.Number == number);

    public ActionRecord? Action(string actionId) => Actions.Find(a => a.ActionId == actionId);

    public ReassessmentRecord? Reassessment(int number) => Reassessments.Find(r => r.Number == number);

    public bool HasFlag(string name, string? subject = null) => Flags.Exists(f => f.Name == name && (subject is null || f.Subject == subject));

    /// <summary>Whether nothing more can happen.</summary>
    public bool IsFinished() => Phase is EngagementPhase.Closed or EngagementPhase.Ended;
}

/// <summary>Evidence of one signature: who, when, from where, and the hash of exactly the document shown.</summary>
public sealed record ContractSignature(int ContractVersion, string FullName, string IpAddress, string UserAgent, string DocumentSha256, DateTimeOffset SignedAt);

public sealed record SessionRecord(
    int Number,
    DateTimeOffset StartAt,
    string TimeZoneId,
    bool ReminderSent = false,
    bool PreSessionAnswered = false,
    bool AgreementCaptured = false,
    DateTimeOffset? HeldAt = null);

/// <summary>An action the client committed to, and what they last reported about it.</summary>
/// <param name="NotDoneStreak">Reports in a row (check-ins and reviews) that said "not done".</param>
public sealed record ActionRecord(
    string ActionId,
    int SessionNumber,
    string Description,
    DateTimeOffset DueAt,
    ActionStatus? LastStatus = null,
    string? LastLearning = null,
    int NotDoneStreak = 0,
    bool CheckInRequested = false,
    bool Dropped = false)
{
    public bool IsOpen() => LastStatus != ActionStatus.Done && !Dropped;
}

public sealed record ReassessmentRecord(
    int Number,
    bool Final,
    DateTimeOffset RequestedAt,
    int Reminders = 0,
    ImmutableList<Rating>? Ratings = null,
    DateTimeOffset? CompletedAt = null,
    DateTimeOffset? ReviewedAt = null);

public sealed record MaintenanceCheckRecord(string CheckId, bool StillApplying, string? TriggerReported, DateTimeOffset RecordedAt);

public sealed record EngagementFlag(string Name, string? Subject, DateTimeOffset RaisedAt);

/// <summary>A short message from the coach to the client, and when it went.</summary>
public sealed record ClientNudge(string Message, DateTimeOffset NudgedAt);
