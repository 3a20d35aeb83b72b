using System.Text;
using CoachFlow.Web.ClientPages;
using CoachFlow.Web.Tenancy;
using Microsoft.AspNetCore.Antiforgery;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.FirmDashboard;

/// <summary>Who is signed in, for the page header and its sign-out form.</summary>
internal sealed record SignedIn(Caller Caller, AntiforgeryTokenSet Csrf);

/// <summary>
/// The firm dashboard's pages, in the client pages' manner: server-rendered, no script, one h1, every value
/// HTML-encoded through <see cref="PageHtml.H"/>, each chart beside a table of its numbers.
/// </summary>
internal static class DashboardPages
{
    private const string Styles = """
        *,*::before,*::after{box-sizing:border-box}
        body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:1.0625rem;line-height:1.55;color:#1b1b1b;background:#fff}
        .site{border-bottom:4px solid #0b4f7c;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between}
        .site p{margin:0}.site .firm{font-weight:600}
        .site form{margin:0;display:flex;gap:.75rem;align-items:center;flex-wrap:wrap}
        main{max-width:64rem;margin:0 auto;padding:1rem 1rem 3rem}
        footer{max-width:64rem;margin:0 auto;padding:1rem;border-top:1px solid #b1b4b6;color:#3d4448;font-size:.95rem}
        h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
        h2{font-size:1.3rem;margin:2.25rem 0 .75rem;padding-top:.5rem;border-top:1px solid #b1b4b6}
        a{color:#0b4f7c;text-decoration-thickness:2px;text-underline-offset:2px}
        :focus-visible{outline:3px solid #ffbf47;outline-offset:0;box-shadow:0 0 0 6px #1b1b1b}
        .meta,.hint{color:#3d4448}
        label{font-weight:600;display:block;margin-bottom:.35rem}
        .field{margin:0 0 1.5rem}
        input[type=email]{width:100%;max-width:28rem;font:inherit;padding:.5rem;border:2px solid #1b1b1b;border-radius:0}
        .button{display:inline-block;font:inherit;font-weight:600;padding:.6rem 1.1rem;border:2px solid #0b4f7c;background:#0b4f7c;color:#fff;cursor:pointer;text-decoration:none}
        .button.secondary{background:#fff;color:#0b4f7c}
        .button:hover{background:#06304d;border-color:#06304d;color:#fff}
        .error-summary{border:4px solid #b00020;padding:1rem;margin:0 0 1.5rem}
        .error-summary h2{margin-top:0;border:0;padding:0}
        .error-summary a,.error-message{color:#b00020;font-weight:600}
        .figures{display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0;list-style:none}
        .figures li{border:2px solid #0b4f7c;padding:.6rem 1rem;min-width:9rem}
        .figures strong{display:block;font-size:1.8rem;line-height:1.1}
        .pair{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
        .pair figure{margin:0;flex:1 1 24rem;max-width:100%}
        .pair svg{max-width:100%;height:auto}
        .pair .table{flex:1 1 18rem}
        figure.wide{margin:0 0 1rem}figure.wide svg{max-width:100%;height:auto}
        .table{overflow-x:auto;max-width:100%}
        table{border-collapse:collapse;width:100%;font-size:.95rem;margin:0 0 .5rem}
        caption{text-align:left;font-weight:600;padding-bottom:.35rem}
        th,td{border:1px solid #b1b4b6;padding:.35rem .5rem;text-align:left;vertical-align:top}
        thead th{background:#f3f2f1}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        .download{margin:.25rem 0 0;font-size:.95rem}
        """;

    public static string Layout(Page page, string? firmName, SignedIn? who)
    {
        var firm = string.IsNullOrWhiteSpace(firmName) ? "CoachFlow" : firmName;
        var header = who is null ? $"<p class=\"firm\">{H(firm)}</p>" : $"""
            <p class="firm">{H(firm)} · firm dashboard</p>
            <form method="post" action="/firm/sign-out">
            <input type="hidden" name="{H(who.Csrf.FormFieldName)}" value="{H(who.Csrf.RequestToken)}">
            <span class="meta">Signed in as {H(who.Caller.Coach.Name)} ({(who.Caller.Role == Role.Sponsor ? "sponsor" : "firm admin")})</span>
            <button type="submit" class="button secondary">Sign out</button>
            </form>
            """;
        return Document(page, firm, Styles, header, $"""<p>{(who is null
            ? "Sign-in links are personal and work once: please don't forward them."
            : "Counts come from each engagement's progress only: no answers, notes or session content are shown here.")}</p>""");
    }

    // ---- sign-in ----

    public static Page SignInForm(AntiforgeryTokenSet csrf, string? email, string? error, int status = 200)
    {
        var errorHtml = error is null ? "" : $"""
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
            <h2 id="error-summary-title">There is a problem</h2>
            <ul><li><a href="#email">{H(error)}</a></li></ul>
            </div>
            """;
        return new Page(status, "Sign in to your firm's dashboard", errorHtml + $"""
            <p>Firm admins and sponsors sign in with a link we email them. The link works once, for 15 minutes.</p>
            <form method="post" action="/firm/sign-in" accept-charset="utf-8" novalidate>
            <input type="hidden" name="{H(csrf.FormFieldName)}" value="{H(csrf.RequestToken)}">
            <div class="field">
            <label for="email">Your work email address</label>
            <p class="hint" id="email-hint">The address your firm registered for you.</p>
            {(error is null ? "" : $"<p class=\"error-message\" id=\"email-error\">{H(error)}</p>")}
            <input type="email" id="email" name="email" value="{H(email)}" maxlength="254" autocomplete="email" spellcheck="false" aria-describedby="email-hint{(error is null ? "" : " email-error")}"{(error is null ? "" : " aria-invalid=\"true\"")}>
            </div>
            <button type="submit" class="button">Email me a sign-in link</button>
            </form>
            """);
    }

    /// <summary>The same page whatever the address: it never says whether anyone has it.</summary>
    public static Page CheckYourEmail() => new(200, "Check your email",
        P("If this address belongs to a firm admin or a sponsor, we have sent it a sign-in link. It works once, for 15 minutes.") +
        P("Nothing arrived after a few minutes? Check the spam folder, then ask your firm admin which address they registered for you.") +
        "<p><a href=\"/firm/sign-in\">Back to sign-in</a></p>");

    /// <summary>The page the emailed link opens: a button, so a mail scanner that follows links does not use it up.</summary>
    public static Page Landing(string token, AntiforgeryTokenSet csrf) => new(200, "Finish signing in", $"""
        <p>Press the button to finish signing in. The link in your email then stops working.</p>
        <form method="post" action="/firm/session" accept-charset="utf-8">
        <input type="hidden" name="{H(csrf.FormFieldName)}" value="{H(csrf.RequestToken)}">
        <input type="hidden" name="token" value="{H(token)}">
        <button type="submit" class="button">Sign in</button>
        </form>
        """);

    public static Page SignedOut() => new(200, "You are signed out",
        P("Your session has ended on this device.") + "<p><a href=\"/firm/sign-in\">Sign in again</a></p>");

    // ---- problems ----

    private const string AskAgain = "<p><a href=\"/firm/sign-in\">Ask for a new sign-in link</a></p>";

    public static Page LinkProblem(LinkRefusal refusal) => refusal switch
    {
        LinkRefusal.Used => new(410, "This sign-in link has already been used", P("Each link signs you in once. Nothing was changed.") + AskAgain),
        LinkRefusal.Expired => new(410, "This sign-in link has expired", P("Sign-in links work for 15 minutes. Nothing was changed.") + AskAgain),
        _ => new(400, "This sign-in link is not valid", P("We do not recognise this link. It may be incomplete: open it straight from the email, without editing it.") + AskAgain),
    };

    public static Page NotSignedIn() => new(401, "Please sign in",
        P("This page is for signed-in firm admins and sponsors. Your session may have ended (sessions last 8 hours, and signing out ends them).") +
        "<p><a href=\"/firm/sign-in\">Sign in</a></p>");

    public static Page FormExpired() => new(400, "Please try that again",
        P("For your security, we could not accept this form: it may have been open for a long time, or sent from another window. Nothing was changed.") +
        "<p><a href=\"/firm/sign-in\">Start again</a></p>");

    public static Page UnreadableForm() => new(400, "We could not read that form",
        P("What your browser sent did not look like this page's form. Nothing was changed.") + "<p><a href=\"/firm/sign-in\">Start again</a></p>");

    public static Page NotFound(string what) => new(404, "Not found",
        P($"There is no {what} here that you can see. Nothing was changed.") + "<p><a href=\"/firm\">Back to the dashboard</a></p>");

    public static Page Fault() => new(500, "Something went wrong on our side",
        P("We could not show this page. Please try again in a few minutes."));

    // ---- the dashboard ----

    public static Page DashboardPage(Dashboard d, IReadOnlyList<DashboardTable> tables, Caller caller)
    {
        var sponsor = caller.Role == Role.Sponsor;
        var sb = new StringBuilder();
        sb.Append(P(sponsor
            ? $"The {d.Total} coaching engagements you sponsor at {caller.Firm.Name}: where each stands and how they progress."
            : $"All {d.Total} coaching engagements of {caller.Firm.Name}: where they stand, who needs attention and how clients progress."));
        sb.Append("<ul class=\"figures\" aria-label=\"Key figures\">");
        sb.Append(Figure(d.Total, "engagements")).Append(Figure(d.Overdue, "overdue")).Append(Figure(d.Stalled, "stalled")).Append(Figure(d.Bouncing, "email bouncing"));
        sb.Append("</ul>");

        var byName = tables.ToDictionary(t => t.Name);
        sb.Append(Section("phases-h", "Engagements by phase",
            Pair(DashboardCharts.Bars("chart-phases", "Engagements by phase", [.. d.Phases.Select(p => (DashboardTables.Sentence(p.Phase), p.Engagements))]), byName[DashboardTables.Phases])));

        sb.Append(Section("attention-h", "Needs attention",
            P($"{d.Overdue} overdue (waiting past their due date), {d.Stalled} stalled (no activity, or no rating improved at a reassessment), {d.Bouncing} whose client's email bounces.") +
            (d.Attention.Count == 0 ? P("Nothing needs attention right now.") : Table(byName[DashboardTables.Attention]))));

        if (byName.TryGetValue(DashboardTables.Coaches, out var coaches))
            sb.Append(Section("coaches-h", "Each coach's load",
                Pair(DashboardCharts.Bars("chart-coaches", "Running engagements per coach", [.. d.CoachLoads!.Select(l => (l.Coach, l.Running))]), coaches)));

        var milestones = new[] { "Signed", "Completed intake", "Held a session", "Graduated" };
        sb.Append(Section("cohorts-h", "Each cohort's progress",
            d.Cohorts.Count == 0 ? P("No engagement belongs to a cohort yet.") :
            // Six columns do not fit beside a chart: the table goes under it.
            $"<figure class=\"wide\">{DashboardCharts.Funnel("chart-cohorts", "Milestones reached per cohort", milestones,
                [.. d.Cohorts.Select(c => (c.Cohort, c.Engagements, (IReadOnlyList<int>)[c.Signed, c.IntakeCompleted, c.HeldASession, c.Graduated]))])}</figure>" +
            Table(byName[DashboardTables.Cohorts], linkCohorts: d.Cohorts)));

        sb.Append(Section("progress-h", "Progress since baseline",
            P("Each client's mean change across the rated questions, from their intake to their latest reassessment, on the 1–10 scales. " +
              $"{d.WithoutReassessment} engagement{(d.WithoutReassessment == 1 ? " has" : "s have")} no reassessment yet and {(d.WithoutReassessment == 1 ? "is" : "are")} not counted.") +
            Pair(DashboardCharts.Bars("chart-progress", "Engagements by change since baseline", [.. d.Progress.Select(b => (b.Range, b.Engagements))]), byName[DashboardTables.Progress])));
        return new Page(200, sponsor ? "Your sponsored coaching" : "Firm dashboard", sb.ToString());
    }

    public static Page CohortPage(CohortProgress cohort, IReadOnlyList<PhaseCount> phases, DashboardTable engagements)
    {
        var sb = new StringBuilder();
        sb.Append("<p><a href=\"/firm\">Back to the dashboard</a></p>");
        sb.Append(P($"{cohort.Engagements} engagement{(cohort.Engagements == 1 ? "" : "s")} that you can see in this cohort."));
        var milestones = new[] { "Signed", "Completed intake", "Held a session", "Graduated" };
        static string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int[] reached = [cohort.Signed, cohort.IntakeCompleted, cohort.HeldASession, cohort.Graduated];
        var milestoneTable = new DashboardTable("cohort-milestones", "Milestones reached", ["Milestone", "Engagements", "Share"], [false, true, true],
            [.. milestones.Select((m, k) => new[] { m, N(reached[k]), cohort.Engagements == 0 ? "0%" : $"{reached[k] * 100 / cohort.Engagements}%" })]);
        var phaseTable = new DashboardTable("cohort-phases", "Engagements by phase", ["Phase", "Engagements"], [false, true],
            [.. phases.Select(p => new[] { DashboardTables.Sentence(p.Phase), N(p.Engagements) })]);
        sb.Append(Section("milestones-h", "Milestones",
            Pair(DashboardCharts.Funnel("chart-cohort", "Milestones reached", milestones, [(cohort.Cohort, cohort.Engagements, (IReadOnlyList<int>)reached)]), milestoneTable, csv: false)));
        sb.Append(Section("phases-h", "Engagements by phase",
            Pair(DashboardCharts.Bars("chart-cohort-phases", "Engagements by phase", [.. phases.Select(p => (DashboardTables.Sentence(p.Phase), p.Engagements))]), phaseTable, csv: false)));
        sb.Append(Section("engagements-h", "Engagements", Table(engagements, csvHref: $"/firm/cohorts/{Uri.EscapeDataString(cohort.CohortId)}/csv")));
        return new Page(200, $"Cohort: {cohort.Cohort}", sb.ToString());
    }

    private static string Figure(int n, string label) => $"<li><strong>{n}</strong> {H(label)}</li>";

    private static string Section(string id, string heading, string inner) =>
        $"<section aria-labelledby=\"{id}\"><h2 id=\"{id}\">{H(heading)}</h2>{inner}</section>";

    private static string Pair(string svg, DashboardTable table, IReadOnlyList<CohortProgress>? linkCohorts = null, bool csv = true) =>
        $"<div class=\"pair\"><figure>{svg}</figure>{Table(table, csv ? null : "", linkCohorts)}</div>";

    /// <param name="csvHref">Null: the dashboard's own download (<c>/firm/csv/{name}</c>); empty: none.</param>
    private static string Table(DashboardTable table, string? csvHref = null, IReadOnlyList<CohortProgress>? linkCohorts = null)
    {
        // A wide table scrolls sideways on a phone: the region is focusable and named so it can be scrolled by keyboard.
        var sb = new StringBuilder($"<div class=\"table\" role=\"region\" tabindex=\"0\" aria-label=\"Table: {H(table.Caption)}\"><table>");
        sb.Append($"<caption>{H(table.Caption)}</caption><thead><tr>");
        for (var c = 0; c < table.Headers.Count; c++) sb.Append($"<th scope=\"col\"{(table.Numeric[c] ? " class=\"num\"" : "")}>{H(table.Headers[c])}</th>");
        sb.Append("</tr></thead><tbody>");
        if (table.Rows.Count == 0) sb.Append($"<tr><td colspan=\"{table.Headers.Count}\">None yet.</td></tr>");
        for (var r = 0; r < table.Rows.Count; r++)
        {
            var row = table.Rows[r];
            sb.Append("<tr>");
            for (var c = 0; c < row.Length; c++)
            {
                var cell = c == 0 && linkCohorts is not null
                    ? $"<a href=\"/firm/cohorts/{H(Uri.EscapeDataString(linkCohorts[r].CohortId))}\">{H(row[c])}</a>"
                    : H(row[c]);
                sb.Append(c == 0 ? $"<th scope=\"row\">{cell}</th>" : $"<td{(table.Numeric[c] ? " class=\"num\"" : "")}>{cell}</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        var href = csvHref ?? $"/firm/csv/{table.Name}";
        if (href.Length > 0) sb.Append($"<p class=\"download\"><a href=\"{H(href)}\" download>Download “{H(table.Caption)}” as CSV</a></p>");
        return sb.Append("</div>").ToString();
    }
}
