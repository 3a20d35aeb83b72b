using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Questionnaires;
using static CoachFlow.Documents.Reading;

namespace CoachFlow.Documents.Kinds;

/// <summary>The client's pre-coaching answers, and the brief both bring to the first session.</summary>
internal static class IntakeDocuments
{
    private static readonly (string Section, string Heading)[] Parts =
    [
        ("accomplishments", "What you achieved"),
        ("energy", "What drains your energy"),
        ("evidence", "What others say about you"),
        ("stuck-point", "Where you feel stuck"),
        ("values", "What matters most to you"),
        ("wheel-of-life", "Your Wheel of Life"),
        ("swot", "Your career SWOT"),
        ("scaled", "Where you stand, in numbers"),
    ];

    private static IntakeCompleted Completed(DocumentSource s) => s.Last<IntakeCompleted>()
        ?? throw new InvalidOperationException($"Engagement {s.State.EngagementId} has not completed its intake.");

    public static ReaderDocument Answers(DocumentSource s)
    {
        var intake = Completed(s);
        var questionnaire = s.Program.Questionnaires.Intake;
        var sections = new List<Section>();
        foreach (var (section, heading) in Parts.Concat(questionnaire.Items.Select(i => i.Section).Distinct().Where(x => !Parts.Any(p => p.Section == x)).Select(x => (x, "More answers"))))
        {
            var items = questionnaire.Items.Where(i => i.Section == section).ToList();
            if (section == "wheel-of-life")
            {
                var rows = items.Select(i => (IReadOnlyList<string>)[RatingLabel(i), Score(intake.Answers, i.Id)]).ToList();
                if (items.Count > 0)
                    sections.Add(new(heading, [new Table(items[0].Prompt.Split(':')[0], ["Area of life", "Your rating"], rows)])); // the shared prompt as the caption
                continue;
            }
            var blocks = items.Select(i => Answered(i, intake.Answers)).Where(b => b is not null).Cast<Block>().ToList();
            if (blocks.Count > 0) sections.Add(new(heading, blocks));
        }
        return new ReaderDocument("intake-answers", "Your pre-coaching answers", $"{s.State.ClientName}, for your coaching with {s.Branding.CoachName}",
            sections, $"Completed on {Day(intake.CompletedAt, s.Zone)}. Only you and your coach see these answers.", s.Branding);
    }

    public static ReaderDocument Brief(DocumentSource s)
    {
        var intake = Completed(s);
        var questionnaire = s.Program.Questionnaires.Intake;
        var goals = s.State.Terms?.OverallGoals ?? [];
        var wheel = questionnaire.Items.Where(i => i.Section == "wheel-of-life")
            .Select(i => (Area: RatingLabel(i), Score: intake.Answers.FirstOrDefault(a => a.ItemId == i.Id)?.Score))
            .Where(x => x.Score is not null).ToList();
        var sections = new List<Section>
        {
            new("Where we start", [new Para($"Thank you for your answers, {FirstName(s.State.ClientName)}. This is what {s.Branding.CoachName} and you bring to the first session: your goals, where you feel stuck and where you stand today.", Lead: true)]),
            new("The goals in your agreement", goals.Count > 0 ? [new Bullets(goals)] : [new Para("You will shape your goals together in the first session.")]),
        };
        var stuck = questionnaire.Items.Where(i => i.Section is "stuck-point" or "values").Select(i => Answered(i, intake.Answers)).OfType<Block>().ToList();
        if (stuck.Count > 0) sections.Add(new("In your own words", stuck));
        if (wheel.Count > 0)
        {
            var low = wheel.OrderBy(x => x.Score).Take(2).ToList();
            var high = wheel.OrderByDescending(x => x.Score).Take(2).ToList();
            sections.Add(new("Your Wheel of Life today",
            [
                new Para($"You feel most content with {Join(high.Select(x => $"{x.Area.ToLowerInvariant()} ({x.Score} out of 10)"))}, " +
                    $"and least with {Join(low.Select(x => $"{x.Area.ToLowerInvariant()} ({x.Score} out of 10)"))}."),
                new Table("Your ratings at the start, from 1 to 10", ["Area of life", "Your rating"], [.. wheel.Select(x => (IReadOnlyList<string>)[x.Area, $"{x.Score}"])]),
            ]));
        }
        var scaled = questionnaire.Items.Where(i => i.Section == "scaled").Select(i => Answered(i, intake.Answers)).OfType<Block>().ToList();
        if (scaled.Count > 0) sections.Add(new("Your starting points", scaled));
        sections.Add(new("In the first session", [new Para("We agree what you want from the session and how we will both know it worked, look at your situation as it is, explore options, and you choose your first actions.")]));
        return new ReaderDocument("pre-session-brief", "Brief before the first session", $"{s.State.ClientName}, with {s.Branding.CoachName}", sections,
            $"Written on {Day(intake.CompletedAt, s.Zone)}.", s.Branding);
    }

    internal static Answer? Answered(QuestionnaireItem item, IReadOnlyList<QuestionnaireAnswer> answers)
    {
        var answer = answers.FirstOrDefault(a => a.ItemId == item.Id);
        if (answer is null) return null;
        return item.Kind == ItemKind.Rating
            ? answer.Score is int score ? new Answer(item.Prompt, $"{score} out of 10") : null
            : string.IsNullOrWhiteSpace(answer.Text) ? null : new Answer(item.Prompt, answer.Text.Trim());
    }

    private static string Score(IReadOnlyList<QuestionnaireAnswer> answers, string id) =>
        answers.FirstOrDefault(a => a.ItemId == id)?.Score is int n ? $"{n}" : "not rated";

    internal static string Join(IEnumerable<string> parts)
    {
        var list = parts.ToList();
        return list.Count <= 1 ? string.Concat(list) : $"{string.Join(", ", list.Take(list.Count - 1))} and {list[^1]}";
    }
}
