using CoachFlow.Workflows.Engagements;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

/// <summary>What a firm's listing and dashboard count: the cohort, the opaque client id and the milestones, never an answer.</summary>
public class FirmOverviewProjectionTests
{
    [Fact]
    public void GivenAStartFromACohortImport_WhenProjected_ThenTheCohortClientAndTimeZoneAreKept()
    {
        var s = new Scenario().Given(Start() with { CohortId = "cohort-spring", ClientTimeZone = "Europe/Amsterdam" });

        var p = s.Workflow.Project(s.State);

        Assert.Equal(("cohort-spring", Start().ClientId), (p.CohortId, p.ClientId));
        Assert.Equal("Europe/Amsterdam", s.State.ClientTimeZone);
        Assert.Equal(new(false, false, 0, 0, false, null), p.Milestones);
    }

    [Fact]
    public void GivenSignedAndIntakeDone_WhenProjected_ThenThoseMilestonesAreCounted()
    {
        var s = Scenario.IntakeCompleted().SessionsHeld(2);

        var m = s.Workflow.Project(s.State).Milestones!;

        Assert.Equal((true, true, 2, 0, false, (double?)null), (m.Signed, m.IntakeCompleted, m.SessionsHeld, m.ReassessmentsCompleted, m.Graduated, m.ProgressSinceBaseline));
    }

    [Fact]
    public void GivenAReassessmentTwoPointsAboveTheBaseline_WhenProjected_ThenProgressSinceBaselineIsTwo()
    {
        var s = Scenario.IntakeCompleted().SessionsHeld(3).Given(new SubmitReassessment(1, Ratings(6), []));

        var m = s.Workflow.Project(s.State).Milestones!;

        Assert.Equal((1, 2.0), (m.ReassessmentsCompleted, m.ProgressSinceBaseline));
    }

    [Fact]
    public void GivenAGraduatedClient_WhenProjected_ThenGraduatedIsCounted()
    {
        var s = Scenario.InMaintenance();

        Assert.True(s.Workflow.Project(s.State).Milestones!.Graduated);
    }
}
