using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Parts;

/// <summary>Graduation: the coach drafts the maintenance plan and the client confirms it.</summary>
/// <remarks>
/// Waits for <see cref="DraftMaintenancePlan"/> (each new draft), <see cref="RequestPlanChanges"/> and
/// <see cref="ConfirmMaintenancePlan"/> (the client, from the emailed link). No timer of its own. Rules:
/// <c>EngagementWorkflow.Graduation.cs</c>. Over when the client confirms (maintenance begins).
/// </remarks>
public sealed class Graduation(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) => run.EffectivePhase != EngagementPhase.Graduation;
}
