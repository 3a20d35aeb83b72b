using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Workflows.Tests;

public class ProgramTests
{
    [Fact]
    public void GivenCareer6_ThenItHasSixSessionsEveryTwoWeeksAndAYearOfQuarterlyMaintenance()
    {
        var p = ProgramCatalog.BuiltIn.Find("career-6")!;

        Assert.Equal((6, TimeSpan.FromDays(14)), (p.SessionCount, p.SessionCadence));
        Assert.Equal((TimeSpan.FromDays(3), TimeSpan.FromDays(14)), (p.Reminders.ContractReminderEvery, p.Reminders.ContractExpiresAfter));
        Assert.Equal((3, true), (p.Reassessment.EverySessions, p.Reassessment.AtEnd));
        Assert.Equal(4, p.MaintenanceCheckIns);
        Assert.Equal(TimeSpan.FromDays(180), p.Maintenance.StillApplyingCheckAfter);
    }

    [Fact]
    public void GivenDemoAccelerated_ThenItIsCareer6WithAboutTenSecondsForAWeek()
    {
        var p = ProgramCatalog.BuiltIn.Find("demo-accelerated")!;

        Assert.Equal((6, TimeSpan.FromSeconds(20)), (p.SessionCount, p.SessionCadence));
        Assert.Equal(4, p.MaintenanceCheckIns);
        Assert.Equal(TimeSpan.FromMinutes(2), p.Maintenance.Period);
        Assert.Equal(TimeSpan.FromMinutes(1), p.Reminders.ContractExpiresAfter); // long enough for a person to open and sign the link
    }

    [Fact]
    public void GivenDemoAccelerated_ThenItsDurationsAreCareer6OnOneDemoClock_AndSessionsDoNotOverlap()
    {
        var (demo, career) = (BuiltInPrograms.DemoAccelerated, BuiltInPrograms.Career6);
        var person = BuiltInPrograms.DemoReaction;
        TimeSpan Week(double weeks) => BuiltInPrograms.DemoWeek * weeks;

        Assert.Equal(Week(2), demo.SessionCadence);
        Assert.Equal(Week(1), demo.Reminders.CoachNudgeAfter);
        Assert.Equal(Week(4), demo.StalledAfter);
        // Where the scale would leave a person less than a reaction time, they get one.
        Assert.All([demo.Reminders.ContractReminderEvery, demo.Reminders.IntakeReminderEvery, demo.Reminders.SessionReminderBefore, demo.Reminders.ReassessmentReminderAfter],
            d => Assert.Equal(person, d));
        Assert.Equal(BuiltInPrograms.OnDemoClock(career.Reminders.IntakeDueAfter), demo.Reminders.IntakeDueAfter);
        Assert.Equal(BuiltInPrograms.OnDemoMaintenanceClock(career.Maintenance.Period), demo.Maintenance.Period);
        Assert.Equal(career.MaintenanceCheckIns, demo.MaintenanceCheckIns);
        // A session is booked for less than the time between two, so calendars never show two at once.
        Assert.Equal(TimeSpan.FromSeconds(5), demo.SessionLengthFor(Examples.Terms));
        Assert.True(demo.SessionLengthFor(Examples.Terms) < demo.SessionCadence);
        Assert.Equal(TimeSpan.FromMinutes(60), career.SessionLengthFor(Examples.Terms)); // the contract's minutes
    }

    [Theory]
    [InlineData(5, "5 seconds")]
    [InlineData(20, "20 seconds")]
    [InlineData(60 * 60, "1 hour")]
    [InlineData(90 * 60, "90 minutes")]
    [InlineData(14 * 86_400, "2 weeks")]
    [InlineData(3 * 86_400, "3 days")]
    public void GivenADuration_WhenSaidInWords_ThenItReadsAsAContractWouldSayIt(int seconds, string words) =>
        Assert.Equal(words, Durations.InWords(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("P14D", 14 * 24 * 3600)]
    [InlineData("PT2S", 2)]
    [InlineData("P3M", 90 * 24 * 3600)]
    public void GivenAnIsoDuration_WhenParsed_ThenItBecomesATimeSpan(string iso, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Iso8601.Duration(iso));

    [Fact]
    public void GivenTheCareerIntake_ThenItCoversEveryPartOfTheAudit()
    {
        var sections = CareerQuestionnaires.Intake.Items.Select(i => i.Section).Distinct();

        Assert.Equal(["accomplishments", "energy", "evidence", "stuck-point", "values", "wheel-of-life", "swot", "scaled"], sections);
        Assert.Equal(8, CareerQuestionnaires.Intake.Items.Count(i => i.Section == "wheel-of-life"));
    }

    /// <summary>The renderer's tests take their kinds from <see cref="EmailKinds.All"/>: a kind left out of it would go untested.</summary>
    [Fact]
    public void GivenTheEmailKindConstants_WhenAllIsRead_ThenItHoldsEachKindExactlyOnce()
    {
        var constants = typeof(EmailKinds).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(constants.Order(StringComparer.Ordinal), EmailKinds.All.Order(StringComparer.Ordinal));
    }
}
