using System.Text.Json;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

// Graduation: the coach drafts the maintenance plan, the client asks for changes or confirms it.
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

    private static bool SameJson<T>(T a, T b) => JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);
}
