using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Runtime;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

public class CrossCuttingTests
{
    [Fact]
    public void GivenSessionsUnderway_WhenClientPauses_ThenTimersStopAndEverythingElseWaits()
    {
        var s = Scenario.IntakeCompleted().SessionHeld(1);

        var d = s.When(new PauseEngagement(Party.Client, "Moving house"));

        d.Single<EngagementPaused>();
        Assert.Equal([TimerIds.Stalled, TimerIds.CoachNudge], d.Cancelled());
        Assert.Equal(("paused", "resume"), (s.Workflow.Project(s.State).Phase, s.Workflow.Project(s.State).WaitingFor));
        Assert.Equal(DecisionKind.Deferred, s.When(new ScheduleSession(2, s.Now + TimeSpan.FromDays(30), "UTC")).Kind);
        Assert.Equal(DecisionKind.Deferred, s.WhenTimer("checkin-s1-a1").Kind);
        Assert.Equal(Decision<EngagementEvent>.None, s.When(new PauseEngagement(Party.Coach, "again")));
    }

    [Fact]
    public void GivenPaused_WhenResumed_ThenThePhaseReturnsAndTheCoachIsNudgedToSchedule()
    {
        var s = Scenario.IntakeCompleted().SessionHeld(1).Given(new PauseEngagement(Party.Client, "Travel")).After(TimeSpan.FromDays(20));

        var d = s.When(new ResumeEngagement());

        d.Single<EngagementResumed>();
        Assert.Equal(EngagementPhase.Sessions, s.State.Phase);
        Assert.Contains(TimerIds.CoachNudge, d.Timers());
        Assert.Contains(TimerIds.Stalled, d.Timers());
        Assert.Equal(Decision<EngagementEvent>.None, s.When(new ResumeEngagement()));
    }

    [Fact]
    public void GivenContractSent_WhenTheClientsEmailBounces_ThenTheEngagementIsFlaggedOnceAndTheCoachIsTold()
    {
        var s = Scenario.ContractSent();

        var d = s.When(new ReportEmailBouncing("bounce"));

        Assert.Equal(FlagNames.ClientEmailBouncing, d.Single<FlagRaised>().Flag);
        Assert.Contains(new NotifyCoach(FlagNames.ClientEmailBouncing), d.Effects);
        Assert.Contains(FlagNames.ClientEmailBouncing, s.Workflow.Project(s.State).Flags);
        Assert.Equal(Decision<EngagementEvent>.None, s.When(new ReportEmailBouncing("dropped")));
    }

    [Fact]
    public void GivenContractSent_WhenCoachPauses_ThenRejected() =>
        Assert.Equal(DecisionKind.Rejected, Scenario.ContractSent().When(new PauseEngagement(Party.Coach, "Busy")).Kind);

    [Theory]
    [InlineData(Party.Client)]
    [InlineData(Party.Coach)]
    public void GivenAnyActivePhase_WhenEitherSideEnds_ThenTheEngagementEndsWithAClosingEmailAndNoTimersLeft(Party by)
    {
        var s = Scenario.IntakeCompleted().SessionHeld(1);

        var d = s.When(new EndEngagement(by, "Found what I came for"));

        Assert.Equal(by, d.Single<EngagementEnded>().By);
        Assert.Equal(["engagement-ended/ended"], d.Emails());
        Assert.Contains("closing-summary", d.Documents());
        Assert.Contains(TimerIds.Stalled, d.Cancelled());
        Assert.Contains("checkin-s1-a1", d.Cancelled());
        Assert.True(s.Workflow.Project(s.State).Completed);
        Assert.Equal(Decision<EngagementEvent>.None, s.When(new EndEngagement(by, "again")));
        Assert.Equal(Decision<EngagementEvent>.None, s.WhenTimer("checkin-s1-a1"));
        var late = s.When(new CheckInAction("s1-a1", ActionStatus.Done, null));
        Assert.Equal(DecisionKind.Rejected, late.Kind);
        Assert.Contains("'ended'", late.Reason);
    }

    [Fact]
    public void GivenSessionsUnderway_WhenTheFirmChangesTheCoach_ThenTheClientIsToldAndTheNewCoachOwnsIt()
    {
        var s = Scenario.IntakeCompleted();

        var d = s.When(new ChangeCoach("coach-bea"));

        Assert.Equal(("coach-ada", "coach-bea"), (d.Single<CoachChanged>().PreviousCoachId, d.Single<CoachChanged>().NewCoachId));
        Assert.Equal(["coach-changed/coach-coach-bea"], d.Emails());
        Assert.Equal("coach-bea", s.Workflow.Project(s.State).CoachId);
        Assert.Equal(Decision<EngagementEvent>.None, s.When(new ChangeCoach("coach-bea")));
    }

    [Fact]
    public void GivenNoEngagement_WhenClientSigns_ThenRejected()
    {
        var d = new Scenario().When(Sign());

        Assert.Equal(DecisionKind.Rejected, d.Kind);
        Assert.Contains("'new'", d.Reason);
    }

    [Fact]
    public void GivenAProgramChangedMidEngagement_WhenTheRunningEngagementSchedules_ThenItKeepsItsPinnedVersion()
    {
        var v2 = BuiltInPrograms.Career6 with { Version = 2, Reminders = BuiltInPrograms.Career6.Reminders with { SessionReminderBefore = TimeSpan.FromHours(2) } };
        var s = new Scenario(new ProgramCatalog([BuiltInPrograms.Career6, v2])).Given(Start(version: 1)).Given(Sign()).Given(new SubmitIntake(IntakeAnswers()));
        var fresh = new Scenario(new ProgramCatalog([BuiltInPrograms.Career6, v2])).Given(Start());
        var start = s.Now + TimeSpan.FromDays(7);

        var d = s.When(new ScheduleSession(1, start, "UTC"));

        Assert.Equal((1, 2), (s.State.ProgramVersion, fresh.State.ProgramVersion));
        Assert.Equal(start - TimeSpan.FromDays(1), d.Effects.OfType<SetTimer>().Single(t => t.TimerId == "session-reminder-1").DueAt);
    }

    public static TheoryData<string, string, string> Table => new()
    {
        // milestone, input, expected outcome
        { "contract-sent", "submit-intake", "Deferred" },
        { "contract-sent", "schedule-1", "Deferred" },
        { "contract-sent", "sign", "Applied" },
        { "signed", "sign", "None" },
        { "signed", "submit-intake", "Applied" },
        { "signed", "schedule-1", "Applied" },
        { "intake-done", "submit-intake", "None" },
        { "intake-done", "schedule-1", "Applied" },
        { "intake-done", "held-1", "Rejected" },
        { "intake-done", "confirm-plan", "Rejected" },
        { "session-1-held", "held-1", "None" },
        { "session-1-held", "schedule-3", "Rejected" },
        { "reassessing", "schedule-4", "Deferred" },
        { "reassessing", "draft-plan", "Deferred" },
        { "graduating", "draft-plan", "Applied" },
        { "graduating", "confirm-plan", "Rejected" },
        { "maintenance", "confirm-plan", "None" },
        { "maintenance", "schedule-1", "None" },
        { "maintenance", "pause", "Rejected" },
        { "maintenance", "end", "Applied" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void GivenMilestone_WhenInputArrives_ThenTheTransitionTableHolds(string milestone, string input, string expected)
    {
        var s = milestone switch
        {
            "contract-sent" => Scenario.ContractSent(),
            "signed" => Scenario.Signed(),
            "intake-done" => Scenario.IntakeCompleted(),
            "session-1-held" => Scenario.IntakeCompleted().SessionHeld(1),
            "reassessing" => Scenario.IntakeCompleted().SessionsHeld(3),
            "graduating" => Scenario.Graduating(),
            "maintenance" => Scenario.InMaintenance(),
            _ => throw new ArgumentOutOfRangeException(nameof(milestone)),
        };
        WorkflowInput command = input switch
        {
            "sign" => Sign(),
            "submit-intake" => new SubmitIntake(IntakeAnswers()),
            "schedule-1" => new ScheduleSession(1, s.Now + TimeSpan.FromDays(5), "UTC"),
            "schedule-3" => new ScheduleSession(3, s.Now + TimeSpan.FromDays(5), "UTC"),
            "schedule-4" => new ScheduleSession(4, s.Now + TimeSpan.FromDays(5), "UTC"),
            "held-1" => new MarkSessionHeld(1),
            "draft-plan" => new DraftMaintenancePlan(Plan),
            "confirm-plan" => new ConfirmMaintenancePlan(),
            "pause" => new PauseEngagement(Party.Client, "A break"),
            "end" => new EndEngagement(Party.Client, "Done"),
            _ => throw new ArgumentOutOfRangeException(nameof(input)),
        };

        var d = s.When(command);

        var outcome = d.Kind == DecisionKind.Applied && d.Events.Count == 0 ? "None" : d.Kind.ToString();
        Assert.True(expected == outcome, $"{milestone} × {input}: expected {expected}, got {outcome} ({d.Reason})");
    }
}
