using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

/// <summary>Bulk follow-up's rules: a nudge from the coach (one a day at most) and the pending link sent again.</summary>
public class FollowUpNudgeTests
{
    [Fact]
    public void GivenIntakeOut_WhenCoachNudges_ThenTheMessageGoesWithTheIntakeLink()
    {
        var s = Scenario.Signed().After(TimeSpan.FromDays(3));

        var d = s.When(new NudgeClient("  A gentle reminder: the questionnaire is worth the hour.  "));

        var nudged = d.Single<ClientNudged>();
        Assert.Equal("A gentle reminder: the questionnaire is worth the hour.", nudged.Message);
        Assert.Equal("intake", nudged.LinkPurpose);
        var email = Assert.Single(d.Effects.OfType<SendEmail>());
        Assert.Equal((EmailKinds.ClientNudge, Recipients.Client, "intake"), (email.Kind, email.To, email.LinkPurpose));
        Assert.Equal(s.Now, s.State.LastNudge!.NudgedAt);
    }

    [Fact]
    public void GivenNudgedToday_WhenNudgedAgainWithin24Hours_ThenRejectedWithTheReason()
    {
        var s = Scenario.Signed().Given(new NudgeClient("First")).After(TimeSpan.FromHours(23));

        var d = s.When(new NudgeClient("Second"));

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("already nudged in the last 24 hours", d.Reason);
    }

    [Fact]
    public void GivenNudgedYesterday_WhenNudgedAfter24Hours_ThenApplied()
    {
        var s = Scenario.Signed().Given(new NudgeClient("First")).After(TimeSpan.FromHours(24));

        Assert.Equal("Second", s.When(new NudgeClient("Second")).Single<ClientNudged>().Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void GivenAnEngagement_WhenNudgedWithoutMessage_ThenRejected(string message) =>
        Assert.Contains("needs a message", Scenario.Signed().When(new NudgeClient(message)).Reason);

    [Fact]
    public void GivenAnEngagement_WhenTheNudgeIsTooLong_ThenRejected() =>
        Assert.Contains("at most 500", Scenario.Signed().When(new NudgeClient(new string('x', 501))).Reason);

    [Fact]
    public void GivenSessionsWithNothingPendingFromTheClient_WhenNudged_ThenItGoesWithoutALink()
    {
        var s = Scenario.IntakeCompleted();

        var d = s.When(new NudgeClient("Let us find a date for our first session."));

        Assert.Null(d.Single<ClientNudged>().LinkPurpose);
        Assert.Null(Assert.Single(d.Effects.OfType<SendEmail>()).LinkPurpose);
    }

    [Fact]
    public void GivenPaused_WhenNudged_ThenRejectedNotKeptForLater()
    {
        var s = Scenario.Signed().Given(new PauseEngagement(Party.Coach, "Parental leave"));

        Assert.Equal(DecisionKind.Rejected, s.When(new NudgeClient("Hello")).Kind);
        Assert.Equal(DecisionKind.Rejected, s.When(new ResendPendingLink()).Kind);
    }

    [Fact]
    public void GivenEnded_WhenNudged_ThenRejected()
    {
        var s = Scenario.Signed().Given(new EndEngagement(Party.Coach, "Client moved abroad"));

        Assert.Equal(DecisionKind.Rejected, s.When(new NudgeClient("Hello")).Kind);
    }

    [Fact]
    public void GivenAStalledEngagement_WhenNudged_ThenItStaysFlagged()
    {
        var s = Scenario.Signed().After(TimeSpan.FromDays(30)).GivenTimer(TimerIds.Stalled);

        var d = s.When(new NudgeClient("Still with us?"));

        Assert.DoesNotContain(d.Events, e => e is FlagCleared);
        Assert.Empty(d.Timers());
        Assert.True(s.State.HasFlag(FlagNames.Stalled));
    }

    // ---- resend the pending link, per what the engagement waits for ----

    [Fact]
    public void GivenContractOut_WhenPendingLinkResent_ThenTheContractIsSentAgainAsResendContractDoes()
    {
        var s = Scenario.ContractSent().After(TimeSpan.FromDays(2));

        var d = s.When(new ResendPendingLink());

        Assert.Equal(s.Now + TimeSpan.FromDays(14), d.Single<ContractSent>().ExpiresAt);
        Assert.Equal(["contract-invitation/contract-v1-resend-1"], d.Emails());
        Assert.Equal([TimerIds.ContractReminder, TimerIds.ContractExpiry], d.Timers());
    }

    [Fact]
    public void GivenContractExpired_WhenPendingLinkResent_ThenTheContractIsOfferedAgain()
    {
        var s = Scenario.ContractSent().After(TimeSpan.FromDays(14)).GivenTimer(TimerIds.ContractExpiry);

        s.When(new ResendPendingLink()).Single<ContractSent>();

        Assert.Equal(EngagementPhase.Contract, s.State.Phase);
    }

    [Fact]
    public void GivenIntakeOut_WhenPendingLinkResent_ThenTheIntakeLinkGoesAgain()
    {
        var d = Scenario.Signed().When(new ResendPendingLink());

        Assert.Equal("intake", d.Single<PendingLinkResent>().LinkPurpose);
        Assert.Equal(["intake-invitation/intake"], d.Emails());
    }

    [Fact]
    public void GivenSessionReminderSent_WhenPendingLinkResent_ThenThePreSessionQuestionsGoAgain()
    {
        var s = Scenario.IntakeCompleted().SessionScheduled(1);
        s.Now = s.State.Session(1)!.StartAt - TimeSpan.FromDays(1);
        s.GivenTimer(TimerIds.SessionReminder(1));

        var d = s.When(new ResendPendingLink());

        Assert.Equal(("pre-session-questionnaire", "session-1"), (d.Single<PendingLinkResent>().LinkPurpose, d.Single<PendingLinkResent>().Ref));
        Assert.Equal(["session-reminder/session-1"], d.Emails());
    }

    [Fact]
    public void GivenReassessmentOut_WhenPendingLinkResent_ThenTheReassessmentLinkGoesAgain()
    {
        var s = Scenario.IntakeIsDoneAndSixSessionsHeld();

        var d = s.When(new ResendPendingLink());

        Assert.Equal("reassessment", d.Single<PendingLinkResent>().LinkPurpose);
        Assert.Single(d.Emails(), e => e.StartsWith("reassessment-invitation/reassessment-", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenPlanDrafted_WhenPendingLinkResent_ThenThePlanToConfirmGoesAgain()
    {
        var d = Scenario.Graduating().Given(new DraftMaintenancePlan(Plan)).When(new ResendPendingLink());

        Assert.Equal(["maintenance-plan-review/plan-draft-1"], d.Emails());
    }

    [Fact]
    public void GivenMaintenanceCheckSent_WhenPendingLinkResent_ThenTheCheckGoesAgain()
    {
        var s = Scenario.InMaintenance().After(TimeSpan.FromDays(92));
        s.GivenTimer(TimerIds.MaintenanceCheckIn(1));

        var d = s.When(new ResendPendingLink());

        Assert.Equal(["maintenance-checkin/maintenance-checkin-1"], d.Emails());
    }

    [Fact]
    public void GivenNothingPendingFromTheClient_WhenPendingLinkResent_ThenRejectedWithTheReason()
    {
        var d = Scenario.IntakeCompleted().When(new ResendPendingLink());

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("nothing is waiting for the client", d.Reason);
    }

    [Fact]
    public void GivenPlanChangesRequested_ThenNothingIsPendingFromTheClient()
    {
        var s = Scenario.Graduating().Given(new DraftMaintenancePlan(Plan)).Given(new RequestPlanChanges(1, "Add a monthly check with my mentor"));

        Assert.Null(EngagementWorkflow.PendingFrom(s.State));
    }
}
