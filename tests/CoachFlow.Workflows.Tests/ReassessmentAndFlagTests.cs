using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

public class ReassessmentAndFlagTests
{
    [Fact]
    public void GivenTwoSessionsHeld_WhenSessionThreeIsHeld_ThenTheClientIsAskedToReassess()
    {
        var s = Scenario.IntakeCompleted().SessionsHeld(2).SessionScheduled(3);
        s.Now = s.State.Session(3)!.StartAt;
        s.Given(new CaptureSessionAgreement(3, Agreement(s.Now + TimeSpan.FromDays(7))));

        var d = s.When(new MarkSessionHeld(3));

        var requested = d.Single<ReassessmentRequested>();
        Assert.Equal((1, false), (requested.Number, requested.Final));
        Assert.Equal(["session-summary/session-3", "reassessment-invitation/reassessment-1"], d.Emails());
        Assert.DoesNotContain(TimerIds.CoachNudge, d.Timers());
        Assert.Equal(("reassessment", "reassessment-1"), (s.Workflow.Project(s.State).Phase, s.Workflow.Project(s.State).WaitingFor));
    }

    [Fact]
    public void GivenReassessmentRequested_WhenCoachSchedulesSessionFour_ThenItWaitsForTheReview()
    {
        var d = Scenario.IntakeCompleted().SessionsHeld(3).When(new ScheduleSession(4, T0 + TimeSpan.FromDays(90), "UTC"));

        Assert.Equal(DecisionKind.Deferred, d.Kind);
    }

    [Fact]
    public void GivenReassessmentRequested_WhenClientRatesHigher_ThenDeltasAgainstBaselineAreReportedWithoutFlags()
    {
        var s = Scenario.IntakeCompleted().SessionsHeld(3).After(TimeSpan.FromDays(2));

        var d = s.When(new SubmitReassessment(1, Ratings(6), [new IndicatorReading("Informational interviews held", "3 of 5")]));

        var completed = d.Single<ReassessmentCompleted>();
        Assert.All(completed.Deltas, x => Assert.Equal((2, 2), (x.SinceBaseline!.Value, x.SincePrevious!.Value)));
        Assert.Empty(d.Events.OfType<FlagRaised>());
        Assert.Equal(["reassessment-ready"], d.Notifications());
        Assert.Contains("reassessment-1-report", d.Documents());
        Assert.Equal("reassessment-1-review", s.Workflow.Project(s.State).WaitingFor);
    }

    [Fact]
    public void GivenReassessmentRequested_WhenNoRatingImproved_ThenStalledProgressIsFlagged()
    {
        var s = Scenario.IntakeCompleted().SessionsHeld(3);

        var d = s.When(new SubmitReassessment(1, Ratings(4), []));

        Assert.Equal(FlagNames.StalledProgress, d.Single<FlagRaised>().Flag);
        Assert.Contains(FlagNames.StalledProgress, d.Notifications());
        Assert.Equal([FlagNames.StalledProgress], s.Workflow.Project(s.State).Flags);
    }

    [Fact]
    public void GivenStalledProgressFlagged_WhenTheFinalReassessmentImproves_ThenTheFlagIsCleared()
    {
        var s = Scenario.IntakeCompleted().SessionsHeld(3).Given(new SubmitReassessment(1, Ratings(4), [])).Given(Review(1)).SessionsHeld(6);

        var d = s.When(new SubmitReassessment(2, Ratings(5), []));

        var completed = d.Single<ReassessmentCompleted>();
        Assert.True(completed.Final);
        Assert.All(completed.Deltas, x => Assert.Equal((1, 1), (x.SinceBaseline!.Value, x.SincePrevious!.Value)));
        Assert.Equal(FlagNames.StalledProgress, d.Single<FlagCleared>().Flag);
        Assert.Contains("reassessment-2-report", d.Documents());
        Assert.Contains("roi-summary", d.Effects.OfType<WriteDocument>().Select(w => w.Kind));
        Assert.Empty(s.State.Flags);
    }

    [Fact]
    public void GivenReassessmentRequested_WhenARatingIsMissing_ThenRejected()
    {
        var d = Scenario.IntakeCompleted().SessionsHeld(3).When(new SubmitReassessment(1, Ratings(6).RemoveAt(0), []));

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("SubmitReassessment", d.Reason);
        Assert.Contains("'reassessment'", d.Reason);
    }

    [Fact]
    public void GivenReassessmentRequested_WhenCoachReviewsBeforeTheClientAnswers_ThenTheReviewWaits() =>
        Assert.Equal(DecisionKind.Deferred, Scenario.IntakeCompleted().SessionsHeld(3).When(Review(1)).Kind);

    [Fact]
    public void GivenReassessmentCompleted_WhenCoachReviews_ThenGoalsAreUpdatedAndSessionsContinue()
    {
        var s = Scenario.IntakeCompleted().SessionsHeld(3).Given(new SubmitReassessment(1, Ratings(6), []));

        var d = s.When(Review(1));

        d.Single<ReassessmentReviewed>();
        Assert.Equal(["goals-updated/reassessment-1"], d.Emails());
        Assert.Contains(TimerIds.CoachNudge, d.Timers());
        Assert.Equal(("sessions", "session-4-scheduling"), (s.Workflow.Project(s.State).Phase, s.Workflow.Project(s.State).WaitingFor));
        Assert.Equal(Decision<EngagementEvent>.None, s.When(Review(1)));
    }

    [Fact]
    public void GivenActionNotDoneAtCheckIn_WhenTheReviewRitualSaysNotDoneAgain_ThenGoalNotResonantIsFlagged()
    {
        var s = Scenario.IntakeCompleted().SessionHeld(1).After(TimeSpan.FromDays(7)).GivenTimer("checkin-s1-a1")
            .Given(new CheckInAction("s1-a1", ActionStatus.NotDone, "No time")).SessionScheduled(2);

        var d = s.When(new AnswerPreSession(2, [new ActionReview("s1-a1", ActionStatus.NotDone, "Still avoided it")], "Talk about why"));

        var flag = d.Single<FlagRaised>();
        Assert.Equal((FlagNames.GoalNotResonant, "s1-a1"), (flag.Flag, flag.Subject));
        Assert.Contains(FlagNames.GoalNotResonant, d.Notifications());
        Assert.Contains(FlagNames.GoalNotResonant, s.Workflow.Project(s.State).Flags);
    }

    [Fact]
    public void GivenActionNotDoneOnce_WhenItIsThenPartlyDone_ThenNoFlagIsRaised()
    {
        var s = Scenario.IntakeCompleted().SessionHeld(1).Given(new CheckInAction("s1-a1", ActionStatus.NotDone, null)).SessionScheduled(2);

        var d = s.When(new AnswerPreSession(2, [new ActionReview("s1-a1", ActionStatus.Partly, null)], "More focus"));

        Assert.Empty(d.Events.OfType<FlagRaised>());
        Assert.Equal(0, s.State.Action("s1-a1")!.NotDoneStreak);
    }

    [Fact]
    public void GivenGoalNotResonantFlagged_WhenTheClientDropsTheActionAtReview_ThenTheFlagIsCleared()
    {
        var s = Scenario.IntakeCompleted().SessionHeld(1)
            .Given(new CheckInAction("s1-a1", ActionStatus.NotDone, null)).SessionScheduled(2)
            .Given(new AnswerPreSession(2, [new ActionReview("s1-a1", ActionStatus.NotDone, null)], "Rethink"));
        s.SessionsHeld(3).Given(new SubmitReassessment(1, Ratings(6), []));

        var d = s.When(Review(1, "s1-a1"));

        Assert.Equal((FlagNames.GoalNotResonant, "s1-a1"), (d.Single<FlagCleared>().Flag, d.Single<FlagCleared>().Subject));
        Assert.Contains("checkin-s1-a1", d.Cancelled());
        Assert.True(s.State.Action("s1-a1")!.Dropped);
        Assert.Empty(s.State.Flags);
    }

    [Fact]
    public void GivenNothingHappensForFourWeeks_WhenTheStalledTimerFires_ThenTheEngagementIsFlaggedStalled()
    {
        var s = Scenario.IntakeCompleted().After(TimeSpan.FromDays(28));

        var d = s.WhenTimer(TimerIds.Stalled);

        Assert.Equal(FlagNames.Stalled, d.Single<FlagRaised>().Flag);
        Assert.Equal(["engagement-stalled"], d.Notifications());
        Assert.Equal(Decision<EngagementEvent>.None, s.WhenTimer(TimerIds.Stalled));
    }

    [Fact]
    public void GivenStalled_WhenTheCoachSchedulesASession_ThenTheStalledFlagIsClearedAndTheTimerRestarts()
    {
        var s = Scenario.IntakeCompleted().After(TimeSpan.FromDays(28)).GivenTimer(TimerIds.Stalled);

        var d = s.When(new ScheduleSession(1, s.Now + TimeSpan.FromDays(3), "UTC"));

        Assert.Equal(FlagNames.Stalled, d.Single<FlagCleared>().Flag);
        Assert.Equal(s.Now + TimeSpan.FromDays(28), d.Effects.OfType<SetTimer>().Single(t => t.TimerId == TimerIds.Stalled).DueAt);
        Assert.Empty(s.Workflow.Project(s.State).Flags);
    }
}
