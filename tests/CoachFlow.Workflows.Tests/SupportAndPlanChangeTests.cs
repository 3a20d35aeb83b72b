using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

/// <summary>Closing the loops the process promises: a reported trigger reaches the coach; the client can ask for plan changes.</summary>
public class SupportAndPlanChangeTests
{
    private static Scenario CheckInSent() => Scenario.InMaintenance().After(TimeSpan.FromDays(90)).GivenTimer("maintenance-checkin-1");

    [Fact]
    public void GivenCheckInSent_WhenClientReportsATrigger_ThenTheCoachIsEmailedAndTheEngagementIsFlaggedSupportRequested()
    {
        var s = CheckInSent();

        var d = s.When(new AnswerMaintenanceCheckIn("maintenance-checkin-1", true, "Offered a step up to an executive role"));

        Assert.Equal((FlagNames.SupportRequested, "maintenance-checkin-1"), (d.Single<FlagRaised>().Flag, d.Single<FlagRaised>().Subject));
        var email = Assert.Single(d.Effects.OfType<SendEmail>());
        Assert.Equal((EmailKinds.SupportRequested, Recipients.Coach, (string?)null), (email.Kind, email.To, email.LinkPurpose));
        Assert.Contains(FlagNames.SupportRequested, s.Workflow.Project(s.State).Flags);
    }

    [Fact]
    public void GivenCheckInSent_WhenClientReportsNoTrigger_ThenNothingIsFlaggedAndNoOneIsEmailed()
    {
        var s = CheckInSent();

        var d = s.When(new AnswerMaintenanceCheckIn("maintenance-checkin-1", true, "  "));

        Assert.Empty(d.Events.OfType<FlagRaised>());
        Assert.Empty(d.Emails());
        Assert.Empty(s.Workflow.Project(s.State).Flags);
    }

    [Fact]
    public void GivenTheLastCheckIn_WhenClientReportsATrigger_ThenTheEngagementClosesFlaggedAndTheCoachCanStillFollowUp()
    {
        var s = Scenario.InMaintenance().After(TimeSpan.FromDays(360)).GivenTimer("maintenance-checkin-4");
        s.Given(new AnswerMaintenanceCheckIn("maintenance-checkin-4", false, "My industry is shifting to AI"));
        Assert.Equal(("closed", true), (s.Workflow.Project(s.State).Phase, s.Workflow.Project(s.State).Flags.Contains(FlagNames.SupportRequested)));

        var d = s.When(new StartFollowUp("eng-2"));

        Assert.Equal("eng-2", d.Single<FollowUpStarted>().FollowUpEngagementId);
        Assert.Empty(s.Workflow.Project(s.State).Flags);
    }

    [Fact]
    public void GivenSupportRequested_WhenTheCoachStartsAFollowUp_ThenTheFlagIsClearedAndARepeatDecidesNothing()
    {
        var s = CheckInSent().Given(new AnswerMaintenanceCheckIn("maintenance-checkin-1", true, "Stuck for two months"));

        var d = s.When(new StartFollowUp("eng-2"));

        Assert.Equal(FlagNames.SupportRequested, d.Single<FlagCleared>().Flag);
        Assert.Equal(["eng-2"], s.State.FollowUps);
        Assert.Equal(Decision<EngagementEvent>.None, s.When(new StartFollowUp("eng-2")));
    }

    [Fact]
    public void GivenAClientInSessions_WhenTheCoachStartsAFollowUp_ThenRejected() =>
        Assert.Equal(DecisionKind.Rejected, Scenario.IntakeCompleted().When(new StartFollowUp("eng-2")).Kind);

    [Fact]
    public void GivenAFollowUpOfAnEarlierEngagement_WhenItStarts_ThenItRemembersWhichOneAndSendsANewContract()
    {
        var s = new Scenario();

        var d = s.When(Start() with { FollowUpOf = "eng-0" });

        Assert.Equal("eng-0", d.Single<PreviousEngagementLinked>().PreviousEngagementId);
        Assert.Equal(["contract-invitation/contract-v1"], d.Emails());
        Assert.Equal("eng-0", s.State.PreviousEngagementId);
    }

    private static Scenario PlanDrafted() => Scenario.Graduating().After(TimeSpan.FromDays(1)).Given(new DraftMaintenancePlan(Plan));

    [Fact]
    public void GivenAPlanDraft_WhenTheClientAsksForChanges_ThenTheCoachIsToldTheRequestIsKeptAndTheCoachIsAskedToRedraft()
    {
        var s = PlanDrafted();

        var d = s.When(new RequestPlanChanges(1, "Make the retreat monthly, not quarterly"));

        Assert.Equal("Make the retreat monthly, not quarterly", d.Single<MaintenancePlanChangesRequested>().Changes);
        Assert.Equal(["maintenance-plan-changes-requested/plan-draft-1-changes"], d.Emails());
        Assert.Equal(Recipients.Coach, Assert.Single(d.Effects.OfType<SendEmail>()).To);
        Assert.Equal(["maintenance-plan-draft-1-changes"], d.Documents());
        Assert.Equal("maintenance-plan-redraft", s.Workflow.Project(s.State).WaitingFor);
    }

    [Fact]
    public void GivenChangesAsked_WhenTheCoachRedrafts_ThenTheClientGetsVersionTwoToConfirmAndBothVersionsAreDocuments()
    {
        var s = PlanDrafted().Given(new RequestPlanChanges(1, "Make the retreat monthly"));

        var d = s.When(new DraftMaintenancePlan(Plan with { RetreatCadence = "Half a day each month" }));

        Assert.Equal(["maintenance-plan-draft-2"], d.Documents());
        Assert.Equal(["maintenance-plan-review/plan-draft-2"], d.Emails());
        Assert.Equal("maintenance-plan-confirmation", s.Workflow.Project(s.State).WaitingFor);
        s.Given(new ConfirmMaintenancePlan());
        Assert.Equal(("maintenance", "Half a day each month"), (s.Workflow.Project(s.State).Phase, s.State.Plan!.RetreatCadence));
    }

    [Fact]
    public void GivenChangesAsked_WhenTheCoachSendsTheSamePlanAgain_ThenItIsANewVersionAllTheSame()
    {
        var s = PlanDrafted().Given(new RequestPlanChanges(1, "Could the retreat be monthly?"));

        Assert.Equal(["maintenance-plan-draft-2"], s.When(new DraftMaintenancePlan(Plan)).Documents());
    }

    [Theory]
    [InlineData(2, "Monthly retreat")] // not the draft the client was shown
    [InlineData(1, " ")] // nothing said
    public void GivenAPlanDraft_WhenTheRequestIsNotForTheLatestDraftOrSaysNothing_ThenRejected(int draft, string changes) =>
        Assert.Equal(DecisionKind.Rejected, PlanDrafted().When(new RequestPlanChanges(draft, changes)).Kind);

    [Fact]
    public void GivenChangesAsked_WhenTheClientAsksAgainOnTheSameDraft_ThenRejectedWithAReason()
    {
        var d = PlanDrafted().Given(new RequestPlanChanges(1, "Monthly retreat")).When(new RequestPlanChanges(1, "And fewer frameworks"));

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("already", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenGraduated_WhenTheClientAsksForChanges_ThenRejected() =>
        Assert.Equal(DecisionKind.Rejected, Scenario.InMaintenance().When(new RequestPlanChanges(1, "Monthly retreat")).Kind);
}
