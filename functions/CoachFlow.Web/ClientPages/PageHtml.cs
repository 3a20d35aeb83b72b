using System.Text;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;

namespace CoachFlow.Web.ClientPages;

/// <summary>One page to send back: its status, its title (the page's only h1) and the HTML of its main content.</summary>
/// <param name="RetryAfterSeconds">Sets <c>Retry-After</c> when the page says "try again in a moment".</param>
internal sealed record Page(int Status, string Title, string Body, int? RetryAfterSeconds = null);

/// <summary>A problem with one field, shown in the error summary and next to the field.</summary>
/// <param name="Anchor">The id of the control the summary links to.</param>
internal sealed record FieldError(string Field, string Anchor, string Message);

/// <summary>
/// The building blocks of the client pages, written as plain C#: every value that comes from people or storage
/// goes through <see cref="H"/> (HTML-encoded), so nothing anyone typed can become markup or script.
/// </summary>
/// <remarks>
/// The markup follows the patterns of accessible government forms: one h1, labels tied to controls, radio
/// groups in fieldsets with a legend, hints and errors referenced by <c>aria-describedby</c>, and an error
/// summary whose links jump to the fields. Pages work without JavaScript and render well on a phone first.
/// </remarks>
internal static partial class PageHtml
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    /// <summary>HTML-encodes text for element content and attribute values.</summary>
    public static string H(string? text) => text is null ? "" : Encoder.Encode(text);

    private const string Styles = """
        *,*::before,*::after{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%}
        body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:1.0625rem;line-height:1.55;color:#1b1b1b;background:#fff}
        .site{border-bottom:4px solid #0b4f7c;padding:.75rem 1rem}
        .site p{margin:0;font-weight:600}
        main{max-width:42rem;margin:0 auto;padding:1rem 1rem 3rem}
        footer{max-width:42rem;margin:0 auto;padding:1rem;border-top:1px solid #b1b4b6;color:#3d4448;font-size:.95rem}
        h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
        h2{font-size:1.25rem;margin:2rem 0 .75rem}
        a{color:#0b4f7c;text-decoration-thickness:2px;text-underline-offset:2px}
        a:hover{color:#06304d}
        :focus-visible{outline:3px solid #ffbf47;outline-offset:0;box-shadow:0 0 0 6px #1b1b1b}
        .lead{font-size:1.15rem}
        .hint{color:#3d4448;margin:.25rem 0 .5rem}
        .meta{color:#3d4448;font-size:.95rem}
        label,legend{font-weight:600;display:block;margin-bottom:.35rem}
        fieldset{border:0;margin:0 0 1.5rem;padding:0;min-width:0}
        .field{margin:0 0 1.5rem}
        textarea,input[type=text]{width:100%;font:inherit;padding:.5rem;border:2px solid #1b1b1b;border-radius:0;background:#fff;color:#1b1b1b}
        textarea{min-height:7rem;resize:vertical}
        .scale{display:flex;flex-wrap:wrap;gap:.35rem}
        .scale span{position:relative}
        .scale input{position:absolute;opacity:0;width:2.75rem;height:2.75rem;margin:0;cursor:pointer}
        .scale label{display:flex;align-items:center;justify-content:center;width:2.75rem;height:2.75rem;margin:0;border:2px solid #1b1b1b;font-weight:600;cursor:pointer}
        .scale input:checked+label{background:#0b4f7c;border-color:#0b4f7c;color:#fff}
        .scale input:focus-visible+label{outline:3px solid #ffbf47;box-shadow:0 0 0 6px #1b1b1b}
        .choice{display:flex;align-items:flex-start;gap:.6rem;margin:.4rem 0}
        .choice input{width:1.5rem;height:1.5rem;margin:.1rem 0 0;flex:none;accent-color:#0b4f7c}
        .choice label{font-weight:400;margin:0}
        .button{display:inline-block;font:inherit;font-weight:600;padding:.7rem 1.2rem;border:2px solid #0b4f7c;background:#0b4f7c;color:#fff;cursor:pointer;margin:0 .75rem .75rem 0;text-decoration:none}
        .button.secondary{background:#fff;color:#0b4f7c}
        .button:hover{background:#06304d;border-color:#06304d;color:#fff}
        .error-summary{border:4px solid #b00020;padding:1rem;margin:0 0 1.5rem}
        .error-summary h2{margin-top:0}
        .error-summary a{color:#b00020;font-weight:600}
        .error-message{color:#b00020;font-weight:600;margin:.25rem 0 .5rem}
        .has-error{border-left:4px solid #b00020;padding-left:.75rem}
        .panel{border:2px solid #0b4f7c;padding:1rem;margin:0 0 1.5rem}
        .document{border:2px solid #b1b4b6;border-left:6px solid #0b4f7c;padding:0 1rem;margin:0 0 1rem}
        .document h2{font-size:1.3rem}.document h3{font-size:1.1rem}
        .document table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0 1rem}
        .document caption{text-align:left;font-weight:600;padding-bottom:.3rem}
        .document th,.document td{border:1px solid #b1b4b6;padding:.3rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
        .document thead th{background:#f3f2f1}
        .document .question{font-weight:600;margin-bottom:.25rem}
        .document .answer{margin-top:0;padding:.4rem .6rem;background:#f3f2f1;border-left:4px solid #0b4f7c}
        .document .lead{font-size:1.1rem}
        .document .confidential{border:2px solid #a4262c;color:#a4262c;font-weight:700;padding:.3rem .6rem}
        .document figure{margin:1rem 0}.document svg{max-width:100%;height:auto}
        .document code{overflow-wrap:anywhere;word-break:break-all}
        .hash{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;overflow-wrap:anywhere}
        .answer{white-space:pre-wrap;overflow-wrap:anywhere}
        dt{font-weight:600;margin-top:.6rem}
        dd{margin:0}
        ul{padding-left:1.25rem}
        """;

    /// <summary>The whole document around a page's content.</summary>
    public static string Layout(Page page, string? firmName)
    {
        var firm = string.IsNullOrWhiteSpace(firmName) ? "CoachFlow" : firmName;
        return Document(page, firm, Styles, $"<p>{H(firm)}</p>",
            "<p>This page was opened from a personal link in an email. Please don't share the link: anyone who has it can act on your behalf here.</p>");
    }

    /// <summary>
    /// The HTML document every page of CoachFlow is (the client's pages and the firm dashboard): a head that sends no
    /// referrer and asks not to be indexed, the site header, the page under its heading, and the footer.
    /// </summary>
    public static string Document(Page page, string firm, string styles, string headerHtml, string footerHtml) => $"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <meta name="robots" content="noindex, nofollow">
        <title>{H(page.Title)} — {H(firm)}</title>
        <style>{styles}</style>
        </head>
        <body>
        <header class="site">{headerHtml}</header>
        <main>
        <h1>{H(page.Title)}</h1>
        {page.Body}
        </main>
        <footer>{footerHtml}</footer>
        </body>
        </html>
        """;

    public static string P(string text, string? cssClass = null) =>
        cssClass is null ? $"<p>{H(text)}</p>" : $"<p class=\"{cssClass}\">{H(text)}</p>";

    /// <summary>The list of problems at the top of a form that could not be accepted, each linking to its field.</summary>
    public static string ErrorSummary(IReadOnlyList<FieldError> errors)
    {
        if (errors.Count == 0) return "";
        var sb = new StringBuilder();
        sb.Append("<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\" tabindex=\"-1\">");
        sb.Append("<h2 id=\"error-summary-title\">There is a problem</h2><p>Nothing was sent yet. Please check:</p><ul>");
        foreach (var e in errors) sb.Append($"<li><a href=\"#{H(e.Anchor)}\">{H(e.Message)}</a></li>");
        sb.Append("</ul></div>");
        return sb.ToString();
    }

    /// <summary>A labelled multi-line text answer.</summary>
    public static string TextArea(string name, string label, string? value, bool required, FieldError? error, string? hint = null, int maxLength = QuestionnaireForms.MaxTextLength)
    {
        var id = FieldId(name);
        var describedBy = Join(hint is null ? null : id + "-hint", error is null ? null : id + "-error");
        return $"""
            <div class="field{(error is null ? "" : " has-error")}">
            <label for="{id}">{H(label)}{(required ? "" : " <span class=\"meta\">(optional)</span>")}</label>
            {(hint is null ? "" : $"<p class=\"hint\" id=\"{id}-hint\">{H(hint)}</p>")}
            {(error is null ? "" : $"<p class=\"error-message\" id=\"{id}-error\">{H(error.Message)}</p>")}
            <textarea id="{id}" name="{H(name)}" rows="5" maxlength="{maxLength}"{(describedBy is null ? "" : $" aria-describedby=\"{describedBy}\"")}{(error is null ? "" : " aria-invalid=\"true\"")}>{H(value)}</textarea>
            </div>
            """;
    }

    /// <summary>A single-line text answer.</summary>
    public static string TextInput(string name, string label, string? value, FieldError? error, string? hint = null, string? autocomplete = null, int maxLength = 200)
    {
        var id = FieldId(name);
        var describedBy = Join(hint is null ? null : id + "-hint", error is null ? null : id + "-error");
        return $"""
            <div class="field{(error is null ? "" : " has-error")}">
            <label for="{id}">{H(label)}</label>
            {(hint is null ? "" : $"<p class=\"hint\" id=\"{id}-hint\">{H(hint)}</p>")}
            {(error is null ? "" : $"<p class=\"error-message\" id=\"{id}-error\">{H(error.Message)}</p>")}
            <input type="text" id="{id}" name="{H(name)}" value="{H(value)}" maxlength="{maxLength}"{(autocomplete is null ? "" : $" autocomplete=\"{autocomplete}\"")}{(describedBy is null ? "" : $" aria-describedby=\"{describedBy}\"")}{(error is null ? "" : " aria-invalid=\"true\"")}>
            </div>
            """;
    }

    /// <summary>A 1–10 rating as a radio group: a fieldset whose legend is the question.</summary>
    public static string Rating(string name, string legend, int? value, bool required, FieldError? error, string hint = "1 is the lowest, 10 the highest.")
    {
        var id = FieldId(name);
        var sb = new StringBuilder();
        sb.Append($"<fieldset class=\"field{(error is null ? "" : " has-error")}\" aria-describedby=\"{Join(id + "-hint", error is null ? null : id + "-error")}\">");
        sb.Append($"<legend>{H(legend)}{(required ? "" : " <span class=\"meta\">(optional)</span>")}</legend>");
        sb.Append($"<p class=\"hint\" id=\"{id}-hint\">{H(hint)}</p>");
        if (error is not null) sb.Append($"<p class=\"error-message\" id=\"{id}-error\">{H(error.Message)}</p>");
        sb.Append("<div class=\"scale\">");
        for (var n = 1; n <= 10; n++)
        {
            var optionId = $"{id}-{n}";
            sb.Append($"<span><input type=\"radio\" id=\"{optionId}\" name=\"{H(name)}\" value=\"{n}\"{(value == n ? " checked" : "")}><label for=\"{optionId}\">{n}</label></span>");
        }
        sb.Append("</div></fieldset>");
        return sb.ToString();
    }

    /// <summary>A choice among a few options as a radio group.</summary>
    public static string Choices(string name, string legend, IReadOnlyList<(string Value, string Label)> options, string? value, FieldError? error, string? hint = null)
    {
        var id = FieldId(name);
        var sb = new StringBuilder();
        var describedBy = Join(hint is null ? null : id + "-hint", error is null ? null : id + "-error");
        sb.Append($"<fieldset class=\"field{(error is null ? "" : " has-error")}\"{(describedBy is null ? "" : $" aria-describedby=\"{describedBy}\"")}>");
        sb.Append($"<legend>{H(legend)}</legend>");
        if (hint is not null) sb.Append($"<p class=\"hint\" id=\"{id}-hint\">{H(hint)}</p>");
        if (error is not null) sb.Append($"<p class=\"error-message\" id=\"{id}-error\">{H(error.Message)}</p>");
        for (var i = 0; i < options.Count; i++)
        {
            var optionId = $"{id}-{i + 1}";
            var (v, label) = options[i];
            sb.Append($"<div class=\"choice\"><input type=\"radio\" id=\"{optionId}\" name=\"{H(name)}\" value=\"{H(v)}\"{(value == v ? " checked" : "")}><label for=\"{optionId}\">{H(label)}</label></div>");
        }
        sb.Append("</fieldset>");
        return sb.ToString();
    }

    /// <summary>A form posting back to the page's own link, carrying the antiforgery token.</summary>
    public static string Form(ClientLink link, string inner) =>
        $"""
        <form method="post" action="/c/{H(link.Token)}" accept-charset="utf-8" novalidate>
        <input type="hidden" name="{H(link.Csrf.FormFieldName)}" value="{H(link.Csrf.RequestToken)}">
        {inner}
        </form>
        """;

    public static string Button(string text, string? name = null, string? value = null, bool secondary = false) =>
        $"<button type=\"submit\" class=\"button{(secondary ? " secondary" : "")}\"{(name is null ? "" : $" name=\"{H(name)}\" value=\"{H(value)}\"")}>{H(text)}</button>";

    /// <summary>
    /// A stored document shown inside the page: the body of the stored HTML, with its headings moved one level
    /// down (the page keeps its single h1) and its landmarks turned into plain blocks. The stored HTML is ours,
    /// rendered from templates that HTML-encode every value, so it carries no markup anyone typed. The exact
    /// stored bytes stay one link away, on their own page.
    /// </summary>
    public static string DocumentContent(string title, string html, string fullPageHref)
    {
        var body = BodyOf().Match(html) is { Success: true } m ? m.Groups[1].Value : "";
        body = Landmark().Replace(body, "<$1div");
        body = Heading().Replace(body, h => $"<{h.Groups[1].Value}h{int.Parse(h.Groups[2].Value, CultureInfo.InvariantCulture) + 1}");
        return $"""
            <article class="document" aria-labelledby="document-title">
            <p class="meta" id="document-title">{H(title)}</p>
            {body}
            </article>
            <p><a href="{H(fullPageHref)}">Open “{H(title)}” as a separate document</a> (to print or save it).</p>
            """;
    }

    [GeneratedRegex("<body[^>]*>(.*)</body>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex BodyOf();

    [GeneratedRegex("<(/?)(?:main|header|footer|nav|aside)\\b", RegexOptions.IgnoreCase)]
    private static partial Regex Landmark();

    [GeneratedRegex("<(/?)h([1-5])\\b", RegexOptions.IgnoreCase)]
    private static partial Regex Heading();

    public static string FieldId(string name) => "f-" + name;

    private static string? Join(params string?[] ids)
    {
        var present = ids.Where(i => i is not null).ToArray();
        return present.Length == 0 ? null : string.Join(' ', present);
    }
}
