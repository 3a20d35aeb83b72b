using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

// Sessions 1..N: scheduling, the pre-session review, the session agreement, the summary, action check-ins, nudges.
public sealed partial class EngagementWorkflow
{
    private Decision<EngagementEvent> Schedule(EngagementState s, ScheduleSession schedule, DateTimeOffset now)
    {
        var program = ProgramOf(s);
        var next = s.SessionsHeld + 1;
        if (schedule.Number < next) return Decision<EngagementEvent>.None;
        if (schedule.Number > program.SessionCount)
            return Reject(s, schedule, $"the program has {program.SessionCount} sessions");
        if (schedule.Number > next)
            return Reject(s, schedule, $"session {next} has not been held yet");
        if (s.Session(schedule.Number) is { } existing)
            return existing.StartAt == schedule.StartAt && existing.TimeZoneId == schedule.TimeZoneId
                ? Decision<EngagementEvent>.None
                : Reject(s, schedule, $"session {schedule.Number} is already scheduled; reschedule it instead");
        if (s.Phase is EngagementPhase.Reassessment or EngagementPhase.Graduation)
            return Decision<EngagementEvent>.Defer($"ScheduleSession for session {schedule.Number} waits until reassessment of engagement {s.EngagementId} is reviewed.");
        if (s.Phase is not (EngagementPhase.Intake or EngagementPhase.Sessions))
            return Reject(s, schedule, "sessions are over");

        return Decision<EngagementEvent>.Apply(
            [new SessionScheduled(s.EngagementId, schedule.Number, schedule.StartAt, schedule.TimeZoneId, now)],
            new CancelTimer(TimerIds.CoachNudge),
            Email(EmailKinds.SessionConfirmation, Recipients.Client, LinkPurposes.SessionDetails, $"session-{schedule.Number}"),
            new SetTimer(TimerIds.SessionReminder(schedule.Number), Max(now, schedule.StartAt - program.Reminders.SessionReminderBefore)));
    }

    private Decision<EngagementEvent> Reschedule(EngagementState s, RescheduleSession reschedule, DateTimeOffset now)
    {
        if (s.Session(reschedule.Number) is not { } session)
            return Reject(s, reschedule, $"session {reschedule.Number} is not scheduled");
        if (session.HeldAt is not null)
            return Reject(s, reschedule, $"session {reschedule.Number} has already been held");
        if (session.StartAt == reschedule.StartAt && session.TimeZoneId == reschedule.TimeZoneId)
            return Decision<EngagementEvent>.None;
        return Decision<EngagementEvent>.Apply(
            [new SessionRescheduled(s.EngagementId, reschedule.Number, reschedule.StartAt, reschedule.TimeZoneId, now)],
            Email(EmailKinds.SessionRescheduled, Recipients.Client, LinkPurposes.SessionDetails, $"session-{reschedule.Number}@{reschedule.StartAt:O}"),
            new SetTimer(TimerIds.SessionReminder(reschedule.Number), Max(now, reschedule.StartAt - ProgramOf(s).Reminders.SessionReminderBefore)));
    }

    private Decision<EngagementEvent> SessionReminder(EngagementState s, int number, DateTimeOffset now) =>
        s.Session(number) is { ReminderSent: false, HeldAt: null }
            ? Decision<EngagementEvent>.Apply(
                [new SessionReminderSent(s.EngagementId, number, now)],
                Email(EmailKinds.SessionReminder, Recipients.Client, LinkPurposes.PreSessionQuestionnaire, $"session-{number}"))
            : Decision<EngagementEvent>.None;

    private Decision<EngagementEvent> AnswerPreSession(EngagementState s, AnswerPreSession answer, DateTimeOffset now)
    {
        if (s.Session(answer.Number) is not { } session || session.HeldAt is not null)
            return answer.Number <= s.SessionsHeld ? Decision<EngagementEvent>.None : Reject(s, answer, $"session {answer.Number} is not scheduled");
        if (session.PreSessionAnswered) return Decision<EngagementEvent>.None;
        if (answer.Reviews.FirstOrDefault(r => s.Action(r.ActionId) is null) is { } unknown)
            return Reject(s, answer, $"there is no action '{unknown.ActionId}'");

        List<EngagementEvent> events = [new PreSessionAnswered(s.EngagementId, answer.Number, answer.Reviews, answer.WantsFromSession, now)];
        List<WorkflowEffect> effects =
        [
            new WriteDocument("pre-session-answers", $"session-{answer.Number}-pre-session"),
            new NotifyCoach("pre-session-answers", $"session-{answer.Number}"),
        ];
        foreach (var review in answer.Reviews.Where(r => s.Action(r.ActionId)!.IsOpen()))
            ReportOnAction(s, review.ActionId, review.Status, review.Learning, now, events, effects);
        return Apply(events, effects);
    }

    private Decision<EngagementEvent> CaptureAgreement(EngagementState s, CaptureSessionAgreement capture, DateTimeOffset now)
    {
        if (capture.Number <= s.SessionsHeld) return Decision<EngagementEvent>.None;
        if (s.Session(capture.Number) is not { } session) return Reject(s, capture, $"session {capture.Number} is not scheduled");
        if (session.AgreementCaptured) return Decision<EngagementEvent>.None;
        var agreement = capture.Agreement;
        if (agreement.Goals.Count is < 1 or > 3)
            return Reject(s, capture, "a session agreement has one to three measurable goals");
        if (agreement.Goals.Any(g => string.IsNullOrWhiteSpace(g.Measure)))
            return Reject(s, capture, "every session goal needs a measure of success");
        if (agreement.Actions.Any(a => string.IsNullOrWhiteSpace(a.Description)))
            return Reject(s, capture, "every action needs a description in the client's words");

        var actions = agreement.Actions
            .Select((a, i) => new AgreedAction($"s{capture.Number}-a{i + 1}", a.Description, a.DueAt, a.Obstacle, a.Mitigation))
            .ToList();
        List<WorkflowEffect> effects = [new WriteDocument("session-agreement", $"session-{capture.Number}-agreement")];
        if (!string.IsNullOrWhiteSpace(agreement.PrivateCoachNotes))
            effects.Add(new WriteDocument("coach-private-notes", $"session-{capture.Number}-coach-notes"));
        return Apply([new SessionAgreementCaptured(s.EngagementId, capture.Number, agreement, [.. actions], now)], effects);
    }

    private Decision<EngagementEvent> MarkHeld(EngagementState s, MarkSessionHeld held, DateTimeOffset now)
    {
        if (held.Number <= s.SessionsHeld) return Decision<EngagementEvent>.None;
        if (s.Session(held.Number) is not { } session) return Reject(s, held, $"session {held.Number} is not scheduled");
        if (!session.AgreementCaptured)
            return Decision<EngagementEvent>.Defer($"MarkSessionHeld for session {held.Number} waits for its session agreement.");

        var program = ProgramOf(s);
        List<EngagementEvent> events = [new SessionHeld(s.EngagementId, held.Number, now)];
        List<WorkflowEffect> effects =
        [
            new CancelTimer(TimerIds.SessionReminder(held.Number)),
            new WriteDocument("session-summary", $"session-{held.Number}-summary"),
            Email(EmailKinds.SessionSummary, Recipients.Client, LinkPurposes.SessionSummary, $"session-{held.Number}"),
            .. s.Actions.Where(a => a.SessionNumber == held.Number).Select(a => new SetTimer(TimerIds.ActionCheckIn(a.ActionId), Max(now, a.DueAt))),
            .. SponsorReport(s, SponsorReports.AfterEachSession, $"session-{held.Number}"),
        ];

        var isLast = held.Number >= program.SessionCount;
        if ((isLast && program.Reassessment.AtEnd)
            || (!isLast && program.Reassessment.IsDue(held.Number, s.LastRatedAt ?? now, now)))
        {
            var number = s.Reassessments.Count + 1;
            events.Add(new ReassessmentRequested(s.EngagementId, number, isLast, now));
            effects.Add(Email(EmailKinds.ReassessmentInvitation, Recipients.Client, LinkPurposes.Reassessment, $"reassessment-{number}"));
            effects.Add(new SetTimer(TimerIds.ReassessmentReminder, now + program.Reminders.ReassessmentReminderAfter));
        }
        else if (!isLast)
        {
            effects.Add(new SetTimer(TimerIds.CoachNudge, now + program.Reminders.CoachNudgeAfter));
        }
        // A program without a final reassessment goes straight to the maintenance plan (see DraftPlan).
        return Apply(events, effects);
    }

    private Decision<EngagementEvent> CoachNudge(EngagementState s, DateTimeOffset now)
    {
        var next = s.SessionsHeld + 1;
        if (s.Phase != EngagementPhase.Sessions || s.Session(next) is not null) return Decision<EngagementEvent>.None;
        return Decision<EngagementEvent>.Apply(
            [new CoachNudged(s.EngagementId, next, now)],
            new NotifyCoach("schedule-next-session", $"session-{next}"),
            new SetTimer(TimerIds.CoachNudge, now + ProgramOf(s).Reminders.CoachNudgeAfter));
    }

    private Decision<EngagementEvent> RequestCheckIn(EngagementState s, string actionId, DateTimeOffset now) =>
        IsActive(s.Phase) && s.Action(actionId) is { CheckInRequested: false } action && action.IsOpen()
            ? Decision<EngagementEvent>.Apply(
                [new ActionCheckInRequested(s.EngagementId, actionId, now)],
                Email(EmailKinds.ActionCheckIn, Recipients.Client, LinkPurposes.ActionCheckIn, actionId))
            : Decision<EngagementEvent>.None;

    private Decision<EngagementEvent> CheckIn(EngagementState s, CheckInAction checkIn, DateTimeOffset now)
    {
        if (s.Action(checkIn.ActionId) is not { } action) return Reject(s, checkIn, $"there is no action '{checkIn.ActionId}'");
        if (!action.IsOpen()) return Decision<EngagementEvent>.None;
        if (!IsActive(s.Phase)) return Reject(s, checkIn, "actions are closed");
        if (action.LastStatus == checkIn.Status && action.LastLearning == checkIn.Learning) return Decision<EngagementEvent>.None;
        List<EngagementEvent> events = [];
        List<WorkflowEffect> effects = [];
        ReportOnAction(s, checkIn.ActionId, checkIn.Status, checkIn.Learning, now, events, effects);
        return Apply(events, effects);
    }

    /// <summary>
    /// Records one report on an action. Not doing an action is data: two "not done" reports in a row suggest
    /// the goal behind it does not resonate, and the coach is told.
    /// </summary>
    private static void ReportOnAction(EngagementState s, string actionId, ActionStatus status, string? learning, DateTimeOffset now,
        List<EngagementEvent> events, List<WorkflowEffect> effects)
    {
        var action = s.Action(actionId)!;
        events.Add(new ActionCheckedIn(s.EngagementId, actionId, status, learning, now));
        var flagged = s.HasFlag(FlagNames.GoalNotResonant, actionId);
        if (status == ActionStatus.NotDone && action.NotDoneStreak + 1 >= 2 && !flagged)
        {
            events.Add(new FlagRaised(s.EngagementId, FlagNames.GoalNotResonant, actionId, now));
            effects.Add(new NotifyCoach(FlagNames.GoalNotResonant, actionId));
        }
        else if (status != ActionStatus.NotDone && flagged)
        {
            events.Add(new FlagCleared(s.EngagementId, FlagNames.GoalNotResonant, actionId, now));
        }
        if (status == ActionStatus.Done) effects.Add(new CancelTimer(TimerIds.ActionCheckIn(actionId)));
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
