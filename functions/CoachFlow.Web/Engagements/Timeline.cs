using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Engagements;

/// <summary>
/// The engagement's history as a coach reads it: each entry has a stable kebab-case <c>type</c> (what a
/// program filters on; never a .NET type name) and a sentence a coach would write.
/// </summary>
/// <remarks>
/// The kinds are part of the API: a kind, once listed in <see cref="KindsDescription"/>, is never renamed. A
/// sponsor's sentences name no action and nothing the client typed.
/// </remarks>
public static class Timeline
{
    /// <summary>Stored event type → the kind the API shows.</summary>
    public static readonly FrozenDictionary<string, string> Kinds = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(EngagementStarted)] = "engagement-started",
        [nameof(ContractSent)] = "contract-sent",
        [nameof(ContractReminderSent)] = "contract-reminder-sent",
        [nameof(ContractSigned)] = "contract-signed",
        [nameof(ContractExpired)] = "contract-expired",
        [nameof(IntakeSent)] = "intake-sent",
        [nameof(IntakeReminderSent)] = "intake-reminder-sent",
        [nameof(IntakeSaved)] = "intake-saved",
        [nameof(IntakeCompleted)] = "intake-completed",
        [nameof(SessionScheduled)] = "session-scheduled",
        [nameof(SessionRescheduled)] = "session-rescheduled",
        [nameof(SessionReminderSent)] = "session-reminder-sent",
        [nameof(PreSessionAnswered)] = "pre-session-answered",
        [nameof(SessionAgreementCaptured)] = "session-agreement-captured",
        [nameof(SessionHeld)] = "session-held",
        [nameof(CoachNudged)] = "coach-nudged",
        [nameof(ActionCheckInRequested)] = "action-check-in-requested",
        [nameof(ActionCheckedIn)] = "action-checked-in",
        [nameof(ReassessmentRequested)] = "reassessment-requested",
        [nameof(ReassessmentReminderSent)] = "reassessment-reminder-sent",
        [nameof(ReassessmentCompleted)] = "reassessment-completed",
        [nameof(ReassessmentReviewed)] = "reassessment-reviewed",
        [nameof(FlagRaised)] = "flag-raised",
        [nameof(FlagCleared)] = "flag-cleared",
        [nameof(MaintenancePlanDrafted)] = "maintenance-plan-drafted",
        [nameof(MaintenancePlanConfirmed)] = "maintenance-plan-confirmed",
        [nameof(Graduated)] = "graduated",
        [nameof(MaintenanceCheckInSent)] = "maintenance-check-in-sent",
        [nameof(MaintenanceCheckInRecorded)] = "maintenance-check-in-answered",
        [nameof(EngagementPaused)] = "engagement-paused",
        [nameof(EngagementResumed)] = "engagement-resumed",
        [nameof(CoachChanged)] = "coach-changed",
        [nameof(EngagementEnded)] = "engagement-ended",
        [nameof(EngagementClosed)] = "engagement-closed",
        [nameof(MaintenancePlanChangesRequested)] = "maintenance-plan-changes-requested",
        [nameof(FollowUpStarted)] = "follow-up-started",
        [nameof(PreviousEngagementLinked)] = "follows-up-engagement",
        [nameof(ClientNudged)] = "client-nudged",
        [nameof(PendingLinkResent)] = "pending-link-resent",
        [nameof(RemindersStopped)] = "reminders-stopped",
        [nameof(RemindersResumed)] = "reminders-resumed",
        [nameof(ReminderWithheld)] = "reminder-withheld",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The OpenAPI description of <c>TimelineEntry.type</c>: every kind, so clients can rely on them.</summary>
    public const string KindsDescription =
        "What happened, as a stable kebab-case kind (never renamed): engagement-started, contract-sent, contract-reminder-sent, " +
        "contract-signed, contract-expired, intake-sent, intake-reminder-sent, intake-saved, intake-completed, session-scheduled, " +
        "session-rescheduled, session-reminder-sent, pre-session-answered, session-agreement-captured, session-held, coach-nudged, " +
        "action-check-in-requested, action-checked-in, reassessment-requested, reassessment-reminder-sent, reassessment-completed, " +
        "reassessment-reviewed, flag-raised, flag-cleared, maintenance-plan-drafted, maintenance-plan-confirmed, graduated, " +
        "maintenance-check-in-sent, maintenance-check-in-answered, engagement-paused, engagement-resumed, coach-changed, " +
        "engagement-ended, engagement-closed, maintenance-plan-changes-requested, follow-up-started, follows-up-engagement, client-nudged, " +
        "pending-link-resent, reminders-stopped, reminders-resumed, reminder-withheld; " +
        "anything else: event. (An email or document that could not be delivered shows as the effect-parked flag; a step the engine could not record, as step-parked; an engagement the engine found stopped and restarted, as engagement-repaired.)";

    /// <summary>The kind for a stored type; an unknown one (a newer host's) is just <c>event</c>.</summary>
    public static string KindOf(string storedType) => Kinds.GetValueOrDefault(storedType, "event");

    public static IReadOnlyList<TimelineEntry> Build(IReadOnlyList<TimelineEvent> history, EngagementState state, bool sponsor)
    {
        var client = FirstName(state.ClientName);
        var drafts = 0;
        var entries = new List<TimelineEntry>(history.Count);
        foreach (var h in history)
        {
            if (h.Type == nameof(MaintenancePlanDrafted)) drafts++;
            entries.Add(new TimelineEntry(h.At, KindOf(h.Type), Sentence(h, state, client, drafts, sponsor)));
        }
        return entries;
    }

    private static string Sentence(TimelineEvent h, EngagementState state, string client, int drafts, bool sponsor)
    {
        var d = h.Data;
        int Int(string name) => d.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;
        string? Str(string name) => d.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        bool Bool(string name) => d.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        string Action() => sponsor ? "an action" : state.Action(Str("actionId") ?? "") is { } a ? $"'{a.Description}'" : "an action";
        string By() => string.Equals(Str("by"), nameof(Party.Client), StringComparison.OrdinalIgnoreCase) ? client : "the coach";

        return h.Type switch
        {
            nameof(EngagementStarted) => $"Engagement with {client} started",
            nameof(ContractSent) => $"Contract version {Int("contractVersion")} sent to {client} to sign",
            nameof(ContractReminderSent) => $"Reminder {Int("number")} to sign the contract sent to {client}",
            nameof(ContractSigned) => $"{client} signed contract version {Int("contractVersion")}",
            nameof(ContractExpired) => $"Contract version {Int("contractVersion")} expired unsigned",
            nameof(IntakeSent) => $"Pre-coaching questionnaire sent to {client}",
            nameof(IntakeReminderSent) => $"Reminder {Int("number")} about the pre-coaching questionnaire sent to {client}",
            nameof(IntakeSaved) => $"{client} saved part of the pre-coaching questionnaire",
            nameof(IntakeCompleted) => $"{client} completed the pre-coaching questionnaire",
            nameof(SessionScheduled) => $"Session {Int("number")} booked for {When(d, "startAt")}",
            nameof(SessionRescheduled) => $"Session {Int("number")} moved to {When(d, "startAt")}",
            nameof(SessionReminderSent) => $"Reminder for session {Int("number")} sent to {client}",
            nameof(PreSessionAnswered) => $"{client} answered the questions before session {Int("number")}",
            nameof(SessionAgreementCaptured) => $"Session {Int("number")} agreement captured{Actions(d)}",
            nameof(SessionHeld) => $"Session {Int("number")} held",
            nameof(CoachNudged) => $"Reminder to book session {Int("nextSession")}",
            nameof(ActionCheckInRequested) => $"Check-in on {Action()} sent to {client}",
            nameof(ActionCheckedIn) => $"{client} checked in on {Action()}: {Status(Str("status"))}",
            nameof(ReassessmentRequested) => Bool("final") ? $"Final reassessment sent to {client}" : $"Reassessment {Int("number")} sent to {client}",
            nameof(ReassessmentReminderSent) => $"Reminder about reassessment {Int("number")} sent to {client}",
            nameof(ReassessmentCompleted) => $"{client} completed {(Bool("final") ? "the final reassessment" : $"reassessment {Int("number")}")}",
            nameof(ReassessmentReviewed) => $"Reassessment {Int("number")} reviewed together{(Bool("amendmentNeeded") ? "; the contract needs an amendment" : "")}",
            nameof(FlagRaised) => Flag(Str("flag"), client, raised: true),
            nameof(FlagCleared) => Flag(Str("flag"), client, raised: false),
            nameof(MaintenancePlanDrafted) => $"Maintenance plan version {drafts} sent to {client} to confirm or ask for changes",
            nameof(MaintenancePlanConfirmed) => $"{client} confirmed the maintenance plan",
            nameof(Graduated) => $"{client} graduated; maintenance runs until {When(d, "maintenanceEndsAt", withTime: false)}",
            nameof(MaintenanceCheckInSent) => Str("checkId") == TimerIds.SixMonthCheck ? $"“Still applying it?” check sent to {client}" : $"Maintenance check-in sent to {client}",
            nameof(MaintenanceCheckInRecorded) => Str("triggerReported") is { Length: > 0 } && !sponsor
                ? $"{client} answered the maintenance check-in and asked for support again"
                : $"{client} answered the maintenance check-in",
            nameof(EngagementPaused) => $"Paused by {By()}",
            nameof(EngagementResumed) => "Resumed",
            nameof(CoachChanged) => "Handed over to another coach of the firm",
            nameof(EngagementEnded) => $"Ended early by {By()}",
            nameof(EngagementClosed) => "Maintenance is over; the engagement closed",
            nameof(MaintenancePlanChangesRequested) => $"{client} asked for changes to maintenance plan version {Int("draft")}",
            nameof(FollowUpStarted) => $"Follow-up engagement started for {client}",
            nameof(PreviousEngagementLinked) => $"Follows up an earlier engagement with {client}",
            // The coach's message is for the coach's eyes and the client's; a sponsor reads only that a note went.
            nameof(ClientNudged) => sponsor || Str("message") is not { Length: > 0 } message
                ? $"Sent {client} a note"
                : $"Sent {client} a note: “{message}”",
            nameof(PendingLinkResent) => $"Sent {client} the link to {PendingWords(Str("linkPurpose"))} again",
            nameof(RemindersStopped) => $"{client} turned reminders and nudges off",
            nameof(RemindersResumed) => $"{client} turned reminders and nudges back on",
            nameof(ReminderWithheld) => $"{ReminderWords(Str("kind"))} not sent: {client} turned reminders off",
            _ => "Something happened that this version of CoachFlow does not describe",
        };
    }

    private static string ReminderWords(string? kind) => kind switch
    {
        EmailKinds.ContractReminder => "Reminder to sign the contract",
        EmailKinds.IntakeReminder => "Reminder about the pre-coaching questionnaire",
        EmailKinds.SessionReminder => "Session reminder",
        EmailKinds.ReassessmentReminder => "Reminder about the reassessment",
        EmailKinds.ActionCheckIn => "Check-in on an action",
        EmailKinds.StillApplyingCheck => "“Still applying it?” check",
        _ => "Maintenance check-in",
    };

    private static string PendingWords(string? purpose) => purpose switch
    {
        LinkPurposes.Intake => "the pre-coaching questionnaire",
        LinkPurposes.PreSessionQuestionnaire => "the questions before the session",
        LinkPurposes.Reassessment => "the reassessment",
        LinkPurposes.ConfirmMaintenancePlan => "the maintenance plan",
        TimerIds.SixMonthCheck => "the “still applying it?” check",
        _ => "the maintenance check-in",
    };

    private static string Flag(string? flag, string client, bool raised) => (flag, raised) switch
    {
        (FlagNames.Stalled, true) => "Flagged: nothing has happened for a while",
        (FlagNames.Stalled, false) => "Moving again",
        (FlagNames.StalledProgress, true) => "Flagged: no rating improved in the reassessment",
        (FlagNames.StalledProgress, false) => "Ratings improving again",
        (FlagNames.GoalNotResonant, true) => "Flagged: an action was reported not done twice in a row; is the goal still the client's?",
        (FlagNames.GoalNotResonant, false) => "The action is moving again",
        (FlagNames.ClientEmailBouncing, true) => $"Flagged: email to {client} bounces; check the address",
        (FlagNames.ClientEmailBouncing, false) => $"Email to {client} is delivered again",
        (FlagNames.SupportRequested, true) => $"{client} asked for support again: a trigger from the maintenance plan",
        (FlagNames.SupportRequested, false) => $"Support request answered",
        (_, true) => $"Flagged: {flag}",
        (_, false) => $"Flag cleared: {flag}",
    };

    private static string Actions(JsonElement d)
    {
        var n = d.TryGetProperty("actions", out var a) && a.ValueKind == JsonValueKind.Array ? a.GetArrayLength() : 0;
        return n switch { 0 => "", 1 => " with 1 action", _ => $" with {n} actions" };
    }

    private static string Status(string? status) => status switch
    {
        "Done" or "done" => "done",
        "Partly" or "partly" => "partly done",
        "NotDone" or "not-done" => "not done",
        _ => status ?? "reported",
    };

    private static string When(JsonElement d, string name, bool withTime = true)
    {
        if (!d.TryGetProperty(name, out var v) || !v.TryGetDateTimeOffset(out var at)) return "a date to be confirmed";
        var zone = d.TryGetProperty("timeZoneId", out var z) && z.GetString() is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var tz) ? tz : null;
        var local = zone is null ? at : TimeZoneInfo.ConvertTime(at, zone);
        return withTime
            ? local.ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + (zone is null ? " UTC" : $" ({zone.Id})")
            : local.ToString("d MMM yyyy", CultureInfo.InvariantCulture);
    }

    private static string FirstName(string name) => CoachFlow.Documents.Reading.FirstName(name) is { Length: > 0 } first ? first : "the client";
}
