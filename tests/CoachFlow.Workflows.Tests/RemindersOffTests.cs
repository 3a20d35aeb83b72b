using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

/// <summary>
/// The client's one-click "stop reminders" (List-Unsubscribe): reminders and nudges stop for this engagement, nothing else
/// does — not the contract, not the records, not the emails the client needs.
/// </summary>
public class RemindersOffTests
{
    [Fact]
    public void GivenTheContractOut_WhenTheClientStopsReminders_ThenRemindersStoppedAndTheContractStillStands()
    {
        var s = Scenario.ContractSent().After(TimeSpan.FromHours(2));

        var d = s.When(new StopReminders());

        Assert.Equal(s.Now, d.Single<RemindersStopped>().StoppedAt);
        Assert.Empty(d.Effects);
        Assert.Equal((EngagementPhase.Contract, s.Now), (s.State.Phase, s.State.RemindersStoppedAt));
    }

    [Fact]
    public void GivenRemindersOff_WhenTheContractReminderComesDue_ThenItIsWithheldAndTheNextOneIsStillSet()
    {
        var s = Scenario.ContractSent().Given(new StopReminders()).After(TimeSpan.FromDays(3));

        var d = s.WhenTimer(TimerIds.ContractReminder);

        Assert.Equal(EmailKinds.ContractReminder, d.Single<ReminderWithheld>().Kind);
        Assert.Empty(d.Emails());
        Assert.Equal([TimerIds.ContractReminder], d.Timers());
        Assert.Equal(1, s.State.ContractReminders);
    }

    [Fact]
    public void GivenAnIntakeReminderWithheld_WhenTheClientTurnsRemindersBackOn_ThenTheNextReminderGoesAsTheSecond()
    {
        var s = Scenario.Signed().Given(new StopReminders()).After(TimeSpan.FromDays(3)).GivenTimer(TimerIds.IntakeReminder);

        s.After(TimeSpan.FromHours(1)).Given(new ResumeReminders());
        var d = s.After(TimeSpan.FromDays(3)).WhenTimer(TimerIds.IntakeReminder);

        Assert.Equal(2, d.Single<IntakeReminderSent>().Number);
        Assert.Equal([$"{EmailKinds.IntakeReminder}/reminder-2"], d.Emails());
    }

    [Fact]
    public void GivenRemindersOff_WhenEveryIntakeReminderComesDue_ThenTheChainStillEndsAfterTheProgramsLast()
    {
        var s = Scenario.Signed().Given(new StopReminders());
        var withheld = 0;
        for (var turn = 0; turn < 10 && (turn == 0 || s.Last.Timers().Contains(TimerIds.IntakeReminder)); turn++)
        {
            s.After(TimeSpan.FromDays(3)).WhenTimer(TimerIds.IntakeReminder);
            withheld += s.Last.Events.OfType<ReminderWithheld>().Count();
        }

        Assert.Equal(Decision<EngagementEvent>.None, s.Workflow.Decide(s.State, new TimerFired(TimerIds.IntakeReminder, s.Now), s.Now));
        Assert.Equal(s.State.IntakeReminders, withheld);
        Assert.True(withheld is > 0 and < 10, $"{withheld} withheld");
    }

    [Fact]
    public void GivenRemindersOff_WhenTheContractExpires_ThenItExpiresAsBefore()
    {
        var s = Scenario.ContractSent().Given(new StopReminders()).After(TimeSpan.FromDays(30));

        var d = s.WhenTimer(TimerIds.ContractExpiry);

        Assert.Single(d.Events.OfType<ContractExpired>());
        Assert.Contains("contract-expired", d.Notifications());
    }

    [Fact]
    public void GivenRemindersOff_WhenTheClientSigns_ThenTheIntakeInvitationStillGoesOut()
    {
        var s = Scenario.ContractSent().Given(new StopReminders()).After(TimeSpan.FromDays(1));

        var d = s.When(Sign());

        Assert.Single(d.Events.OfType<ContractSigned>());
        Assert.Contains($"{EmailKinds.IntakeInvitation}/intake", d.Emails());
    }

    public static TheoryData<string, string> Reminders => new()
    {
        { "intake", TimerIds.IntakeReminder },
        { "session", TimerIds.SessionReminder(1) },
        { "action", TimerIds.ActionCheckIn("s1-a1") },
        { "reassessment", TimerIds.ReassessmentReminder },
        { "maintenance", TimerIds.MaintenanceCheckIn(1) },
        { "maintenance", TimerIds.SixMonthCheck },
    };

    [Theory]
    [MemberData(nameof(Reminders))]
    public void GivenRemindersOff_WhenAReminderComesDue_ThenNoEmailGoesAndTheTimelineSaysItWasWithheld(string stage, string timerId)
    {
        var s = At(stage);
        var on = s.Workflow.Decide(s.State, new TimerFired(timerId, s.Now), s.Now);
        var sent = Assert.Single(on.Effects.OfType<SendEmail>()); // with reminders on, this timer sends a reminder
        Assert.Contains(sent.Kind, EmailKinds.RemindersAndNudges);
        s.Given(new StopReminders());

        var d = s.WhenTimer(timerId);

        Assert.Equal(sent.Kind, d.Single<ReminderWithheld>().Kind);
        Assert.Single(d.Events);
        Assert.Empty(d.Emails());
        Assert.Equal(on.Timers(), d.Timers());
    }

    [Fact]
    public void GivenRemindersOff_WhenTheCoachNudges_ThenRejectedSayingTheClientTurnedThemOff()
    {
        var s = Scenario.Signed().Given(new StopReminders());

        var d = s.When(new NudgeClient("The questionnaire is worth the hour."));

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("turned reminders and nudges off", d.Reason);
    }

    [Fact]
    public void GivenRemindersOff_WhenSessionsAreBookedAndHeld_ThenConfirmationsAndSummariesStillGoOut()
    {
        var s = Scenario.IntakeCompleted().Given(new StopReminders());

        var booked = s.After(TimeSpan.FromDays(1)).When(new ScheduleSession(1, s.Now + TimeSpan.FromDays(7), "Europe/Amsterdam"));
        s.Now = s.State.Session(1)!.StartAt + TimeSpan.FromHours(1);
        s.Given(new CaptureSessionAgreement(1, Agreement(s.Now + TimeSpan.FromDays(7))));
        var held = s.When(new MarkSessionHeld(1));

        Assert.Contains($"{EmailKinds.SessionConfirmation}/session-1", booked.Emails());
        Assert.Contains($"{EmailKinds.SessionSummary}/session-1", held.Emails());
    }

    [Fact]
    public void GivenRemindersOff_WhenTheClientTurnsThemBackOn_ThenTheNextReminderGoesOut()
    {
        var s = Scenario.IntakeCompleted().Given(new StopReminders()).SessionScheduled(1);

        var resumed = s.After(TimeSpan.FromHours(1)).When(new ResumeReminders());
        var d = s.After(TimeSpan.FromDays(6)).WhenTimer(TimerIds.SessionReminder(1));

        Assert.Equal(s.Now - TimeSpan.FromDays(6), resumed.Single<RemindersResumed>().ResumedAt);
        Assert.Null(s.State.RemindersStoppedAt);
        Assert.Contains($"{EmailKinds.SessionReminder}/session-1", d.Emails());
    }

    [Fact]
    public void GivenRemindersOff_WhenStoppedAgain_ThenNothingMoreIsDecided()
    {
        var s = Scenario.Signed().Given(new StopReminders()).After(TimeSpan.FromMinutes(5));

        Assert.Equal(Decision<EngagementEvent>.None, s.When(new StopReminders()));
    }

    [Fact]
    public void GivenRemindersOn_WhenTheClientTurnsThemOn_ThenNothingIsDecided() =>
        Assert.Equal(Decision<EngagementEvent>.None, Scenario.Signed().When(new ResumeReminders()));

    [Fact]
    public void GivenAClosedEngagement_WhenTheClientStopsReminders_ThenNothingIsDecidedAndNothingIsRefused()
    {
        var s = Scenario.Signed().Given(new EndEngagement(Party.Coach, "The client moved abroad"));

        Assert.Equal(Decision<EngagementEvent>.None, s.When(new StopReminders()));
    }

    [Fact]
    public void GivenAStalledEngagement_WhenTheClientStopsReminders_ThenItStaysStalled()
    {
        var s = Scenario.Signed().After(TimeSpan.FromDays(30)).GivenTimer(TimerIds.Stalled);

        var d = s.When(new StopReminders());

        Assert.DoesNotContain(d.Events, e => e is FlagCleared);
        Assert.True(s.State.HasFlag(FlagNames.Stalled));
    }

    /// <summary>The engagement just before the reminder of <paramref name="stage"/> comes due.</summary>
    private static Scenario At(string stage) => stage switch
    {
        "intake" => Scenario.Signed().After(TimeSpan.FromDays(3)),
        "session" => Scenario.IntakeCompleted().SessionScheduled(1).After(TimeSpan.FromDays(6)),
        "action" => Scenario.IntakeCompleted().SessionHeld(1).After(TimeSpan.FromDays(7)),
        "reassessment" => Scenario.IntakeIsDoneAndSixSessionsHeld().After(TimeSpan.FromDays(5)),
        _ => Scenario.InMaintenance().After(TimeSpan.FromDays(200)),
    };
}
