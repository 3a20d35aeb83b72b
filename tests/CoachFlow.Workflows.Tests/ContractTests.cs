using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

public class ContractTests
{
    [Fact]
    public void GivenNewEngagement_WhenCoachStartsIt_ThenContractIsSentWithReminderAndExpiry()
    {
        var s = new Scenario();

        var d = s.When(Start());

        Assert.Equal(["contract-invitation/contract-v1"], d.Emails());
        Assert.Equal([TimerIds.ContractReminder, TimerIds.ContractExpiry], d.Timers());
        Assert.Contains("contract-v1", d.Documents());
        var sent = d.Single<ContractSent>();
        Assert.Equal(T0 + TimeSpan.FromDays(14), sent.ExpiresAt);
        Assert.Equal("client-signature", s.Workflow.Project(s.State).WaitingFor);
        Assert.Equal(sent.ExpiresAt, s.Workflow.Project(s.State).DueAt);
    }

    [Fact]
    public void GivenNewEngagement_WhenStartedOnUnknownProgram_ThenRejectedNamingInputAndPhase()
    {
        var d = new Scenario().When(Start(program: "no-such-program"));

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("StartEngagement", d.Reason);
        Assert.Contains("'new'", d.Reason);
    }

    [Fact]
    public void GivenContractSent_WhenStartedAgain_ThenNothingIsDecided() =>
        Assert.Equal(Decision<EngagementEvent>.None, Scenario.ContractSent().When(Start()));

    [Fact]
    public void GivenContractUnsigned_WhenReminderTimerFires_ThenClientIsRemindedAndNextReminderSet()
    {
        var s = Scenario.ContractSent().After(TimeSpan.FromDays(3));

        var d = s.WhenTimer(TimerIds.ContractReminder);

        Assert.Equal(1, d.Single<ContractReminderSent>().Number);
        Assert.Equal(["contract-reminder/v1-send-1-reminder-1"], d.Emails());
        Assert.Equal([TimerIds.ContractReminder], d.Timers());
    }

    [Fact]
    public void GivenContractUnsigned_WhenItExpires_ThenCoachIsToldAndEngagementWaitsForResend()
    {
        var s = Scenario.ContractSent().After(TimeSpan.FromDays(14));

        var d = s.WhenTimer(TimerIds.ContractExpiry);

        d.Single<ContractExpired>();
        Assert.Equal(["contract-expired"], d.Notifications());
        Assert.Equal("contract-expired", s.Workflow.Project(s.State).Phase);
        Assert.Equal("contract-resend", s.Workflow.Project(s.State).WaitingFor);
    }

    [Fact]
    public void GivenContractExpired_WhenClientSigns_ThenRejected()
    {
        var s = Scenario.ContractSent().After(TimeSpan.FromDays(14)).GivenTimer(TimerIds.ContractExpiry);

        var d = s.When(Sign());

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("SignContract", d.Reason);
        Assert.Contains("contract-expired", d.Reason);
    }

    [Fact]
    public void GivenContractExpired_WhenCoachResends_ThenContractIsOutAgainWithFreshExpiry()
    {
        var s = Scenario.ContractSent().After(TimeSpan.FromDays(14)).GivenTimer(TimerIds.ContractExpiry).After(TimeSpan.FromDays(1));

        var d = s.When(new ResendContract());

        Assert.Equal(s.Now + TimeSpan.FromDays(14), d.Single<ContractSent>().ExpiresAt);
        Assert.Equal(["contract-invitation/contract-v1-resend-1"], d.Emails());
        Assert.Equal(EngagementPhase.Contract, s.State.Phase);
    }

    [Fact]
    public void GivenContractSent_WhenClientSigns_ThenContractSignedWithEvidenceAndIntakeIsSent()
    {
        var s = Scenario.ContractSent().After(TimeSpan.FromDays(1));

        var d = s.When(Sign());

        var signed = d.Single<ContractSigned>();
        Assert.Equal(("Sam Rivera", "203.0.113.7", "Mozilla/5.0"), (signed.FullName, signed.IpAddress, signed.UserAgent));
        Assert.Equal(Sign().DocumentSha256, signed.DocumentSha256);
        d.Single<IntakeSent>();
        Assert.Equal(["intake-invitation/intake"], d.Emails());
        Assert.Equal(["contract-signed"], d.Notifications());
        Assert.Contains("contract-v1-signature", d.Documents());
        Assert.Equal([TimerIds.ContractReminder, TimerIds.ContractExpiry], d.Cancelled());
        Assert.Equal([TimerIds.IntakeReminder, TimerIds.Stalled], d.Timers());
        Assert.Equal("intake", s.Workflow.Project(s.State).WaitingFor);
    }

    [Fact]
    public void GivenContractSigned_WhenClientSignsAgain_ThenNothingIsDecided() =>
        Assert.Equal(Decision<EngagementEvent>.None, Scenario.Signed().When(Sign()));

    [Fact]
    public void GivenContractSent_WhenClientSignsWithoutConsent_ThenRejected()
    {
        var d = Scenario.ContractSent().When(Sign(consent: false));

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("consent", d.Reason);
    }

    [Fact]
    public void GivenContractSigned_WhenOldReminderTimerFires_ThenNothingIsDecided() =>
        Assert.Equal(Decision<EngagementEvent>.None, Scenario.Signed().WhenTimer(TimerIds.ContractReminder));

    [Fact]
    public void GivenContractSigned_WhenCoachResends_ThenRejected() =>
        Assert.Equal(DecisionKind.Rejected, Scenario.Signed().When(new ResendContract()).Kind);

    [Fact]
    public void GivenReviewNeedsAmendment_WhenClientSignsVersion2_ThenAmendmentIsSignedAndSessionsContinue()
    {
        var s = Scenario.IntakeCompleted().SessionsHeld(3).After(TimeSpan.FromDays(1))
            .Given(new SubmitReassessment(1, Ratings(6), []))
            .After(TimeSpan.FromDays(1));
        var amended = Terms with { Fee = 2400m };

        var review = s.When(new ReviewReassessment(1, ["Add two sessions on negotiation"], [], AmendmentNeeded: true, amended));
        Assert.Equal(2, review.Single<ContractSent>().ContractVersion);
        Assert.Contains("contract-amendment/contract-v2", review.Emails());

        var d = s.After(TimeSpan.FromDays(1)).When(Sign(version: 2));

        Assert.Equal(2, d.Single<ContractSigned>().ContractVersion);
        Assert.Empty(d.Emails());
        Assert.Equal(EngagementPhase.Sessions, s.State.Phase);
        Assert.Equal([1, 2], s.State.Signatures.Select(x => x.ContractVersion));
    }
}
