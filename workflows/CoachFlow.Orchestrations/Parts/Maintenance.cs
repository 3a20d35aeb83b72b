using CoachFlow.Workflows.Engagements;
using Microsoft.DurableTask;

namespace CoachFlow.Orchestrations.Parts;

/// <summary>Maintenance: the self-coaching check-ins until the engagement closes.</summary>
/// <remarks>
/// Waits for <see cref="AnswerMaintenanceCheckIn"/> and <see cref="StartFollowUp"/> (the coach starts a follow-up
/// engagement). Timers: <see cref="TimerIds.MaintenanceCheckIn"/> (every <c>Maintenance.CheckInEvery</c>),
/// <see cref="TimerIds.SixMonthCheck"/> (the "still applying it?" check) and <see cref="TimerIds.MaintenanceEnd"/> (the
/// close). Rules: <c>EngagementWorkflow.Maintenance.cs</c>. Long-lived, so it continues as new after each check-in it
/// sends, which keeps its history to one period.
/// </remarks>
public sealed class Maintenance(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) =>
        run.EffectivePhase != EngagementPhase.Maintenance || run.State.ChecksSent.Count > entered.State.ChecksSent.Count;

    protected override EngagementRun Leave(TaskOrchestrationContext context, EngagementRun run)
    {
        if (run.EffectivePhase == EngagementPhase.Maintenance && !run.IsFinished) context.ContinueAsNew(run, preserveUnprocessedEvents: true);
        return run;
    }
}
