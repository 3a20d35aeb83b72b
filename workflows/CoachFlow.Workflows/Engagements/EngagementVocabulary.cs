using System.Collections.Immutable;

namespace CoachFlow.Workflows.Engagements;

/// <summary>The kinds of email an engagement sends. Emails carry links, never the client's answers.</summary>
public static class EmailKinds
{
    public const string ContractInvitation = "contract-invitation";
    public const string ContractReminder = "contract-reminder";
    public const string ContractAmendment = "contract-amendment";
    public const string IntakeInvitation = "intake-invitation";
    public const string IntakeReminder = "intake-reminder";
    public const string PreSessionBrief = "pre-session-brief";
    public const string SessionConfirmation = "session-confirmation";
    public const string SessionRescheduled = "session-rescheduled";
    public const string SessionReminder = "session-reminder";
    public const string SessionSummary = "session-summary";
    public const string ActionCheckIn = "action-checkin";
    public const string ReassessmentInvitation = "reassessment-invitation";
    public const string ReassessmentReminder = "reassessment-reminder";
    public const string GoalsUpdated = "goals-updated";
    public const string MaintenancePlanReview = "maintenance-plan-review";
    public const string Graduation = "graduation";
    public const string MaintenanceCheckIn = "maintenance-checkin";
    public const string StillApplyingCheck = "still-applying-check";
    public const string EngagementPaused = "engagement-paused";
    public const string EngagementResumed = "engagement-resumed";
    public const string CoachChanged = "coach-changed";
    public const string EngagementEnded = "engagement-ended";
    public const string MaintenanceComplete = "maintenance-complete";
    /// <summary>To the coach: a client in maintenance reported a trigger for seeking support again.</summary>
    public const string SupportRequested = "support-requested";
    /// <summary>To the coach: the client asked for changes to the maintenance plan draft.</summary>
    public const string MaintenancePlanChangesRequested = "maintenance-plan-changes-requested";
    /// <summary>To the sponsor, on the program's <see cref="Programs.SponsorReports"/> cadence: a link to the progress report, nothing more.</summary>
    public const string ProgressReport = "progress-report";
    /// <summary>To the client: a short message from the coach (bulk follow-up), with the link to what they have pending, if anything.</summary>
    public const string ClientNudge = "client-nudge";

    public static readonly ImmutableList<string> All =
    [
        ContractInvitation, ContractReminder, ContractAmendment, IntakeInvitation, IntakeReminder, PreSessionBrief,
        SessionConfirmation, SessionRescheduled, SessionReminder, SessionSummary, ActionCheckIn, ReassessmentInvitation,
        ReassessmentReminder, GoalsUpdated, MaintenancePlanReview, Graduation, MaintenanceCheckIn, StillApplyingCheck,
        EngagementPaused, EngagementResumed, CoachChanged, EngagementEnded, MaintenanceComplete,
        SupportRequested, MaintenancePlanChangesRequested, ProgressReport, ClientNudge,
    ];

    /// <summary>
    /// The emails a client can turn off (<see cref="StopReminders"/>, the one-click <c>List-Unsubscribe</c> they carry):
    /// the reminders (contract, intake, session, reassessment), the check-ins (on an action, in maintenance, "still
    /// applying it?") and the coach's nudge. Everything else the client needs whatever they chose: the contract and its
    /// amendments, invitations, session confirmations and changes, summaries, goals, the plan, graduation, notices.
    /// </summary>
    public static readonly ImmutableList<string> RemindersAndNudges =
    [
        ContractReminder, IntakeReminder, SessionReminder, ReassessmentReminder, ActionCheckIn, MaintenanceCheckIn, StillApplyingCheck, ClientNudge,
    ];
}

/// <summary>
/// What an emailed link is for (a <see cref="SendEmail.LinkPurpose"/>): each opens its own page and what belongs to it
/// (CoachFlow.Web's <c>ClientForms</c>). Timer ids of maintenance check-ins are purposes too (<see cref="TimerIds"/>).
/// </summary>
/// <remarks>WARNING: stored in signed links already emailed and in step inputs. Never rename one that has shipped.</remarks>
public static class LinkPurposes
{
    /// <summary>The contract (and each amendment) to read and sign; the only single-use link.</summary>
    public const string SignContract = "sign-contract";
    public const string Intake = "intake";
    public const string PreSessionQuestionnaire = "pre-session-questionnaire";
    public const string ActionCheckIn = "action-checkin";
    public const string Reassessment = "reassessment";
    public const string ConfirmMaintenancePlan = "confirm-maintenance-plan";
    public const string MaintenanceCheckIn = "maintenance-checkin";
    /// <summary>The "still applying it?" check, as links sent before it carried its timer id named it.</summary>
    public const string StillApplying = "still-applying";
    public const string SessionDetails = "session-details";
    public const string SessionSummary = "session-summary";
    public const string Goals = "goals";
    public const string MaintenancePlan = "maintenance-plan";
    public const string ClosingSummary = "closing-summary";
    /// <summary>The coach's brief before the first session (emailed to the coach).</summary>
    public const string PreSessionBrief = "pre-session-brief";
    /// <summary>The sponsor's link: it opens the progress report it was sent for, and nothing of the client's.</summary>
    public const string ProgressReport = "progress-report";
}

/// <summary>Who an email goes to.</summary>
public static class Recipients
{
    public const string Client = "client";
    public const string Coach = "coach";
    /// <summary>The engagement's sponsor (only progress reports go to them).</summary>
    public const string Sponsor = "sponsor";
}

/// <summary>The flags an engagement can carry.</summary>
public static class FlagNames
{
    /// <summary>Nothing happened for the program's <c>StalledAfter</c>.</summary>
    public const string Stalled = "stalled";
    /// <summary>A reassessment shows no rating improved.</summary>
    public const string StalledProgress = "stalled-progress";
    /// <summary>An action was reported not done in two or more reports in a row.</summary>
    public const string GoalNotResonant = "goal-not-resonant";

    /// <summary>Email to the client bounces or is dropped: the coach should check the address.</summary>
    public const string ClientEmailBouncing = "client-email-bouncing";

    /// <summary>In a maintenance check the client reported a trigger for seeking support again; cleared when the coach starts a follow-up engagement.</summary>
    public const string SupportRequested = "support-requested";
}

/// <summary>The ids of the durable timers an engagement sets.</summary>
public static class TimerIds
{
    public const string ContractReminder = "contract-reminder";
    public const string ContractExpiry = "contract-expiry";
    public const string IntakeReminder = "intake-reminder";
    public const string ReassessmentReminder = "reassessment-reminder";
    public const string CoachNudge = "coach-nudge";
    public const string Stalled = "stalled";
    public const string SixMonthCheck = "six-month-check";
    public const string MaintenanceEnd = "maintenance-end";
    public const string SessionReminderPrefix = "session-reminder-";
    public const string CheckInPrefix = "checkin-";
    public const string MaintenanceCheckInPrefix = "maintenance-checkin-";

    public static string SessionReminder(int number) => $"{SessionReminderPrefix}{number}";
    public static string ActionCheckIn(string actionId) => $"{CheckInPrefix}{actionId}";
    public static string MaintenanceCheckIn(int number) => $"{MaintenanceCheckInPrefix}{number}";
}

/// <summary>A side of the coaching relationship.</summary>
public enum Party
{
    Coach,
    Client,
}

/// <summary>How far a client got with an action.</summary>
public enum ActionStatus
{
    Done,
    Partly,
    NotDone,
}
