using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Parts;

/// <summary>A periodic reassessment: the client re-rates, then the coach and client review and adjust the goals.</summary>
/// <remarks>
/// Waits for <see cref="SubmitReassessment"/> (the client's ratings) and <see cref="ReviewReassessment"/> (the coach's
/// review, perhaps amending the contract). Timer: <see cref="TimerIds.ReassessmentReminder"/>. Rules:
/// <c>EngagementWorkflow.Reassessment.cs</c>. Over when the review is recorded (sessions go on, or graduation begins).
/// </remarks>
public sealed class Reassessment(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) => run.EffectivePhase != EngagementPhase.Reassessment;
}
