using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Parts;

/// <summary>The pre-coaching questionnaire (the intake audit), until the client submits it.</summary>
/// <remarks>
/// Waits for <see cref="SaveIntake"/> (answers saved part-way) and <see cref="SubmitIntake"/>. Timer:
/// <see cref="TimerIds.IntakeReminder"/> (every <c>Reminders.IntakeReminderEvery</c>, up to <c>MaxReminders</c>). Rules:
/// <c>EngagementWorkflow.Intake.cs</c>. Over when the intake is submitted (the coach's brief goes out; sessions begin).
/// </remarks>
public sealed class PreCoachingQuestionnaire(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) => run.EffectivePhase != EngagementPhase.Intake;
}
