using System.Globalization;
using System.Net;
using System.Text;

namespace CoachFlow.Web.FirmDashboard;

/// <summary>
/// The dashboard's charts as self-contained SVG in the house style of <c>CoachFlow.Documents.Charts.ChartSvg</c>:
/// <c>role="img"</c> with a title and a description that states every number, so a screen reader hears what the eye
/// sees; the page always puts the same numbers in a table beside it. Colours pass 3:1 against white.
/// </summary>
public static class DashboardCharts
{
    private static readonly string[] Palette = ["#1f5f8b", "#c05621", "#2f855a", "#6b46c1", "#b83280"];

    /// <summary>One horizontal bar per label, its count written at its end.</summary>
    public static string Bars(string id, string title, IReadOnlyList<(string Label, int Value)> bars)
    {
        // 350 wide: on a phone the chart is drawn at its own size, so its 13 px labels stay 13 px.
        const int labelWidth = 130, barArea = 180, row = 28, top = 8;
        var height = top * 2 + Math.Max(1, bars.Count) * row;
        var description = bars.Count == 0 ? "Nothing to show yet." : string.Join("; ", bars.Select(b => $"{b.Label}: {b.Value}")) + ".";
        var svg = Start(id, labelWidth + barArea + 40, height, title, description);
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Value));
        for (var i = 0; i < bars.Count; i++)
        {
            var y = top + i * row;
            var w = bars[i].Value * (double)barArea / max;
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{labelWidth - 8}\" y=\"{y + 18}\" font-size=\"13\" text-anchor=\"end\" fill=\"#1b1b1b\">{Esc(Short(bars[i].Label, 22))}</text>" +
                $"<rect x=\"{labelWidth}\" y=\"{y + 5}\" width=\"{w:0.#}\" height=\"18\" fill=\"{Palette[0]}\"/>" +
                $"<text x=\"{labelWidth + w + 6:0.#}\" y=\"{y + 18}\" font-size=\"13\" fill=\"#1b1b1b\">{bars[i].Value}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{labelWidth}\" y1=\"{top}\" x2=\"{labelWidth}\" y2=\"{height - top}\" stroke=\"#505a5f\"/>");
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Per group (a cohort), one bar per series (a milestone), as a share of the group's engagements.</summary>
    public static string Funnel(string id, string title, IReadOnlyList<string> series, IReadOnlyList<(string Group, int Total, IReadOnlyList<int> Values)> groups)
    {
        const int labelWidth = 130, barArea = 150, bar = 20, gap = 14;
        var groupHeight = series.Count * bar + gap + 22;
        var height = 8 + Math.Max(1, groups.Count) * groupHeight;
        var description = groups.Count == 0 ? "No cohorts yet." : string.Join("; ", groups.Select(g =>
            $"{g.Group}, {g.Total} engagements: " + string.Join(", ", series.Select((s, k) => $"{s} {g.Values[k]}")))) + ".";
        var svg = Start(id, labelWidth + barArea + 80, height, title, description);
        for (var i = 0; i < groups.Count; i++)
        {
            var (group, total, values) = groups[i];
            var y0 = 8 + i * groupHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y0 + 14}\" font-size=\"14\" font-weight=\"600\" fill=\"#1b1b1b\">{Esc(Short(group, 40))} ({total})</text>");
            for (var k = 0; k < series.Count; k++)
            {
                var y = y0 + 22 + k * bar;
                var w = total == 0 ? 0 : values[k] * (double)barArea / total;
                var share = total == 0 ? 0 : values[k] * 100.0 / total;
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{labelWidth - 8}\" y=\"{y + 14}\" font-size=\"13\" text-anchor=\"end\" fill=\"#1b1b1b\">{Esc(series[k])}</text>" +
                    $"<rect x=\"{labelWidth}\" y=\"{y + 2}\" width=\"{w:0.#}\" height=\"{bar - 4}\" fill=\"{Palette[k % Palette.Length]}\"/>" +
                    $"<text x=\"{labelWidth + w + 6:0.#}\" y=\"{y + 14}\" font-size=\"13\" fill=\"#1b1b1b\">{values[k]} ({share:0}%)</text>");
            }
        }
        return svg.Append("</svg>").ToString();
    }

    private static StringBuilder Start(string id, int w, int h, string title, string description) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" font-family=\"system-ui, sans-serif\"><title id=\"{id}-t\">{Esc(title)}</title><desc id=\"{id}-d\">{Esc(description)}</desc>");

    private static string Short(string label, int max) => label.Length > max ? label[..(max - 1)] + "…" : label;

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
