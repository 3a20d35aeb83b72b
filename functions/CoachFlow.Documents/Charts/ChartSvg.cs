using System.Globalization;
using System.Net;
using System.Text;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Documents.Charts;

/// <summary>
/// The two charts people would rather see than read, as self-contained SVG with a title and a text
/// description for screen readers: the Wheel of Life radar (baseline against the latest ratings) and the
/// scaled questions over time.
/// </summary>
public static class ChartSvg
{
    private const string Baseline = "#9aa5b1";
    private const string Latest = "#1f5f8b";
    private static readonly string[] Palette = ["#1f5f8b", "#c05621", "#2f855a", "#6b46c1", "#b83280"];

    public static string Wheel(EngagementState state, ProgramCatalog programs)
    {
        var latest = state.Reassessments.LastOrDefault(r => r.Ratings is not null)?.Ratings ?? state.Baseline;
        return Wheel([.. Items(state, programs, "wheel-of-life").Select(i => (i.Label, Find(state.Baseline, i.Id), Find(latest, i.Id)))]);
    }

    /// <summary>The Wheel of Life radar from plain numbers: each area's label, baseline and latest score (1–10).</summary>
    public static string Wheel(IReadOnlyList<(string Label, int? Baseline, int? Latest)> items)
    {
        // Wide enough that the area names beside the wheel fit: labels on the left end at their point, on the right start there.
        const double cx = 280, cy = 200, radius = 140;
        var svg = Start(560, 400, "Wheel of Life", items.Count == 0
            ? "No ratings yet."
            : "Ratings from 1 to 10 per life area. " + string.Join("; ", items.Select(i => $"{i.Label}: baseline {i.Baseline}, latest {i.Latest}")));
        if (items.Count > 0)
        {
            for (var ring = 2; ring <= 10; ring += 2)
                svg.Append(Polygon(items.Count, i => ring, cx, cy, radius, "none", "#e2e8f0", 1));
            for (var i = 0; i < items.Count; i++)
            {
                var (x, y) = Point(i, items.Count, 10, cx, cy, radius);
                var (lx, ly) = Point(i, items.Count, 11.6, cx, cy, radius);
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{cx}\" y1=\"{cy}\" x2=\"{x:0.#}\" y2=\"{y:0.#}\" stroke=\"#e2e8f0\"/>");
                var anchor = Math.Abs(lx - cx) < 1 ? "middle" : lx < cx ? "end" : "start";
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx:0.#}\" y=\"{ly + 4:0.#}\" font-size=\"11\" text-anchor=\"{anchor}\">{Esc(Short(items[i].Label, 28))}</text>");
            }
            svg.Append(Polygon(items.Count, i => items[i].Baseline ?? 0, cx, cy, radius, Baseline + "55", Baseline, 2));
            svg.Append(Polygon(items.Count, i => items[i].Latest ?? 0, cx, cy, radius, Latest + "55", Latest, 2));
            Legend(svg, 10, 385, [("Baseline", Baseline), ("Latest", Latest)]);
        }
        return svg.Append("</svg>").ToString();
    }

    public static string Trend(EngagementState state, ProgramCatalog programs)
    {
        var series = new List<(string Label, IReadOnlyList<Rating> Ratings)> { ("Start", state.Baseline) };
        series.AddRange(state.Reassessments.Where(r => r.Ratings is not null).Select(r => ($"R{r.Number}", (IReadOnlyList<Rating>)r.Ratings!)));
        return Trend([.. series.Select(x => x.Label)],
            [.. Items(state, programs, "scaled").Select(i => (i.Label, (IReadOnlyList<int?>)[.. series.Select(x => Find(x.Ratings, i.Id))]))]);
    }

    /// <summary>Scaled questions over time from plain numbers: the points' labels, and per question its label and scores.</summary>
    public static string Trend(IReadOnlyList<string> points, IReadOnlyList<(string Label, IReadOnlyList<int?> Scores)> items)
    {
        const double left = 40, top = 20, width = 330, height = 200;
        var svg = Start(400, 250 + 16 * items.Count, "Scaled questions over time", items.Count == 0
            ? "No ratings yet."
            : string.Join("; ", items.Select(i => $"{i.Label}: " + string.Join(", ", points.Select((p, k) => $"{p} {i.Scores[k]}")))));
        for (var v = 0; v <= 10; v += 2)
        {
            var y = top + height - v / 10.0 * height;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y:0.#}\" x2=\"{left + width}\" y2=\"{y:0.#}\" stroke=\"#e2e8f0\"/><text x=\"{left - 8}\" y=\"{y + 4:0.#}\" font-size=\"11\" text-anchor=\"end\">{v}</text>");
        }
        double X(int i) => points.Count == 1 ? left + width / 2 : left + i * width / (points.Count - 1);
        for (var i = 0; i < points.Count; i++)
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):0.#}\" y=\"{top + height + 16}\" font-size=\"11\" text-anchor=\"middle\">{Esc(points[i])}</text>");
        for (var k = 0; k < items.Count; k++)
        {
            var color = Palette[k % Palette.Length];
            var coords = string.Join(' ', points.Select((_, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):0.#},{top + height - (items[k].Scores[i] ?? 0) / 10.0 * height:0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{coords}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>");
            // One legend line per question, so each is named in full.
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"10\" y=\"{top + height + 28 + 16 * k}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"24\" y=\"{top + height + 37 + 16 * k}\" font-size=\"11\">{Esc(items[k].Label)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static List<(string Id, string Label)> Items(EngagementState state, ProgramCatalog programs, string section) =>
        programs.Find(state.ProgramId, state.ProgramVersion)?.Questionnaires.Intake.Items
            .Where(i => i.Section == section && i.Kind == ItemKind.Rating)
            .Select(i => (i.Id, Label: LabelOf(i)))
            .ToList() ?? [];

    private static string LabelOf(QuestionnaireItem item) => item.Id.Replace("wheel-", "", StringComparison.Ordinal).Replace("scale-", "", StringComparison.Ordinal).Replace('-', ' ');

    private static int? Find(IReadOnlyList<Rating> ratings, string id) => ratings.FirstOrDefault(r => r.ItemId == id)?.Score;

    private static StringBuilder Start(int w, int h, string title, string description)
    {
        // Ids from the title, so two charts on one page never share an id.
        var id = "chart-" + new string([.. title.Where(char.IsAsciiLetterOrDigit)]).ToLowerInvariant();
        return new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" font-family=\"system-ui, sans-serif\"><title id=\"{id}-t\">{Esc(title)}</title><desc id=\"{id}-d\">{Esc(description)}</desc>");
    }

    private static (double X, double Y) Point(int i, int n, double value, double cx, double cy, double radius)
    {
        var angle = -Math.PI / 2 + i * 2 * Math.PI / n;
        return (cx + Math.Cos(angle) * radius * value / 10, cy + Math.Sin(angle) * radius * value / 10);
    }

    private static string Polygon(int n, Func<int, double> value, double cx, double cy, double radius, string fill, string stroke, int width)
    {
        var points = string.Join(' ', Enumerable.Range(0, n).Select(i => { var (x, y) = Point(i, n, value(i), cx, cy, radius); return string.Create(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#}"); }));
        return $"<polygon points=\"{points}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>";
    }

    private static void Legend(StringBuilder svg, double x, double y, IEnumerable<(string Label, string Color)> entries)
    {
        foreach (var (label, color) in entries)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y - 9}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{x + 14}\" y=\"{y}\" font-size=\"11\">{Esc(label)}</text>");
            x += 18 + label.Length * 6.5;
        }
    }

    private static string Short(string label, int max = 16) => label.Length > max ? label[..(max - 1)] + "…" : label;

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
