using System.Collections.Immutable;
using CoachFlow.Workflows.Questionnaires;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

// What the coach (extension), the client (links in emails) and the host ask an engagement to do.

/// <summary>The terms the contract is rendered with.</summary>
public sealed record EngagementTerms(
    int SessionMinutes,
    decimal Fee,
    string Currency,
    string PaymentTerms,
    string CancellationPolicy,
    string? SponsorName,
    string SponsorSees,
    ImmutableList<string> OverallGoals);

public sealed record StartEngagement(
    string FirmId,
    string CoachId,
    string ClientId,
    string ClientName,
    string ClientEmail,
    string ProgramId,
    EngagementTerms Terms,
    int? ProgramVersion = null,
    string? SponsorId = null,
    string? FollowUpOf = null,
    string? CohortId = null,
    string? ClientTimeZone = null) : WorkflowInput;

/// <summary>The client signs the version they were shown; <see cref="DocumentSha256"/> is the hash of exactly that document.</summary>
public sealed record SignContract(
    int ContractVersion,
    string FullName,
    bool Consent,
    string IpAddress,
    string UserAgent,
    string DocumentSha256) : WorkflowInput;

public sealed record ResendContract : WorkflowInput;

public sealed record SaveIntake(ImmutableList<QuestionnaireAnswer> Answers) : WorkflowInput;

/// <summary>Submits the intake; <see cref="Answers"/> are merged over the saved ones first.</summary>
public sealed record SubmitIntake(ImmutableList<QuestionnaireAnswer> Answers) : WorkflowInput;

public sealed record ScheduleSession(int Number, DateTimeOffset StartAt, string TimeZoneId) : WorkflowInput;

public sealed record RescheduleSession(int Number, DateTimeOffset StartAt, string TimeZoneId) : WorkflowInput;

/// <summary>The review ritual on one open action.</summary>
public sealed record ActionReview(string ActionId, ActionStatus Status, string? Learning);

public sealed record AnswerPreSession(int Number, ImmutableList<ActionReview> Reviews, string WantsFromSession) : WorkflowInput;

/// <summary>GROW: today's goal, the reality, the options, the way forward.</summary>
public sealed record Grow(string Goal, string Reality, string Options, string Will);

/// <summary>A specific, measurable goal for the session, and how both will know it worked.</summary>
public sealed record SessionGoal(string Description, string Measure);

/// <summary>An action the client proposed, with a due date, the obstacle they expect and how they will get round it.</summary>
public sealed record ProposedAction(string Description, DateTimeOffset DueAt, string Obstacle, string Mitigation);

/// <summary>A leading indicator and its target, e.g. informational interviews: 5 by the end of the quarter.</summary>
public sealed record LeadingIndicator(string Name, string Target);

/// <summary>The session agreement the coach captures; <see cref="PrivateCoachNotes"/> never reach the client or a sponsor.</summary>
public sealed record SessionAgreement(
    Grow Grow,
    ImmutableList<SessionGoal> Goals,
    ImmutableList<ProposedAction> Actions,
    string Accountability,
    ImmutableList<LeadingIndicator> LeadingIndicators,
    string Takeaways,
    string SharedNotes,
    string PrivateCoachNotes);

public sealed record CaptureSessionAgreement(int Number, SessionAgreement Agreement) : WorkflowInput;

public sealed record MarkSessionHeld(int Number) : WorkflowInput;

public sealed record CheckInAction(string ActionId, ActionStatus Status, string? Learning) : WorkflowInput;

/// <summary>What a leading indicator stands at.</summary>
public sealed record IndicatorReading(string Name, string Value);

public sealed record SubmitReassessment(
    int Number,
    ImmutableList<Rating> Ratings,
    ImmutableList<IndicatorReading> Indicators,
    string? Outcomes = null) : WorkflowInput;

/// <summary>The coach and client's review; <see cref="DroppedActionIds"/> are actions the client let go of.</summary>
public sealed record ReviewReassessment(
    int Number,
    ImmutableList<string> GoalUpdates,
    ImmutableList<string> DroppedActionIds,
    bool AmendmentNeeded,
    EngagementTerms? AmendedTerms = null) : WorkflowInput;

/// <summary>The client's self-coaching plan: their "career operating system".</summary>
public sealed record MaintenancePlan(
    ImmutableList<string> Frameworks,
    ImmutableList<string> ValuesAndStrengths,
    string GoalTracking,
    string RetreatCadence,
    ImmutableList<string> SupportTriggers,
    string Outcomes);

public sealed record DraftMaintenancePlan(MaintenancePlan Plan) : WorkflowInput;

public sealed record ConfirmMaintenancePlan : WorkflowInput;

/// <summary>The client asks for changes to the plan draft they were shown (<see cref="Draft"/>), in their own words.</summary>
public sealed record RequestPlanChanges(int Draft, string Changes) : WorkflowInput;

/// <summary>An answer to a maintenance check; <see cref="CheckId"/> is <c>maintenance-checkin-N</c> or <c>six-month-check</c>.</summary>
public sealed record AnswerMaintenanceCheckIn(string CheckId, bool StillApplying, string? TriggerReported, string? Note = null) : WorkflowInput;

public sealed record PauseEngagement(Party By, string Reason) : WorkflowInput;

public sealed record ResumeEngagement : WorkflowInput;

public sealed record EndEngagement(Party By, string Reason) : WorkflowInput;

public sealed record ChangeCoach(string NewCoachId) : WorkflowInput;

/// <summary>The email provider reported that mail to the client bounced or was dropped; <see cref="Event"/> is its event name.</summary>
public sealed record ReportEmailBouncing(string Event) : WorkflowInput;

/// <summary>The coach starts <see cref="FollowUpEngagementId"/> for the same client, from a graduated client's engagement.</summary>
public sealed record StartFollowUp(string FollowUpEngagementId) : WorkflowInput;

/// <summary>A short message from the coach, emailed to the client in the firm's template with the link to what the client has pending.</summary>
/// <remarks>At most one a day per engagement (<see cref="EngagementWorkflow.NudgeInterval"/>); at most <see cref="EngagementWorkflow.MaxNudgeLength"/> characters.</remarks>
public sealed record NudgeClient(string Message) : WorkflowInput;

/// <summary>Sends again the link for what the engagement waits for from the client (contract, intake, pre-session questions, reassessment, plan, check).</summary>
public sealed record ResendPendingLink : WorkflowInput;

/// <summary>
/// The client asks for no more reminders and nudges (<see cref="EmailKinds.RemindersAndNudges"/>) in this engagement:
/// the one-click <c>List-Unsubscribe</c> of a reminder email, or the button on its page. The contract, the client's
/// records and every email that is not a reminder go on as before.
/// </summary>
public sealed record StopReminders : WorkflowInput;

/// <summary>The client turns reminders and nudges back on (the button on the same page).</summary>
public sealed record ResumeReminders : WorkflowInput;
