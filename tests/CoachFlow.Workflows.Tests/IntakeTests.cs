using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Questionnaires;
using CoachFlow.Workflows.Runtime;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

public class IntakeTests
{
    [Fact]
    public void GivenContractNotSigned_WhenClientSavesIntakeAnswers_ThenTheyWaitForTheSignature()
    {
        var d = Scenario.ContractSent().When(new SaveIntake([new QuestionnaireAnswer("stuck-point", "Too many options")]));

        Assert.Equal(DecisionKind.Deferred, d.Kind);
        Assert.Contains("signs the contract", d.Reason);
    }

    [Fact]
    public void GivenIntakeSent_WhenClientSavesPartialAnswers_ThenTheyAreKeptAndMergedOnTheNextSave()
    {
        var s = Scenario.Signed().After(TimeSpan.FromHours(2));

        s.Given(new SaveIntake([new QuestionnaireAnswer("stuck-point", "Too many options"), new QuestionnaireAnswer("wheel-career", Score: 3)]));
        var d = s.When(new SaveIntake([new QuestionnaireAnswer("wheel-career", Score: 5)]));

        Assert.Single(d.Single<IntakeSaved>().Answers);
        Assert.Equal(5, s.State.IntakeAnswers.Single(a => a.ItemId == "wheel-career").Score);
        Assert.Equal("Too many options", s.State.IntakeAnswers.Single(a => a.ItemId == "stuck-point").Text);
    }

    [Fact]
    public void GivenIntakeSaved_WhenTheSameAnswersAreSavedAgain_ThenNothingIsDecided()
    {
        var answers = new SaveIntake([new QuestionnaireAnswer("values", "Fairness")]);
        var s = Scenario.Signed().Given(answers);

        Assert.Equal(Decision<EngagementEvent>.None, s.When(answers));
    }

    [Fact]
    public void GivenIntakeSent_WhenClientSubmitsWithoutTheWheelOfLife_ThenRejectedListingTheMissingItems()
    {
        var partial = IntakeAnswers().RemoveAll(a => a.ItemId.StartsWith("wheel-"));

        var d = Scenario.Signed().When(new SubmitIntake(partial));

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("wheel-career", d.Reason);
        Assert.Contains("'intake'", d.Reason);
    }

    [Fact]
    public void GivenIntakeSent_WhenARatingIsOutOfRange_ThenRejected()
    {
        var answers = IntakeAnswers().Replace(IntakeAnswers().First(a => a.ItemId == "wheel-health"), new QuestionnaireAnswer("wheel-health", Score: 11));

        Assert.Equal(DecisionKind.Rejected, Scenario.Signed().When(new SubmitIntake(answers)).Kind);
    }

    [Fact]
    public void GivenIntakeSent_WhenClientSubmitsEverything_ThenBaselineIsTakenAndCoachGetsThePreSessionBrief()
    {
        var s = Scenario.Signed().After(TimeSpan.FromDays(2));

        var d = s.When(new SubmitIntake(IntakeAnswers(wheelScore: 4)));

        var completed = d.Single<IntakeCompleted>();
        Assert.Equal(CareerQuestionnaires.Intake.RatingItems.Count(), completed.Baseline.Count);
        Assert.All(completed.Baseline, r => Assert.Equal(4, r.Score));
        Assert.Equal(["pre-session-brief/intake"], d.Emails());
        Assert.Equal(Recipients.Coach, d.Effects.OfType<SendEmail>().Single().To);
        Assert.Equal(["intake-answers", "pre-session-brief"], d.Documents());
        Assert.Contains(TimerIds.IntakeReminder, d.Cancelled());
        Assert.Contains(TimerIds.CoachNudge, d.Timers());
        Assert.Equal("session-1-scheduling", s.Workflow.Project(s.State).WaitingFor);
    }

    [Fact]
    public void GivenIntakeSent_WhenReminderTimerFiresMoreThanTheProgramAllows_ThenRemindersStop()
    {
        var s = Scenario.Signed();
        for (var n = 1; n <= 3; n++) s.After(TimeSpan.FromDays(3)).GivenTimer(TimerIds.IntakeReminder);

        Assert.Equal(Decision<EngagementEvent>.None, s.After(TimeSpan.FromDays(3)).WhenTimer(TimerIds.IntakeReminder));
        Assert.Equal(3, s.State.IntakeReminders);
    }

    [Fact]
    public void GivenIntakeCompleted_WhenClientSubmitsAgain_ThenNothingIsDecided() =>
        Assert.Equal(Decision<EngagementEvent>.None, Scenario.IntakeCompleted().When(new SubmitIntake(IntakeAnswers())));

    [Fact]
    public void GivenIntakeSent_WhenCoachSchedulesSessionOne_ThenItIsBookedWhileTheClientFinishesTheIntake()
    {
        var s = Scenario.Signed().SessionScheduled(1);

        var d = s.When(new SubmitIntake(IntakeAnswers()));

        Assert.DoesNotContain(TimerIds.CoachNudge, d.Timers());
        Assert.Equal("session-1", s.Workflow.Project(s.State).WaitingFor);
    }
}
