using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

/// <summary>The sponsor's progress report goes out on the program's cadence, and only when there is a sponsor.</summary>
public sealed class SponsorReportTests
{
    private static Scenario Sponsored(SponsorReports cadence)
    {
        var catalog = new ProgramCatalog([BuiltInPrograms.Career6 with { SponsorReports = cadence }]);
        var s = new Scenario(catalog).Given(Start() with { SponsorId = "sponsor-1" });
        return s.After(TimeSpan.FromDays(1)).Given(Sign()).After(TimeSpan.FromDays(2)).Given(new SubmitIntake(IntakeAnswers()));
    }

    [Fact]
    public void GivenASponsorAndTheDefaultCadence_WhenAReassessmentIsSubmitted_ThenTheProgressReportIsStoredAndTheSponsorGetsItsLink()
    {
        var s = Sponsored(BuiltInPrograms.Career6.SponsorReports).SessionsHeld(3);
        Assert.DoesNotContain(s.Last.Effects.OfType<SendEmail>(), e => e.To == Recipients.Sponsor); // holding a session sends none
        var d = s.After(TimeSpan.FromDays(1)).When(new SubmitReassessment(1, Ratings(6), []));
        Assert.Contains("progress-report-reassessment-1", d.Documents());
        var email = Assert.Single(d.Effects.OfType<SendEmail>(), e => e.To == Recipients.Sponsor);
        Assert.Equal((EmailKinds.ProgressReport, "progress-report", "reassessment-1"), (email.Kind, email.LinkPurpose, email.Ref));
    }

    [Fact]
    public void GivenASponsorAndACadenceOfEverySession_WhenASessionIsHeld_ThenTheSponsorGetsTheReport()
    {
        var s = Sponsored(SponsorReports.AfterEachSession).SessionHeld(1);
        Assert.Contains("progress-report-session-1", s.Last.Documents());
        Assert.Equal("session-1", Assert.Single(s.Last.Effects.OfType<SendEmail>(), e => e.To == Recipients.Sponsor).Ref);
    }

    [Fact]
    public void GivenNoSponsorOrNoCadence_WhenReassessed_ThenNoProgressReportGoesOut()
    {
        var unsponsored = Scenario.IntakeCompleted().SessionsHeld(3).After(TimeSpan.FromDays(1)).When(new SubmitReassessment(1, Ratings(6), []));
        var silent = Sponsored(SponsorReports.None).SessionsHeld(3).After(TimeSpan.FromDays(1)).When(new SubmitReassessment(1, Ratings(6), []));
        foreach (var d in new[] { unsponsored, silent })
        {
            Assert.DoesNotContain(d.Documents(), n => n.StartsWith("progress-report", StringComparison.Ordinal));
            Assert.DoesNotContain(d.Effects.OfType<SendEmail>(), e => e.To == Recipients.Sponsor);
        }
    }
}
