using System.Collections.Immutable;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>Inputs of a cooperative coach and client, and a program fast enough for the real engine (it has no time skipping).</summary>
internal static class Examples
{
    /// <summary>
    /// Two sessions with a reassessment after the first and at the end, then maintenance measured in seconds.
    /// Reminders are far off, so what a test sees depends only on what it sends.
    /// </summary>
    public static readonly ProgramDefinition Fast = BuiltInPrograms.Career6 with
    {
        Id = "fast",
        SessionCount = 2,
        SessionCadence = TimeSpan.FromSeconds(10),
        Reassessment = new ReassessmentRule(EverySessions: 1, Every: null, AtEnd: true),
        Maintenance = new MaintenanceRule(Period: TimeSpan.FromSeconds(8), CheckInEvery: TimeSpan.FromSeconds(4),
            StillApplyingCheckAfter: TimeSpan.FromSeconds(6), AnswerWindow: TimeSpan.FromSeconds(3)),
        StalledAfter = TimeSpan.FromDays(30),
    };

    public static readonly ProgramCatalog Catalog = new([BuiltInPrograms.Career6, BuiltInPrograms.DemoAccelerated, Fast]);

    public static readonly EngagementTerms Terms = new(60, 1800m, "EUR", "Half at signature, half after session 3",
        "Move a session up to 24 hours ahead at no cost", null, "nothing", ["A leadership role in renewable energy within 12–18 months"]);

    public static StartEngagement Start(string coach = "coach-ada", string program = "fast") =>
        new("firm-1", coach, "client-sam", "Sam Rivera", "sam@example.test", program, Terms);

    public static SignContract Sign(int version = 1) =>
        new(version, "Sam Rivera", true, "203.0.113.7", "Mozilla/5.0", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");

    public static ImmutableList<QuestionnaireAnswer> IntakeAnswers(int score = 4) =>
    [
        .. CareerQuestionnaires.Intake.Items.Select(i => i.Kind == ItemKind.Rating
            ? new QuestionnaireAnswer(i.Id, Score: score)
            : new QuestionnaireAnswer(i.Id, Text: $"My answer to {i.Id}")),
    ];

    public static ImmutableList<Rating> Ratings(int score) =>
        [.. CareerQuestionnaires.Reassessment.RatingItems.Select(i => new Rating(i.Id, score))];

    public static SessionAgreement Agreement(DateTimeOffset actionDue) => new(
        new Grow("Pick two companies to approach", "Three applications, no replies", "Referrals, events", "Ask two former colleagues"),
        [new SessionGoal("A shortlist of employers", "At least 5 companies written down")],
        [new ProposedAction("Hold an informational interview", actionDue, "Feeling awkward", "Use the drafted message")],
        "A message to the coach on Friday", [new LeadingIndicator("Informational interviews", "5 by the end of the quarter")],
        "More ready than I thought", "Shortlist and outreach plan", "Hesitates when money comes up");

    public static MaintenancePlan Plan => new(["GROW for decisions"], ["Fairness"], "A goal sheet reviewed on Sundays", "Half a day each quarter",
        ["An industry shift"], "Offer accepted");
}
