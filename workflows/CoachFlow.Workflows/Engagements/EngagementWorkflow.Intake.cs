using CoachFlow.Workflows.Questionnaires;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

// The intake questionnaire (the pre-coaching audit): reminders, saved answers, the submission and the coach's brief.
public sealed partial class EngagementWorkflow
{
    private Decision<EngagementEvent> IntakeReminder(EngagementState s, DateTimeOffset now)
    {
        var program = ProgramOf(s);
        if (s.Phase != EngagementPhase.Intake || s.IntakeReminders >= program.Reminders.MaxReminders) return Decision<EngagementEvent>.None;
        var number = s.IntakeReminders + 1;
        List<WorkflowEffect> effects = [Email(EmailKinds.IntakeReminder, Recipients.Client, LinkPurposes.Intake, $"reminder-{number}")];
        if (number < program.Reminders.MaxReminders) effects.Add(new SetTimer(TimerIds.IntakeReminder, now + program.Reminders.IntakeReminderEvery));
        return Apply([new IntakeReminderSent(s.EngagementId, number, now)], effects);
    }

    private Decision<EngagementEvent> SaveIntake(EngagementState s, SaveIntake save, DateTimeOffset now)
    {
        if (s.Phase != EngagementPhase.Intake) return Decision<EngagementEvent>.None; // the intake is already complete
        var changed = save.Answers.Where(a => !s.IntakeAnswers.Contains(a)).ToList();
        return changed.Count == 0
            ? Decision<EngagementEvent>.None
            : Decision<EngagementEvent>.Apply([new IntakeSaved(s.EngagementId, [.. changed], now)]);
    }

    private Decision<EngagementEvent> SubmitIntake(EngagementState s, SubmitIntake submit, DateTimeOffset now)
    {
        if (s.Phase != EngagementPhase.Intake) return Decision<EngagementEvent>.None;
        var program = ProgramOf(s);
        var intake = program.Questionnaires.Intake;
        var answers = QuestionnaireAnswer.Merge(s.IntakeAnswers, submit.Answers);
        var missing = intake.Missing(answers);
        if (missing.Count > 0) return Reject(s, submit, $"these answers are missing or out of range: {string.Join(", ", missing)}");

        var baseline = intake.RatingItems
            .Select(i => answers.Find(a => a.ItemId == i.Id))
            .Where(a => a?.Score is not null)
            .Select(a => new Rating(a!.ItemId, a.Score!.Value))
            .ToList();
        List<WorkflowEffect> effects =
        [
            new CancelTimer(TimerIds.IntakeReminder),
            new WriteDocument("intake-answers", "intake-answers"),
            new WriteDocument("pre-session-brief", "pre-session-brief"),
            Email(EmailKinds.PreSessionBrief, Recipients.Coach, LinkPurposes.PreSessionBrief, "intake"),
        ];
        if (s.Session(1) is null) effects.Add(new SetTimer(TimerIds.CoachNudge, now + program.Reminders.CoachNudgeAfter));
        return Apply([new IntakeCompleted(s.EngagementId, answers, [.. baseline], now)], effects);
    }
}
