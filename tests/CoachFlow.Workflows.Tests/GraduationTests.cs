using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

public class GraduationTests
{
    [Fact]
    public void GivenFiveSessionsHeld_WhenTheLastSessionIsHeld_ThenTheFinalReassessmentIsRequested()
    {
        var s = Scenario.IntakeCompleted().SessionsHeld(5).SessionScheduled(6);
        s.Given(new CaptureSessionAgreement(6, Agreement(s.Now + TimeSpan.FromDays(7))));

        var d = s.When(new MarkSessionHeld(6));

        Assert.True(d.Single<ReassessmentRequested>().Final);
        Assert.Equal(("graduation", "final-reassessment"), (s.Workflow.Project(s.State).Phase, s.Workflow.Project(s.State).WaitingFor));
    }

    [Fact]
    public void GivenFinalReassessmentReviewed_ThenCoachIsAskedForTheMaintenancePlan()
    {
        var s = Scenario.IntakeIsDoneAndSixSessionsHeld();
        s.Given(new SubmitReassessment(2, Ratings(7), []));

        var d = s.When(Review(2));

        Assert.Equal(["maintenance-plan-due"], d.Notifications());
        Assert.Equal("maintenance-plan-draft", s.Workflow.Project(s.State).WaitingFor);
    }

    [Fact]
    public void GivenFinalReassessmentPending_WhenCoachDraftsThePlan_ThenItWaits() =>
        Assert.Equal(DecisionKind.Deferred, Scenario.IntakeIsDoneAndSixSessionsHeld().When(new DraftMaintenancePlan(Plan)).Kind);

    [Fact]
    public void GivenGraduating_WhenCoachDraftsThePlan_ThenClientIsAskedToConfirmIt()
    {
        var s = Scenario.Graduating();

        var d = s.When(new DraftMaintenancePlan(Plan));

        d.Single<MaintenancePlanDrafted>();
        Assert.Equal(["maintenance-plan-review/plan-draft-1"], d.Emails());
        Assert.Equal("maintenance-plan-confirmation", s.Workflow.Project(s.State).WaitingFor);
        Assert.Equal(Decision<EngagementEvent>.None, s.When(new DraftMaintenancePlan(Plan)));
    }

    [Fact]
    public void GivenGraduating_WhenClientConfirmsBeforeAnyDraft_ThenRejected() =>
        Assert.Equal(DecisionKind.Rejected, Scenario.Graduating().When(new ConfirmMaintenancePlan()).Kind);

    [Fact]
    public void GivenPlanDrafted_WhenClientConfirms_ThenClientGraduatesAndMaintenanceCheckInsAreSet()
    {
        var s = Scenario.Graduating().Given(new DraftMaintenancePlan(Plan)).After(TimeSpan.FromDays(2));

        var d = s.When(new ConfirmMaintenancePlan());

        d.Single<MaintenancePlanConfirmed>();
        Assert.Equal(s.Now + TimeSpan.FromDays(365), d.Single<Graduated>().MaintenanceEndsAt);
        Assert.Equal(["graduation/graduation"], d.Emails());
        Assert.Contains("maintenance-plan", d.Documents());
        Assert.Equal(
            ["maintenance-checkin-1", "six-month-check", "maintenance-checkin-2", "maintenance-checkin-3", "maintenance-checkin-4", "maintenance-end"],
            d.Timers());
        Assert.Contains(TimerIds.Stalled, d.Cancelled());
        Assert.Equal(("maintenance", "maintenance-checkin-1"), (s.Workflow.Project(s.State).Phase, s.Workflow.Project(s.State).WaitingFor));
        Assert.Equal(Decision<EngagementEvent>.None, s.When(new ConfirmMaintenancePlan()));
    }

    [Fact]
    public void GivenMaintenance_WhenAQuarterlyCheckInFires_ThenClientGetsTheSelfCoachingCheckIn()
    {
        var s = Scenario.InMaintenance().After(TimeSpan.FromDays(90));

        var d = s.WhenTimer("maintenance-checkin-1");

        Assert.Equal(["maintenance-checkin/maintenance-checkin-1"], d.Emails());
        Assert.Equal(Decision<EngagementEvent>.None, s.WhenTimer("maintenance-checkin-1"));
    }

    [Fact]
    public void GivenMaintenance_WhenSixMonthsPass_ThenClientIsAskedWhetherTheyStillApplyIt() =>
        Assert.Equal(["still-applying-check/six-month-check"], Scenario.InMaintenance().After(TimeSpan.FromDays(180)).WhenTimer("six-month-check").Emails());

    [Fact]
    public void GivenCheckInSent_WhenClientReportsATrigger_ThenCoachIsTold()
    {
        var s = Scenario.InMaintenance().After(TimeSpan.FromDays(90)).GivenTimer("maintenance-checkin-1");

        var d = s.When(new AnswerMaintenanceCheckIn("maintenance-checkin-1", true, "Offered a step up to an executive role"));

        Assert.Equal("Offered a step up to an executive role", d.Single<MaintenanceCheckInRecorded>().TriggerReported);
        Assert.Equal(["support-trigger"], d.Notifications());
        Assert.Equal("six-month-check", s.Workflow.Project(s.State).WaitingFor);
    }

    [Fact]
    public void GivenMaintenance_WhenClientAnswersACheckThatWasNotSent_ThenRejected() =>
        Assert.Equal(DecisionKind.Rejected, Scenario.InMaintenance().When(new AnswerMaintenanceCheckIn("maintenance-checkin-3", true, null)).Kind);

    [Fact]
    public void GivenLastCheckInSent_WhenClientAnswers_ThenTheEngagementCloses()
    {
        var s = Scenario.InMaintenance().After(TimeSpan.FromDays(360)).GivenTimer("maintenance-checkin-4");

        var d = s.When(new AnswerMaintenanceCheckIn("maintenance-checkin-4", true, null));

        d.Single<EngagementClosed>();
        Assert.Equal(["maintenance-complete/closed"], d.Emails());
        Assert.True(s.Workflow.Project(s.State).Completed);
        Assert.Equal("closed", s.Workflow.Project(s.State).Phase);
    }

    [Fact]
    public void GivenMaintenance_WhenThePeriodEndsUnanswered_ThenTheEngagementCloses()
    {
        var s = Scenario.InMaintenance().After(TimeSpan.FromDays(380));

        var d = s.WhenTimer(TimerIds.MaintenanceEnd);

        d.Single<EngagementClosed>();
        Assert.True(s.Workflow.Project(s.State).Completed);
    }
}
