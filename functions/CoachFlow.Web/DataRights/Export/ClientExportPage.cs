using CoachFlow.Web.ClientPages;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.DataRights;

/// <summary>
/// The page behind a client's <c>data-export</c> link: what their copy holds and leaves out, and a "Download my data"
/// button. Opening the link shows the page only; the ZIP comes from the button's POST (antiforgery-checked like every
/// client form), so a mail scanner that follows links downloads nothing.
/// </summary>
/// <remarks>
/// The copy is every engagement of the client in the link's firm, as <see cref="ExportService.ClientCopyAsync"/> scopes
/// it, without the coach's private notes. It works after the engagement has ended: that is when people ask.
/// </remarks>
internal sealed class ClientExportPage : ClientForm
{
    public override async Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct)
    {
        var scope = await Exports(link).ClientCopyAsync(link.State, ct);
        if (scope is null) return StandardPages.EngagementGone();
        var engagements = scope.EngagementIds.Count == 1
            ? $"It covers your coaching engagement with {link.FirmName}, as far as it has come:"
            : $"It covers all {scope.EngagementIds.Count} of your coaching engagements with {link.FirmName}, each as far as it has come:";
        var body = $"""
            <p class="lead">{H(link.CoachName)} sent you this link so that you can keep a copy of what {H(link.FirmName)} has recorded about your coaching.</p>
            <h2>What the copy holds</h2>
            <p>{H(engagements)}</p>
            <ul>
            <li>your coaching agreement and the record of your signature</li>
            <li>your answers to the questionnaires, and your ratings at the start and at each reassessment</li>
            <li>each session's agreement and summary, the actions you chose and your check-ins on them</li>
            <li>your self-coaching plan and your maintenance check-ins</li>
            <li>every document you were sent, and the history of the engagement: what happened, and when</li>
            </ul>
            <p>It comes as one ZIP file. Each document is a web page that opens in any browser. The same records are also in JSON files,
            a format other services can read if you want to take your records elsewhere. A file called README explains how the copy is laid out.</p>
            <h2>What it leaves out</h2>
            <ul>
            <li>Your coach's private notes on your sessions. As your agreement says, your coach keeps them separately from anything shared with you.</li>
            <li>Copies of the emails we sent you (the history says when each one went), and internal records that say nothing about you. The README lists everything left out.</li>
            </ul>
            <h2>Download</h2>
            {Form(link, $"""
                <p class="hint" id="download-hint">The file may take a moment to prepare. This link works until {H(Date(link.Grant.ExpiresAt, link.State.ClientTimeZone))}, and you can use it more than once.</p>
                <button type="submit" class="button" aria-describedby="download-hint">Download my data</button>
                """)}
            """;
        return new Page(200, "Download a copy of your coaching records", body);
    }

    public override async Task<IResult?> DownloadAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct)
    {
        var exports = Exports(link);
        return await exports.ClientCopyAsync(link.State, ct) is { } scope ? ExportApi.Zip(link.Http, exports, scope, "") : null;
    }

    /// <summary>Reached only when there was nothing to download: the firm is gone.</summary>
    public override Task<Page> SubmitAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct) =>
        Task.FromResult(StandardPages.EngagementGone());

    private static ExportService Exports(ClientLink link) => link.Http.RequestServices.GetRequiredService<ExportService>();
}
