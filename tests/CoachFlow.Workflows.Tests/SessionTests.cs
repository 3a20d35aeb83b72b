using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

public class SessionTests
{
    [Fact]
    public void GivenIntakeCompleted_WhenCoachSchedulesSessionOne_ThenClientGetsConfirmationAndAReminderIsSet()
    {
        var s = Scenario.IntakeCompleted().After(TimeSpan.FromDays(1));
        var start = s.Now + TimeSpan.FromDays(7);

        var d = s.When(new ScheduleSession(1, start, "Europe/Amsterdam"));

        Assert.Equal("Europe/Amsterdam", d.Single<SessionScheduled>().TimeZoneId);
        Assert.Equal(["session-confirmation/session-1"], d.Emails());
        Assert.Contains(TimerIds.CoachNudge, d.Cancelled());
        var reminder = d.Effects.OfType<SetTimer>().Single(t => t.TimerId == "session-reminder-1");
        Assert.Equal(start - TimeSpan.FromDays(1), reminder.DueAt);
        Assert.Equal(("session-1", (DateTimeOffset?)start), (s.Workflow.Project(s.State).WaitingFor, s.Workflow.Project(s.State).DueAt));
    }

    [Fact]
    public void GivenSessionOneScheduled_WhenSessionThreeIsScheduled_ThenRejected()
    {
        var d = Scenario.IntakeCompleted().SessionScheduled(1).When(new ScheduleSession(3, T0 + TimeSpan.FromDays(40), "UTC"));

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("ScheduleSession", d.Reason);
        Assert.Contains("'sessions'", d.Reason);
    }

    [Fact]
    public void GivenSessionScheduled_WhenTheSameBookingArrivesAgain_ThenNothingIsDecided()
    {
        var s = Scenario.IntakeCompleted().SessionScheduled(1);
        var session = s.State.Session(1)!;

        Assert.Equal(Decision<EngagementEvent>.None, s.When(new ScheduleSession(1, session.StartAt, session.TimeZoneId)));
    }

    [Fact]
    public void GivenSessionScheduled_WhenCoachReschedules_ThenClientIsToldAndTheReminderMoves()
    {
        var s = Scenario.IntakeCompleted().SessionScheduled(1);
        var later = s.State.Session(1)!.StartAt + TimeSpan.FromDays(2);

        var d = s.When(new RescheduleSession(1, later, "Europe/Lisbon"));

        d.Single<SessionRescheduled>();
        Assert.Single(d.Emails(), e => e.StartsWith("session-rescheduled/session-1@"));
        Assert.Equal(later - TimeSpan.FromDays(1), d.Effects.OfType<SetTimer>().Single(t => t.TimerId == "session-reminder-1").DueAt);
        Assert.Equal(later, s.State.Session(1)!.StartAt);
    }

    [Fact]
    public void GivenSessionScheduled_WhenReminderTimerFires_ThenClientGetsThePreSessionQuestionnaireLink()
    {
        var s = Scenario.IntakeCompleted().SessionScheduled(1).After(TimeSpan.FromDays(6));

        var d = s.WhenTimer("session-reminder-1");

        var email = Assert.Single(d.Effects.OfType<SendEmail>());
        Assert.Equal(("session-reminder", "pre-session-questionnaire", "session-1"), (email.Kind, email.LinkPurpose, email.Ref));
    }

    [Fact]
    public void GivenSessionScheduled_WhenCoachCapturesTheAgreement_ThenActionsGetIdsAndPrivateNotesAreStoredApart()
    {
        var s = Scenario.IntakeCompleted().SessionScheduled(1);

        var d = s.When(new CaptureSessionAgreement(1, Agreement(s.Now + TimeSpan.FromDays(10), actions: 2)));

        Assert.Equal(["s1-a1", "s1-a2"], d.Single<SessionAgreementCaptured>().Actions.Select(a => a.ActionId));
        Assert.Equal(["session-1-agreement", "session-1-coach-notes"], d.Documents());
        Assert.Empty(d.Emails());
    }

    [Fact]
    public void GivenSessionScheduled_WhenAgreementHasFourGoals_ThenRejected()
    {
        var s = Scenario.IntakeCompleted().SessionScheduled(1);
        var goal = new SessionGoal("Increase sales by 10% within six months", "Monthly sales report");

        var d = s.When(new CaptureSessionAgreement(1, Agreement(s.Now) with { Goals = [goal, goal, goal, goal] }));

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("one to three", d.Reason);
    }

    [Fact]
    public void GivenSessionScheduled_WhenMarkedHeldBeforeTheAgreement_ThenItWaitsForTheAgreement()
    {
        var d = Scenario.IntakeCompleted().SessionScheduled(1).When(new MarkSessionHeld(1));

        Assert.Equal(DecisionKind.Deferred, d.Kind);
    }

    [Fact]
    public void GivenAgreementCaptured_WhenSessionIsHeld_ThenSummaryGoesOutAndEachActionGetsACheckIn()
    {
        var s = Scenario.IntakeCompleted().SessionScheduled(1);
        var due = s.Now + TimeSpan.FromDays(12);
        s.Given(new CaptureSessionAgreement(1, Agreement(due)));

        var d = s.When(new MarkSessionHeld(1));

        d.Single<SessionHeld>();
        Assert.Equal(["session-summary/session-1"], d.Emails());
        Assert.Contains("session-1-summary", d.Documents());
        Assert.Equal(due, d.Effects.OfType<SetTimer>().Single(t => t.TimerId == "checkin-s1-a1").DueAt);
        Assert.Contains(TimerIds.CoachNudge, d.Timers());
        Assert.Equal("session-2-scheduling", s.Workflow.Project(s.State).WaitingFor);
    }

    [Fact]
    public void GivenSessionHeld_WhenItIsMarkedHeldAgain_ThenNothingIsDecided() =>
        Assert.Equal(Decision<EngagementEvent>.None, Scenario.IntakeCompleted().SessionHeld(1).When(new MarkSessionHeld(1)));

    [Fact]
    public void GivenActionDue_WhenCheckInTimerFires_ThenClientGetsACheckInLink()
    {
        var s = Scenario.IntakeCompleted().SessionHeld(1).After(TimeSpan.FromDays(7));

        var d = s.WhenTimer("checkin-s1-a1");

        Assert.Equal(["action-checkin/s1-a1"], d.Emails());
    }

    [Fact]
    public void GivenCheckInSent_WhenClientReportsDone_ThenActionClosesAndLaterReportsDecideNothing()
    {
        var s = Scenario.IntakeCompleted().SessionHeld(1).After(TimeSpan.FromDays(7)).GivenTimer("checkin-s1-a1");

        var d = s.When(new CheckInAction("s1-a1", ActionStatus.Done, "It was easier than I feared"));

        Assert.Equal(ActionStatus.Done, d.Single<ActionCheckedIn>().Status);
        Assert.False(s.State.Action("s1-a1")!.IsOpen());
        Assert.Equal(Decision<EngagementEvent>.None, s.When(new CheckInAction("s1-a1", ActionStatus.Done, "again")));
    }

    [Fact]
    public void GivenSessions_WhenClientChecksInOnAnUnknownAction_ThenRejected() =>
        Assert.Equal(DecisionKind.Rejected, Scenario.IntakeCompleted().SessionHeld(1).When(new CheckInAction("s9-a9", ActionStatus.Done, null)).Kind);

    [Fact]
    public void GivenSessionTwoScheduled_WhenClientAnswersThePreSessionReview_ThenEachOpenActionIsReported()
    {
        var s = Scenario.IntakeCompleted().SessionHeld(1).SessionScheduled(2);

        var d = s.When(new AnswerPreSession(2, [new ActionReview("s1-a1", ActionStatus.Partly, "Booked one of two")], "Practise the salary talk"));

        d.Single<PreSessionAnswered>();
        Assert.Equal(ActionStatus.Partly, d.Single<ActionCheckedIn>().Status);
        Assert.Equal(["pre-session-answers"], d.Notifications());
        Assert.Equal(Decision<EngagementEvent>.None, s.When(new AnswerPreSession(2, [], "again")));
    }

    [Fact]
    public void GivenNoNextSession_WhenCoachNudgeFires_ThenCoachIsNudgedAgainLater()
    {
        var s = Scenario.IntakeCompleted().SessionHeld(1).After(TimeSpan.FromDays(7));

        var d = s.WhenTimer(TimerIds.CoachNudge);

        Assert.Equal(2, d.Single<CoachNudged>().NextSession);
        Assert.Equal(["schedule-next-session"], d.Notifications());
        Assert.Equal([TimerIds.CoachNudge], d.Timers());
    }

    [Fact]
    public void GivenNextSessionScheduled_WhenAStaleCoachNudgeFires_ThenNothingIsDecided() =>
        Assert.Equal(Decision<EngagementEvent>.None, Scenario.IntakeCompleted().SessionHeld(1).SessionScheduled(2).WhenTimer(TimerIds.CoachNudge));
}
