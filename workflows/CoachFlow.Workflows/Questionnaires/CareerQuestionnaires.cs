using System.Collections.Immutable;

namespace CoachFlow.Workflows.Questionnaires;

/// <summary>The questionnaires of the career programs, worded for CoachFlow.</summary>
public static class CareerQuestionnaires
{
    /// <summary>The Wheel of Life areas every career client rates from 1 to 10.</summary>
    public static readonly ImmutableList<(string Id, string Label)> WheelAreas =
    [
        ("wheel-career", "Work and career"),
        ("wheel-finances", "Money"),
        ("wheel-health", "Health and energy"),
        ("wheel-family", "Family"),
        ("wheel-relationships", "Partner, friends and community"),
        ("wheel-growth", "Learning and personal growth"),
        ("wheel-fun", "Play and rest"),
        ("wheel-environment", "Home and surroundings"),
    ];

    /// <summary>Scaled questions, asked at intake and at every reassessment.</summary>
    public static readonly ImmutableList<QuestionnaireItem> ScaledQuestions =
    [
        new("scale-next-move-clarity", "scaled", ItemKind.Rating, "On a scale of 1 to 10, how sharply can you picture the next step in your career?"),
        new("scale-confidence", "scaled", ItemKind.Rating, "From 1 to 10, how sure are you that you can make that step happen?"),
        new("scale-network", "scaled", ItemKind.Rating, "From 1 to 10, how well do the people around you know what you are aiming for?"),
    ];

    private static IEnumerable<QuestionnaireItem> Wheel(string prompt) =>
        WheelAreas.Select(a => new QuestionnaireItem(a.Id, "wheel-of-life", ItemKind.Rating, $"{prompt} {a.Label}"));

    /// <summary>The pre-coaching audit: a few hours of honest homework, saved as the client goes.</summary>
    public static readonly QuestionnaireDefinition Intake = new("career-intake", "Before we start: your career audit",
    [
        new("accomplishments", "accomplishments", ItemKind.Text,
            "List what you achieved over roughly the last two years. Put a number on each one where you can (money, time, people, percentages)."),
        new("energy-drains", "energy", ItemKind.Text, "Which parts of your week leave you flat or tired, and why do you think that is?"),
        new("procrastinated-tasks", "energy", ItemKind.Text, "What have you kept putting off, at work or around your career?", Required: false),
        new("recurring-conflicts", "energy", ItemKind.Text, "Are there tensions or disagreements that keep coming back? Describe them briefly.", Required: false),
        new("outside-evidence", "evidence", ItemKind.Text,
            "What do others say about you? Think of performance reviews, feedback from colleagues, notes from recruiters."),
        new("stuck-point", "stuck-point", ItemKind.Text, "Describe, as exactly as you can, where you feel stuck right now."),
        new("values", "values", ItemKind.Text, "Which five or so things matter most to you in how you work and live?"),
        .. Wheel("Rate from 1 (very unhappy) to 10 (fully content):"),
        new("swot-strengths", "swot", ItemKind.Text, "Career SWOT: what are you clearly good at?"),
        new("swot-weaknesses", "swot", ItemKind.Text, "Career SWOT: where do you hold yourself back or lack skills?"),
        new("swot-opportunities", "swot", ItemKind.Text, "Career SWOT: which openings do you see in your field, company or network?"),
        new("swot-threats", "swot", ItemKind.Text, "Career SWOT: what could get in your way from outside?"),
        .. ScaledQuestions,
    ]);

    /// <summary>Before each session: the review of open actions is collected per action; this adds the client's wish.</summary>
    public static readonly QuestionnaireDefinition PreSession = new("career-pre-session", "Getting ready for our next session",
    [
        new("wants-from-session", "session", ItemKind.Text, "What would make our next conversation worth your time?"),
    ]);

    /// <summary>Periodic reassessment: the same ratings as the baseline, plus leading indicators.</summary>
    public static readonly QuestionnaireDefinition Reassessment = new("career-reassessment", "Checking where you are now",
    [
        .. Wheel("How would you rate this area today, from 1 to 10?"),
        .. ScaledQuestions,
        new("leading-indicators", "indicators", ItemKind.Text,
            "Report on the indicators we agreed to track, for example how many informational interviews you have held.", Required: false),
        new("outcomes", "outcomes", ItemKind.Text, "Any concrete results so far: an offer, a raise, a promotion, a move, a launch?", Required: false),
    ]);

    /// <summary>Quarterly self-coaching check-in after graduation.</summary>
    public static readonly QuestionnaireDefinition MaintenanceCheckIn = new("career-maintenance-checkin", "Your self-coaching check-in",
    [
        new("still-applying", "maintenance", ItemKind.Text, "Which parts of your plan are you still using, and which have slipped?"),
        new("trigger", "maintenance", ItemKind.Text,
            "Has anything changed that would make support useful again, such as a shift in your industry, a step up, or feeling stuck?", Required: false),
    ]);
}
