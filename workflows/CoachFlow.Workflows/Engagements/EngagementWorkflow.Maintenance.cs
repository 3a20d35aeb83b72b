using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

// Maintenance: the self-coaching check-ins on the program's schedule, a follow-up engagement when the client asks for
// support again, and the close at the end of the period.
public sealed partial class EngagementWorkflow
{
    /// <summary>The maintenance checks in the order they come due; on a tie the "still applying it?" check goes first.</summary>
    private IEnumerable<(string CheckId, DateTimeOffset DueAt)> MaintenanceSchedule(EngagementState s)
    {
        if (s.GraduatedAt is not { } from) return [];
        var rule = ProgramOf(s).Maintenance;
        return Enumerable.Range(1, ProgramOf(s).MaintenanceCheckIns)
            .Select(n => (CheckId: TimerIds.MaintenanceCheckIn(n), DueAt: from + rule.CheckInEvery * n, Order: 1))
            .Append((CheckId: TimerIds.SixMonthCheck, DueAt: from + rule.StillApplyingCheckAfter, Order: 0))
            .OrderBy(c => c.DueAt).ThenBy(c => c.Order)
            .Select(c => (c.CheckId, c.DueAt));
    }

    private Decision<EngagementEvent> SendMaintenanceCheck(EngagementState s, string checkId, DateTimeOffset now)
    {
        if (s.Phase != EngagementPhase.Maintenance || s.ChecksSent.Contains(checkId)) return Decision<EngagementEvent>.None;
        var kind = checkId == TimerIds.SixMonthCheck ? EmailKinds.StillApplyingCheck : EmailKinds.MaintenanceCheckIn;
        return Decision<EngagementEvent>.Apply(
            [new MaintenanceCheckInSent(s.EngagementId, checkId, now)],
            Email(kind, Recipients.Client, checkId, checkId));
    }

    private Decision<EngagementEvent> AnswerMaintenanceCheck(EngagementState s, AnswerMaintenanceCheckIn answer, DateTimeOffset now)
    {
        if (s.Phase != EngagementPhase.Maintenance) return Reject(s, answer, "maintenance has not started");
        if (s.ChecksAnswered.Exists(c => c.CheckId == answer.CheckId)) return Decision<EngagementEvent>.None;
        if (!s.ChecksSent.Contains(answer.CheckId)) return Reject(s, answer, $"check '{answer.CheckId}' has not been sent");

        List<EngagementEvent> events = [new MaintenanceCheckInRecorded(s.EngagementId, answer.CheckId, answer.StillApplying, answer.TriggerReported, answer.Note, now)];
        List<WorkflowEffect> effects = [new WriteDocument("maintenance-checkin", $"{answer.CheckId}-answers")];
        if (!string.IsNullOrWhiteSpace(answer.TriggerReported))
        {
            // The promise of the maintenance plan: a reported trigger reaches the coach, who may propose a new engagement.
            events.Add(new FlagRaised(s.EngagementId, FlagNames.SupportRequested, answer.CheckId, now));
            effects.Add(new NotifyCoach("support-trigger", answer.CheckId));
            effects.Add(Email(EmailKinds.SupportRequested, Recipients.Coach, null, answer.CheckId));
        }
        var lastCheck = MaintenanceSchedule(s).Last().CheckId;
        if (answer.CheckId == lastCheck)
        {
            var closing = Close(s, now);
            events.AddRange(closing.Events);
            effects.AddRange(closing.Effects);
        }
        return Apply(events, effects);
    }

    /// <summary>
    /// The coach starts a follow-up engagement for a graduated client (in maintenance or after it closed); the
    /// request for support is answered, so its flag is cleared. The host starts the new engagement itself.
    /// </summary>
    private static Decision<EngagementEvent> FollowUp(EngagementState s, StartFollowUp follow, DateTimeOffset now)
    {
        if (s.FollowUps.Contains(follow.FollowUpEngagementId)) return Decision<EngagementEvent>.None;
        if (s.GraduatedAt is null) return Reject(s, follow, "a follow-up engagement starts from a client who has graduated");
        var cleared = s.Flags.Where(f => f.Name == FlagNames.SupportRequested)
            .Select(f => (EngagementEvent)new FlagCleared(s.EngagementId, f.Name, f.Subject, now));
        return Decision<EngagementEvent>.Apply([new FollowUpStarted(s.EngagementId, follow.FollowUpEngagementId, now), .. cleared]);
    }

    private Decision<EngagementEvent> Close(EngagementState s, DateTimeOffset now) => Decision<EngagementEvent>.Apply(
        [new EngagementClosed(s.EngagementId, now)],
        [
            .. AllTimers(s).Select(id => new CancelTimer(id)),
            Email(EmailKinds.MaintenanceComplete, Recipients.Client, LinkPurposes.MaintenancePlan, "closed"),
            new NotifyCoach("engagement-closed"),
        ]);
}
