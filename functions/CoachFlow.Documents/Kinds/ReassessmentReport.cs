using CoachFlow.Documents.Charts;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Questionnaires;
using static CoachFlow.Documents.Reading;

namespace CoachFlow.Documents.Kinds;

/// <summary>
/// What changed since the start: every Wheel of Life area and scaled question with its baseline, previous and
/// latest score and the change, the goals and where they stand, the leading indicators, what was agreed to
/// adjust, and the charts with their numbers beside them.
/// </summary>
internal static class ReassessmentReport
{
    /// <summary>One rating item across the baseline, the previous reassessment and this one.</summary>
    internal sealed record Line(QuestionnaireItem Item, string Label, int? Baseline, int? Previous, int Latest, int? SinceBaseline, int? SincePrevious);

    internal static List<Line> Lines(DocumentSource s, ReassessmentCompleted done)
    {
        var items = s.Program.Questionnaires.Reassessment.RatingItems.ToList();
        var previous = s.All<ReassessmentCompleted>().LastOrDefault(r => r.Number < done.Number);
        // In the questionnaire's order, whatever order the ratings were sent in.
        return [.. done.Deltas.Select(d => (Delta: d, Item: items.FirstOrDefault(i => i.Id == d.ItemId)))
            .Where(x => x.Item is not null)
            .OrderBy(x => items.IndexOf(x.Item!))
            .Select(x => new Line(x.Item!, x.Item!.Section == "wheel-of-life" ? RatingLabel(x.Item) : ShortScale(x.Item.Id),
                s.State.Baseline.FirstOrDefault(b => b.ItemId == x.Delta.ItemId)?.Score,
                previous?.Deltas.FirstOrDefault(p => p.ItemId == x.Delta.ItemId)?.Score,
                x.Delta.Score, x.Delta.SinceBaseline, previous is null ? null : x.Delta.SincePrevious))];
    }

    public static ReaderDocument Build(DocumentSource s, int number, bool final)
    {
        var done = s.Last<ReassessmentCompleted>(e => e.Number == number)
            ?? throw new InvalidOperationException($"Engagement {s.State.EngagementId} has no completed reassessment {number}.");
        var lines = Lines(s, done);
        var wheel = lines.Where(l => l.Item.Section == "wheel-of-life").ToList();
        var scaled = lines.Where(l => l.Item.Section != "wheel-of-life").ToList();
        var hasPrevious = lines.Any(l => l.Previous is not null);
        var started = s.State.IntakeCompletedAt;
        var sections = new List<Section>();

        var rose = lines.Where(l => l.SinceBaseline > 0).OrderByDescending(l => l.SinceBaseline).ToList();
        sections.Add(new("In short",
        [
            new Para((final ? $"This is your final reassessment, {FirstName(s.State.ClientName)}: a look at everything that changed since you started" : $"Reassessment {number}, {FirstName(s.State.ClientName)}: where you stand now compared with when you started")
                + (started is { } at ? $" on {Day(at, s.Zone)}." : "."), Lead: true),
            new Para(rose.Count == 0
                ? "None of your ratings has risen since you started. That is worth talking through honestly with your coach: it may be time to adjust the goals."
                : $"{Count(rose.Count, "rating has", "ratings have")} risen since you started. The biggest change: {Sentence(rose[0])}"),
            new Facts([new("Sessions held", $"{s.State.SessionsHeld} of {s.Program.SessionCount}"), new("Completed on", Day(done.CompletedAt, s.Zone))]),
        ]));

        if (wheel.Count > 0)
        {
            sections.Add(new("Your Wheel of Life",
            [
                new Chart("Wheel of Life: at the start and now (1 to 10)",
                    ChartSvg.Wheel([.. wheel.Select(l => (l.Label, l.Baseline, (int?)l.Latest))]), ["At the start", "Now"],
                    [.. wheel.Select(l => new ChartRow(l.Label, [l.Baseline, l.Latest]))]),
                RatingTable("Each area of life, from 1 (very unhappy) to 10 (fully content)", "Area of life", wheel, hasPrevious),
                new Bullets([.. wheel.Select(l => Sentence(l))]),
            ]));
        }
        if (scaled.Count > 0)
        {
            var points = new List<string> { "Start" };
            var earlier = s.All<ReassessmentCompleted>().Where(r => r.Number <= number).OrderBy(r => r.Number).ToList();
            points.AddRange(earlier.Select(r => $"R{r.Number}"));
            sections.Add(new("Your next step, in numbers",
            [
                .. scaled.Select(l => (Block)new Answer(l.Item.Prompt, Sentence(l) )),
                RatingTable("The scaled questions, from 1 to 10", "Question", scaled, hasPrevious),
                new Chart("Scaled questions over time (Start, then each reassessment)",
                    ChartSvg.Trend(points, [.. scaled.Select(l => (l.Label, (IReadOnlyList<int?>)[l.Baseline, .. earlier.Select(r => r.Deltas.FirstOrDefault(d => d.ItemId == l.Item.Id)?.Score)]))]),
                    points, [.. scaled.Select(l => new ChartRow(l.Label, [l.Baseline, .. earlier.Select(r => r.Deltas.FirstOrDefault(d => d.ItemId == l.Item.Id)?.Score)]))]),
            ]));
        }

        sections.Add(Goals(s));
        sections.Add(Indicators(s, done));
        if (!string.IsNullOrWhiteSpace(done.Outcomes))
        {
            var prompt = s.Program.Questionnaires.Reassessment.Items.FirstOrDefault(i => i.Id == "outcomes")?.Prompt ?? "Any concrete results so far?";
            sections.Add(new(final ? "What you achieved" : "Results so far", [new Answer(prompt, done.Outcomes.Trim())]));
        }
        sections.Add(Adjustments(s, number));

        return new ReaderDocument(final ? "roi-summary" : "reassessment-report",
            final ? "What changed: your final reassessment" : $"Reassessment {number}: where you stand now",
            $"{s.State.ClientName}, with {s.Branding.CoachName}", sections,
            $"Written on {Day(done.CompletedAt, s.Zone)}. Changes are counted in points on the 1 to 10 scale.", s.Branding);
    }

    /// <summary>"Work and career 4 → 8, +4 since you started (+2 since last time)."</summary>
    internal static string Sentence(Line l) =>
        $"{l.Label}: {(l.Baseline is int b ? $"{b} → {l.Latest}" : $"{l.Latest}")}"
        + (l.SinceBaseline is int d ? d == 0 ? ", no change since you started" : $", {Change(d)} since you started" : "")
        + (l.SincePrevious is int p ? p == 0 ? " (no change since last time)." : $" ({Change(p)} since last time)." : ".");

    private static Table RatingTable(string caption, string first, List<Line> lines, bool hasPrevious) =>
        hasPrevious
            ? new(caption, [first, "At the start", "Last time", "Now", "Since the start", "Since last time"],
                [.. lines.Select(l => (IReadOnlyList<string>)[l.Label, Num(l.Baseline), Num(l.Previous), $"{l.Latest}", Change(l.SinceBaseline), Change(l.SincePrevious)])])
            : new(caption, [first, "At the start", "Now", "Since the start"],
                [.. lines.Select(l => (IReadOnlyList<string>)[l.Label, Num(l.Baseline), $"{l.Latest}", Change(l.SinceBaseline)])]);

    private static string Num(int? n) => n is int x ? $"{x}" : "—";

    private static Section Goals(DocumentSource s)
    {
        var blocks = new List<Block>();
        var overall = s.State.Terms?.OverallGoals ?? [];
        if (overall.Count > 0) blocks.Add(new Facts([.. overall.Select((g, i) => new Fact(overall.Count == 1 ? "Your goal" : $"Goal {i + 1}", g))]));
        var agreements = s.All<SessionAgreementCaptured>().ToList();
        if (agreements.Count > 0)
            blocks.Add(new Table("The goals of each session, how you said you would know, and the actions behind them", ["Session", "Goal", "Measure", "Its actions"],
                [.. agreements.SelectMany(a => a.Agreement.Goals.Select(g => (IReadOnlyList<string>)[$"{a.Number}", g.Description, g.Measure, ActionsOf(s, a.Number)]))]));
        if (blocks.Count == 0) blocks.Add(new Para("No goals have been written down yet."));
        return new("Your goals and where they stand", blocks);
    }

    private static string ActionsOf(DocumentSource s, int session)
    {
        var actions = s.State.Actions.Where(a => a.SessionNumber == session).ToList();
        if (actions.Count == 0) return "none agreed";
        var done = actions.Count(a => a.LastStatus == ActionStatus.Done);
        var partly = actions.Count(a => a.LastStatus == ActionStatus.Partly);
        return $"{done} of {actions.Count} done" + (partly > 0 ? $", {partly} partly" : "");
    }

    private static Section Indicators(DocumentSource s, ReassessmentCompleted done)
    {
        var targets = s.All<SessionAgreementCaptured>().SelectMany(a => a.Agreement.LeadingIndicators)
            .GroupBy(i => i.Name, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()).ToList();
        var names = targets.Select(t => t.Name).Concat(done.Indicators.Select(i => i.Name)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (names.Count == 0) return new("Leading indicators", [new Para("No leading indicators were agreed.")]);
        return new("Leading indicators",
        [
            new Para("The small, early signs we agreed to watch, because they move before the big results do."),
            new Table("Each indicator, its target and where it stands", ["Indicator", "Target", "Where it stands"],
                [.. names.Select(n => (IReadOnlyList<string>)[n,
                    targets.FirstOrDefault(t => string.Equals(t.Name, n, StringComparison.OrdinalIgnoreCase))?.Target ?? "—",
                    done.Indicators.FirstOrDefault(i => string.Equals(i.Name, n, StringComparison.OrdinalIgnoreCase))?.Value ?? "not reported"])]),
        ]);
    }

    private static Section Adjustments(DocumentSource s, int number)
    {
        var review = s.Last<ReassessmentReviewed>(r => r.Number == number);
        if (review is null)
            return new("What we adjust", [new Para($"You and {s.Branding.CoachName} will go through this report together and agree what to adjust: goals, actions, or the agreement itself.")]);
        var blocks = new List<Block>();
        if (review.GoalUpdates.Count > 0) blocks.Add(new Bullets(review.GoalUpdates));
        var dropped = review.DroppedActionIds.Select(id => SessionDocuments.Action(s, id)?.Description).OfType<string>().ToList();
        if (dropped.Count > 0) blocks.Add(new Facts([new("Actions you let go of", IntakeDocuments.Join(dropped))]));
        if (review.AmendmentNeeded) blocks.Add(new Para("You agreed to change the coaching agreement; the amended version comes to you to sign."));
        if (blocks.Count == 0) blocks.Add(new Para("You agreed to carry on as planned."));
        blocks.Insert(0, new Para($"Agreed with {s.Branding.CoachName} on {Day(review.ReviewedAt, s.Zone)}:"));
        return new("What we agreed to adjust", blocks);
    }
}
