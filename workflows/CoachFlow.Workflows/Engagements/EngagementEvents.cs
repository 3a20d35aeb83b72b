using System.Collections.Immutable;
using CoachFlow.Workflows.Questionnaires;
using CoachFlow.Workflows.Reassessments;

namespace CoachFlow.Workflows.Engagements;

// WARNING: these events are stored. Never rename or reshape one that has shipped: add a new event, or an
// upcaster with a test, instead. The runtime finds each again by its simple type name.

/// <summary>Base of everything that happens to an engagement.</summary>
public abstract record EngagementEvent(string EngagementId);

public sealed record EngagementStarted(
    string EngagementId, string FirmId, string CoachId, string ClientId, string ClientName, string ClientEmail,
    string ProgramId, int ProgramVersion, EngagementTerms Terms, DateTimeOffset StartedAt, string? SponsorId = null,
    string? CohortId = null, string? ClientTimeZone = null) : EngagementEvent(EngagementId);

public sealed record ContractSent(string EngagementId, int ContractVersion, string TemplateId, EngagementTerms Terms, DateTimeOffset SentAt, DateTimeOffset ExpiresAt)
    : EngagementEvent(EngagementId);

public sealed record ContractReminderSent(string EngagementId, int Number, DateTimeOffset RemindedAt) : EngagementEvent(EngagementId);

public sealed record ContractSigned(
    string EngagementId, int ContractVersion, string FullName, string IpAddress, string UserAgent, string DocumentSha256, DateTimeOffset SignedAt)
    : EngagementEvent(EngagementId);

public sealed record ContractExpired(string EngagementId, int ContractVersion, DateTimeOffset ExpiredAt) : EngagementEvent(EngagementId);

public sealed record IntakeSent(string EngagementId, string QuestionnaireId, DateTimeOffset SentAt, DateTimeOffset DueAt) : EngagementEvent(EngagementId);

public sealed record IntakeReminderSent(string EngagementId, int Number, DateTimeOffset RemindedAt) : EngagementEvent(EngagementId);

public sealed record IntakeSaved(string EngagementId, ImmutableList<QuestionnaireAnswer> Answers, DateTimeOffset SavedAt) : EngagementEvent(EngagementId);

/// <summary>The intake is complete; <see cref="Baseline"/> holds its ratings, what reassessments compare with.</summary>
public sealed record IntakeCompleted(string EngagementId, ImmutableList<QuestionnaireAnswer> Answers, ImmutableList<Rating> Baseline, DateTimeOffset CompletedAt)
    : EngagementEvent(EngagementId);

public sealed record SessionScheduled(string EngagementId, int Number, DateTimeOffset StartAt, string TimeZoneId, DateTimeOffset ScheduledAt)
    : EngagementEvent(EngagementId);

public sealed record SessionRescheduled(string EngagementId, int Number, DateTimeOffset StartAt, string TimeZoneId, DateTimeOffset RescheduledAt)
    : EngagementEvent(EngagementId);

public sealed record SessionReminderSent(string EngagementId, int Number, DateTimeOffset RemindedAt) : EngagementEvent(EngagementId);

public sealed record PreSessionAnswered(string EngagementId, int Number, ImmutableList<ActionReview> Reviews, string WantsFromSession, DateTimeOffset AnsweredAt)
    : EngagementEvent(EngagementId);

/// <summary>An agreed action, with the id the engagement gave it (<c>s{session}-a{n}</c>).</summary>
public sealed record AgreedAction(string ActionId, string Description, DateTimeOffset DueAt, string Obstacle, string Mitigation);

public sealed record SessionAgreementCaptured(string EngagementId, int Number, SessionAgreement Agreement, ImmutableList<AgreedAction> Actions, DateTimeOffset CapturedAt)
    : EngagementEvent(EngagementId);

public sealed record SessionHeld(string EngagementId, int Number, DateTimeOffset HeldAt) : EngagementEvent(EngagementId);

public sealed record CoachNudged(string EngagementId, int NextSession, DateTimeOffset NudgedAt) : EngagementEvent(EngagementId);

public sealed record ActionCheckInRequested(string EngagementId, string ActionId, DateTimeOffset RequestedAt) : EngagementEvent(EngagementId);

/// <summary>A report on an action, from an email check-in or from the pre-session review.</summary>
public sealed record ActionCheckedIn(string EngagementId, string ActionId, ActionStatus Status, string? Learning, DateTimeOffset CheckedInAt)
    : EngagementEvent(EngagementId);

public sealed record ReassessmentRequested(string EngagementId, int Number, bool Final, DateTimeOffset RequestedAt) : EngagementEvent(EngagementId);

public sealed record ReassessmentReminderSent(string EngagementId, int Number, DateTimeOffset RemindedAt) : EngagementEvent(EngagementId);

public sealed record ReassessmentCompleted(
    string EngagementId, int Number, bool Final, ImmutableList<RatingDelta> Deltas, ImmutableList<IndicatorReading> Indicators, string? Outcomes,
    DateTimeOffset CompletedAt) : EngagementEvent(EngagementId);

public sealed record ReassessmentReviewed(
    string EngagementId, int Number, ImmutableList<string> GoalUpdates, ImmutableList<string> DroppedActionIds, bool AmendmentNeeded, DateTimeOffset ReviewedAt)
    : EngagementEvent(EngagementId);

/// <summary>A flag raised on the engagement; <see cref="Subject"/> names what it is about (an action id, a reassessment).</summary>
public sealed record FlagRaised(string EngagementId, string Flag, string? Subject, DateTimeOffset RaisedAt) : EngagementEvent(EngagementId);

public sealed record FlagCleared(string EngagementId, string Flag, string? Subject, DateTimeOffset ClearedAt) : EngagementEvent(EngagementId);

public sealed record MaintenancePlanDrafted(string EngagementId, MaintenancePlan Plan, DateTimeOffset DraftedAt) : EngagementEvent(EngagementId);

public sealed record MaintenancePlanConfirmed(string EngagementId, DateTimeOffset ConfirmedAt) : EngagementEvent(EngagementId);

public sealed record Graduated(string EngagementId, DateTimeOffset GraduatedAt, DateTimeOffset MaintenanceEndsAt) : EngagementEvent(EngagementId);

public sealed record MaintenanceCheckInSent(string EngagementId, string CheckId, DateTimeOffset SentAt) : EngagementEvent(EngagementId);

public sealed record MaintenanceCheckInRecorded(string EngagementId, string CheckId, bool StillApplying, string? TriggerReported, string? Note, DateTimeOffset RecordedAt)
    : EngagementEvent(EngagementId);

public sealed record EngagementPaused(string EngagementId, Party By, string Reason, DateTimeOffset PausedAt) : EngagementEvent(EngagementId);

public sealed record EngagementResumed(string EngagementId, DateTimeOffset ResumedAt) : EngagementEvent(EngagementId);

public sealed record CoachChanged(string EngagementId, string PreviousCoachId, string NewCoachId, DateTimeOffset ChangedAt) : EngagementEvent(EngagementId);

/// <summary>Either side ended the engagement before its natural close: a first-class path, not an error.</summary>
public sealed record EngagementEnded(string EngagementId, Party By, string Reason, DateTimeOffset EndedAt) : EngagementEvent(EngagementId);

/// <summary>Maintenance is over; the engagement closes.</summary>
public sealed record EngagementClosed(string EngagementId, DateTimeOffset ClosedAt) : EngagementEvent(EngagementId);

/// <summary>The client asked for changes to maintenance plan draft <see cref="Draft"/>; the coach redrafts it.</summary>
public sealed record MaintenancePlanChangesRequested(string EngagementId, int Draft, string Changes, DateTimeOffset RequestedAt) : EngagementEvent(EngagementId);

/// <summary>The coach started <see cref="FollowUpEngagementId"/> for the same client from this engagement.</summary>
public sealed record FollowUpStarted(string EngagementId, string FollowUpEngagementId, DateTimeOffset StartedAt) : EngagementEvent(EngagementId);

/// <summary>This engagement follows up <see cref="PreviousEngagementId"/>, from which the coach started it.</summary>
public sealed record PreviousEngagementLinked(string EngagementId, string PreviousEngagementId, DateTimeOffset LinkedAt) : EngagementEvent(EngagementId);

/// <summary>The coach's short message went to the client, with the link for <see cref="LinkPurpose"/> when something was pending from them.</summary>
public sealed record ClientNudged(string EngagementId, string Message, string? LinkPurpose, DateTimeOffset NudgedAt) : EngagementEvent(EngagementId);

/// <summary>The link for what the client has pending (<see cref="LinkPurpose"/>, about <see cref="Ref"/>) was sent again.</summary>
public sealed record PendingLinkResent(string EngagementId, string LinkPurpose, string Ref, DateTimeOffset ResentAt) : EngagementEvent(EngagementId);

/// <summary>The client turned reminders and nudges off for this engagement (<see cref="StopReminders"/>).</summary>
public sealed record RemindersStopped(string EngagementId, DateTimeOffset StoppedAt) : EngagementEvent(EngagementId);

/// <summary>The client turned reminders and nudges back on.</summary>
public sealed record RemindersResumed(string EngagementId, DateTimeOffset ResumedAt) : EngagementEvent(EngagementId);

/// <summary>A reminder of <see cref="Kind"/> came due while the client had reminders off, and was not sent.</summary>
public sealed record ReminderWithheld(string EngagementId, string Kind, DateTimeOffset WithheldAt) : EngagementEvent(EngagementId);
