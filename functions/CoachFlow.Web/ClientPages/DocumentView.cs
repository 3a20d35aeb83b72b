using System.Text;
using System.Text.Json;
using CoachFlow.Web.Documents;
using CoachFlow.Workflows.Engagements;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.ClientPages;

/// <summary>The read-only pages: session summary and details, goals, the maintenance plan, closing summary, the coach's brief.</summary>
internal sealed class DocumentView : ClientForm
{
    public override async Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct)
    {
        switch (link.Grant.Purpose)
        {
            case LinkPurposes.SessionDetails: return SessionDetails(link);
            case LinkPurposes.Goals: return Goals(link);
        }
        var title = link.Grant.Purpose switch
        {
            LinkPurposes.SessionSummary => $"Summary of session {link.RefNumber}",
            LinkPurposes.ClosingSummary => "Closing summary",
            LinkPurposes.MaintenancePlan => "Your self-coaching plan",
            LinkPurposes.PreSessionBrief => "Brief before the first session",
            LinkPurposes.ProgressReport => "Coaching progress report",
            _ => "Document",
        };
        var name = ClientForms.DocumentNameFor(link);
        var doc = name is null ? null : await pages.Documents.ReadAsync(link.EngagementId, name, ct);
        if (doc is null) return StandardPages.NotReady(title);
        if (link.Grant.Purpose == LinkPurposes.ProgressReport) return ForSponsor(title, doc, link);
        return new Page(200, title, P("Here is the document. It is also kept with your engagement, so you can come back to it with this link.", "lead") +
            DocumentContent(title, doc.Html, $"/c/{link.Token}/document") + ClientPdfs.Links(link, doc.Kind == "maintenance-plan" ? name : null));
    }

    /// <summary>The sponsor reads the progress report their link was sent for: no client records, no PDFs of theirs.</summary>
    private static Page ForSponsor(string title, StoredDocument doc, ClientLink link) =>
        new(200, title, P("Progress only: what the client says and writes stays between them and their coach.", "lead") +
            DocumentContent(title, doc.Html, $"/c/{link.Token}/document"));

    private static Page SessionDetails(ClientLink link)
    {
        if (link.RefNumber is not int n || link.State.Session(n) is not { } session)
            return StandardPages.NotFound("This session is not scheduled", "We could not find the session this link is about. It may have been moved or cancelled.");
        var length = Workflows.Programs.Durations.InWords(link.Program.SessionLengthFor(link.State.Terms));
        var body = $"""
            <dl>
            <dt>When</dt><dd>{H(Date(session.StartAt, session.TimeZoneId))}</dd>
            <dt>Length</dt><dd>{H(length)}</dd>
            <dt>With</dt><dd>{H(link.CoachName)}</dd>
            <dt>Session</dt><dd>{session.Number} of {link.Program.SessionCount}</dd>
            </dl>
            {(session.HeldAt is { } held ? P($"This session took place on {Day(held)}.") : P("If you need to move it, reply to your coach's email; our cancellation policy is in your agreement."))}
            """;
        return new Page(200, $"Session {session.Number}", body);
    }

    private static Page Goals(ClientLink link)
    {
        var sb = new StringBuilder();
        var goals = link.State.Terms?.OverallGoals ?? [];
        sb.Append("<h2>The goals in your agreement</h2>");
        sb.Append(goals.Count == 0 ? P("Your goals are shaped in your sessions.") : $"<ul>{string.Concat(goals.Select(g => $"<li class=\"answer\">{H(g)}</li>"))}</ul>");
        var latest = link.View.History.LastOrDefault(h => h.Type == nameof(ReassessmentReviewed));
        if (latest is not null && latest.Data.TryGetProperty("goalUpdates", out var updates) && updates.ValueKind == JsonValueKind.Array && updates.GetArrayLength() > 0)
        {
            sb.Append("<h2>What you agreed at your last review</h2><ul>");
            foreach (var u in updates.EnumerateArray()) sb.Append($"<li class=\"answer\">{H(u.GetString())}</li>");
            sb.Append("</ul>");
        }
        var report = link.View.History.LastOrDefault(h => h.Type == nameof(ReassessmentCompleted));
        var reportName = report is null ? null : $"reassessment-{report.Data.GetProperty("number").GetInt32()}-report";
        return new Page(200, "Your goals", sb.ToString() + ClientPdfs.Links(link, reportName));
    }
}
