using System.Text.Json;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

// Graduation (the maintenance plan) and maintenance (self-coaching check-ins until the engagement closes).
public sealed partial class EngagementWorkflow
{
    private Decision<EngagementEvent> DraftPlan(EngagementState s, DraftMaintenancePlan draft, DateTimeOffset now)
    {
        if (s.Phase == EngagementPhase.Maintenance) return Reject(s, draft, "the plan is confirmed; the client has graduated");
        var finalDone = s.Phase == EngagementPhase.Graduation && s.Reassessments.LastOrDefault() is not { Final: true, ReviewedAt: null };
        if (!finalDone)
            return Decision<EngagementEvent>.Defer($"DraftMaintenancePlan waits until the last session and its final reassessment are done for engagement {s.EngagementId}.");
        // The same plan again is a repeat, unless the client asked for changes (the coach may keep it and say why).
        if (s.Plan is not null && s.PlanChangesRequestedOn is null && SameJson(s.Plan, draft.Plan)) return Decision<EngagementEvent>.None;
        var draftNumber = s.PlanDrafts + 1;
        return Decision<EngagementEvent>.Apply(
            [new MaintenancePlanDrafted(s.EngagementId, draft.Plan, now)],
            new WriteDocument("maintenance-plan-draft", $"maintenance-plan-draft-{draftNumber}"),
            Email(EmailKinds.MaintenancePlanReview, Recipients.Client, LinkPurposes.ConfirmMaintenancePlan, $"plan-draft-{draftNumber}"));
    }

    private Decision<EngagementEvent> ConfirmPlan(EngagementState s, WorkflowInput input, DateTimeOffset now)
    {
        if (s.Phase == EngagementPhase.Maintenance) return Decision<EngagementEvent>.None;
        if (s.Phase != EngagementPhase.Graduation || s.Plan is null) return Reject(s, input, "there is no maintenance plan to confirm yet");

        var program = ProgramOf(s);
        var endsAt = now + program.Maintenance.Period;
        var graduated = Evolve(s, new Graduated(s.EngagementId, now, endsAt));
        return Decision<EngagementEvent>.Apply(
            [new MaintenancePlanConfirmed(s.EngagementId, now), new Graduated(s.EngagementId, now, endsAt)],
            [
                new CancelTimer(TimerIds.Stalled),
                new CancelTimer(TimerIds.CoachNudge),
                new CancelTimer(TimerIds.ReassessmentReminder),
                .. s.Actions.Where(a => a.IsOpen()).Select(a => new CancelTimer(TimerIds.ActionCheckIn(a.ActionId))),
                new WriteDocument("maintenance-plan", "maintenance-plan"),
                Email(EmailKinds.Graduation, Recipients.Client, LinkPurposes.MaintenancePlan, "graduation"),
                new NotifyCoach("graduated"),
                .. MaintenanceSchedule(graduated).Select(c => new SetTimer(c.CheckId, c.DueAt)),
                new SetTimer(TimerIds.MaintenanceEnd, endsAt + program.Maintenance.AnswerWindow),
            ]);
    }

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

    /// <summary>The client asks for changes to the draft they were shown; the coach is told and redrafts (a new version).</summary>
    private Decision<EngagementEvent> RequestPlanChanges(EngagementState s, RequestPlanChanges request, DateTimeOffset now)
    {
        if (s.Phase == EngagementPhase.Maintenance) return Reject(s, request, "the plan is confirmed; the client has graduated");
        if (s.Phase != EngagementPhase.Graduation || s.Plan is null) return Reject(s, request, "there is no maintenance plan to change yet");
        if (request.Draft != s.PlanDrafts) return Reject(s, request, $"draft {request.Draft} is not the latest; the coach has sent draft {s.PlanDrafts}");
        if (s.PlanChangesRequestedOn == request.Draft) return Reject(s, request, $"changes to draft {request.Draft} were already asked for; the coach is redrafting it");
        if (string.IsNullOrWhiteSpace(request.Changes)) return Reject(s, request, "say what should change");
        return Decision<EngagementEvent>.Apply(
            [new MaintenancePlanChangesRequested(s.EngagementId, request.Draft, request.Changes.Trim(), now)],
            new WriteDocument("maintenance-plan-change-request", $"maintenance-plan-draft-{request.Draft}-changes"),
            Email(EmailKinds.MaintenancePlanChangesRequested, Recipients.Coach, null, $"plan-draft-{request.Draft}-changes"),
            new NotifyCoach("maintenance-plan-changes-requested", $"plan-draft-{request.Draft}"));
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

    private static bool SameJson<T>(T a, T b) => JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);
}
