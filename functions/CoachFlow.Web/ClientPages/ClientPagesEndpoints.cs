using System.Text;
using CoachFlow.Web.Documents;
using CoachFlow.Web.Effects;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Links;
using CoachFlow.Web.Tenancy;
using CoachFlow.Orchestrations;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Runtime;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace CoachFlow.Web.ClientPages;

/// <summary>
/// The pages a client reaches from the links in their emails: <c>GET /c/{token}</c> shows the page for the
/// link's purpose, <c>POST /c/{token}</c> takes its form. The signed token is the whole authority; clients never log in.
/// </summary>
/// <remarks>
/// Every POST is checked in this order, and nothing changes unless all pass: the link (403/400/410), the body
/// size (413), the antiforgery token (400), the answers (400 with an error summary). The input is then raised
/// with an idempotency key made from the link's nonce, so a double submit applies once. Tokens and answers are
/// never logged; only the engagement id, the purpose and the outcome are.
/// </remarks>
public static partial class ClientPagesEndpoints
{
    /// <summary>The largest form body a client page accepts.</summary>
    public const int MaxFormBytes = 256 * 1024;

    internal const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>A stored document opened on its own: styles only, nothing active, not even forms.</summary>
    internal const string DocumentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'; sandbox";

    public static IServiceCollection AddClientPages(this IServiceCollection services)
    {
        services.AddAntiforgery(o =>
        {
            o.FormFieldName = "__csrf";
            o.Cookie.Name = "cf-csrf";
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            o.SuppressXFrameOptionsHeader = true; // the pages send frame-ancestors 'none' and X-Frame-Options: DENY themselves
        });
        // The request path holds the link token, and a token in a log is a key in a log: the per-request
        // "Request starting/finished" lines (Information) must not be written.
        services.Configure<LoggerFilterOptions>(o => o.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning));
        services.AddSingleton<ClientPagesHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapClientPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/c").ExcludeFromDescription();
        pages.MapGet("/{token}", (string token, HttpContext http, ClientPagesHandler h, CancellationToken ct) => h.ShowAsync(token, http, ct))
            .WithName("ClientPage");
        pages.MapPost("/{token}", (string token, HttpContext http, ClientPagesHandler h, CancellationToken ct) => h.SubmitAsync(token, http, ct))
            .WithName("ClientPageSubmit");
        // RFC 8058: the List-Unsubscribe URL of a reminder. A person opening it gets the reminders page; a mail provider POSTs one-click.
        pages.MapGet("/{token}/unsubscribe", (string token, HttpContext http, ClientPagesHandler h, CancellationToken ct) => h.ShowAsync(token, http, ct))
            .WithName("ClientUnsubscribePage");
        pages.MapPost("/{token}/unsubscribe", (string token, HttpContext http, ClientPagesHandler h, CancellationToken ct) => h.OneClickAsync(token, http, ct))
            .WithName("ClientUnsubscribeOneClick");
        pages.MapGet("/{token}/document", (string token, HttpContext http, ClientPagesHandler h, CancellationToken ct) => h.DocumentAsync(token, http, ct))
            .WithName("ClientPageDocument");
        pages.MapGet("/{token}/pdf/{name}", (string token, string name, HttpContext http, ClientPagesHandler h, CancellationToken ct) => h.PdfAsync(token, name, http, ct))
            .WithName("ClientPagePdf");
        return app;
    }
}

/// <summary>Opens links, dispatches to the page for the link's purpose and turns outcomes into pages.</summary>
internal sealed partial class ClientPagesHandler(
    LinkSigner links,
    EngagementService engagements,
    DocumentStore documents,
    TenancyStore tenancy,
    ProgramCatalog programs,
    DocumentWriter writer,
    IAntiforgery antiforgery,
    TimeProvider time,
    ILogger<ClientPagesHandler> logger)
{
    public DateTimeOffset Now => time.GetUtcNow();
    public EngagementService Engagements => engagements;
    public DocumentStore Documents => documents;
    public LinkSigner Links => links;

    public async Task<IResult> ShowAsync(string token, HttpContext http, CancellationToken ct)
    {
        SecureHeaders(http, ClientPagesEndpoints.ContentSecurityPolicy);
        string? firm = null;
        try
        {
            var (link, problem) = await OpenAsync(token, http, ct);
            if (link is null) return Render(http, problem!, null);
            firm = link.FirmName;
            var page = ClientForms.For(link.Grant.Purpose) is { } form ? await form.ShowAsync(link, this, ct) : StandardPages.UnknownPurpose();
            LogShown(logger, link.EngagementId, link.Grant.Purpose, page.Status);
            return Render(http, page, firm);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFault(logger, "show", ex.GetType().Name);
            return Render(http, StandardPages.Fault(), firm);
        }
    }

    public async Task<IResult> SubmitAsync(string token, HttpContext http, CancellationToken ct)
    {
        SecureHeaders(http, ClientPagesEndpoints.ContentSecurityPolicy);
        string? firm = null;
        try
        {
            var (grant, problem) = await links.CheckAsync(token, ct);
            if (problem != LinkProblem.None || grant is null)
            {
                LogRefused(logger, grant?.EngagementId ?? "-", problem.ToString());
                return Render(http, StandardPages.ForLinkProblem(problem), null);
            }

            var (form, formProblem) = await ReadFormAsync(http, ct);
            if (form is null) return Render(http, formProblem!, null);
            try
            {
                await antiforgery.ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                LogRefused(logger, grant.EngagementId, "antiforgery");
                return Render(http, StandardPages.FormExpired(), null);
            }

            var (link, openProblem) = await OpenAsync(token, http, ct, grant);
            if (link is null) return Render(http, openProblem!, null);
            firm = link.FirmName;
            var handler = ClientForms.For(link.Grant.Purpose);
            if (handler is not null && await handler.DownloadAsync(link, form, this, ct) is { } download)
            {
                LogSubmitted(logger, link.EngagementId, link.Grant.Purpose, 200);
                return download;
            }
            var page = handler is null ? StandardPages.UnknownPurpose() : await handler.SubmitAsync(link, form, this, ct);
            LogSubmitted(logger, link.EngagementId, link.Grant.Purpose, page.Status);
            return Render(http, page, firm);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFault(logger, "submit", ex.GetType().Name);
            return Render(http, StandardPages.Fault(), firm);
        }
    }

    /// <summary>A stored document on its own page (the same bytes the framed view shows), for reading on a small screen.</summary>
    public async Task<IResult> DocumentAsync(string token, HttpContext http, CancellationToken ct)
    {
        SecureHeaders(http, ClientPagesEndpoints.ContentSecurityPolicy);
        try
        {
            var (link, problem) = await OpenAsync(token, http, ct);
            if (link is null) return Render(http, problem!, null);
            var name = ClientForms.DocumentNameFor(link);
            var doc = name is null ? null : await documents.ReadAsync(link.EngagementId, name, ct);
            if (doc is null) return Render(http, StandardPages.NotFound("There is no document here", "This link does not lead to a document, or it is not ready yet."), link.FirmName);
            http.Response.Headers[HeaderNames.ContentSecurityPolicy] = ClientPagesEndpoints.DocumentSecurityPolicy;
            return Results.Content(doc.Html, "text/html; charset=utf-8", Encoding.UTF8, 200);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFault(logger, "document", ex.GetType().Name);
            return Render(http, StandardPages.Fault(), null);
        }
    }

    /// <summary>
    /// A PDF for the client to keep: their agreement (signed, with its evidence), a reassessment report, their
    /// self-coaching plan. Any valid link of the engagement opens the client's own PDFs; nothing else.
    /// </summary>
    public async Task<IResult> PdfAsync(string token, string name, HttpContext http, CancellationToken ct)
    {
        SecureHeaders(http, ClientPagesEndpoints.ContentSecurityPolicy);
        try
        {
            var (link, problem) = await OpenAsync(token, http, ct);
            if (link is null) return Render(http, problem!, null);
            // The sponsor's link opens their progress report only, never the client's records.
            var doc = ClientPdfs.IsClientPdf(name) && link.Grant.Purpose != LinkPurposes.ProgressReport
                ? await documents.ReadAsync(link.EngagementId, name, ct) : null;
            if (doc is null || !DocumentPdfs.Offered(doc.Kind))
                return Render(http, StandardPages.NotFound("There is no PDF here", "This document has no PDF, or it is not ready yet."), link.FirmName);
            LogShown(logger, link.EngagementId, "pdf", 200);
            return Results.File(await DocumentPdfs.RenderAsync(writer, link.View, doc.Kind, name, ct), "application/pdf", $"{name}.pdf");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFault(logger, "pdf", ex.GetType().Name);
            return Render(http, StandardPages.Fault(), null);
        }
    }

    /// <summary>
    /// Raises what the client sent and says how it went: applied (or already applied) shows <paramref name="confirmation"/>,
    /// deferred a "we kept it" page (202), rejected a plain explanation (409).
    /// </summary>
    /// <remarks>An input not decided within <see cref="EngagementService.DecisionWait"/> is kept all the same: the client is told it is in.</remarks>
    public async Task<Page> RaiseAsync(ClientLink link, WorkflowInput input, string key, Func<Page> confirmation, CancellationToken ct)
    {
        RaiseOutcome outcome;
        try
        {
            outcome = await engagements.RaiseFromLinkAsync(link.EngagementId, input, key, ct);
        }
        catch (BadInputException)
        {
            return StandardPages.TooLarge();
        }
        catch (Exception ex) when (ex is InvalidStatusException or EngagementNotFoundException)
        {
            LogOutcome(logger, link.EngagementId, input.GetType().Name, InputOutcome.Rejected);
            return StandardPages.Rejected(null);
        }
        LogOutcome(logger, link.EngagementId, input.GetType().Name, outcome.Result);
        return outcome.Result switch
        {
            InputOutcome.Applied => confirmation(),
            InputOutcome.Deferred => StandardPages.Deferred(),
            RaiseOutcome.Accepted => StandardPages.Received(),
            RaiseOutcome.Repairing => StandardPages.Restarting(),
            _ => StandardPages.Rejected(outcome.Reason),
        };
    }

    private async Task<(ClientLink? Link, Page? Problem)> OpenAsync(string token, HttpContext http, CancellationToken ct, LinkGrant? checkedGrant = null)
    {
        var grant = checkedGrant;
        if (grant is null)
        {
            var (g, problem) = await links.CheckAsync(token, ct);
            if (problem != LinkProblem.None || g is null)
            {
                LogRefused(logger, g?.EngagementId ?? "-", problem.ToString());
                return (null, StandardPages.ForLinkProblem(problem == LinkProblem.None ? LinkProblem.Malformed : problem));
            }
            grant = g;
        }

        EngagementView view;
        try
        {
            view = await engagements.LoadFromLinkAsync(grant.EngagementId, ct);
        }
        catch (EngagementNotFoundException)
        {
            return (null, StandardPages.EngagementGone());
        }
        var state = view.State;
        var program = programs.Find(state.ProgramId, state.ProgramVersion);
        if (program is null) return (null, StandardPages.Fault());
        var firm = await tenancy.GetFirmAsync(state.FirmId, ct);
        var coach = await tenancy.GetCoachAsync(state.FirmId, state.CoachId, ct);
        var csrf = antiforgery.GetAndStoreTokens(http);
        return (new ClientLink(http, token, grant, view, state, program, firm?.Name ?? "CoachFlow", coach?.Name ?? "your coach", csrf), null);
    }

    private static async Task<(IFormCollection? Form, Page? Problem)> ReadFormAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength > ClientPagesEndpoints.MaxFormBytes) return (null, StandardPages.TooLarge());
        if (!http.Request.HasFormContentType) return (null, StandardPages.UnreadableForm());
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = ClientPagesEndpoints.MaxFormBytes;
        http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions
        {
            ValueCountLimit = 500,
            ValueLengthLimit = ClientPagesEndpoints.MaxFormBytes,
            MultipartBodyLengthLimit = ClientPagesEndpoints.MaxFormBytes,
            BufferBodyLengthLimit = ClientPagesEndpoints.MaxFormBytes,
        }));
        try
        {
            return (await http.Request.ReadFormAsync(ct), null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, StandardPages.TooLarge());
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return (null, StandardPages.TooLarge());
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return (null, StandardPages.UnreadableForm());
        }
    }

    private static void SecureHeaders(HttpContext http, string csp)
    {
        var h = http.Response.Headers;
        h[HeaderNames.ContentSecurityPolicy] = csp;
        h["Referrer-Policy"] = "no-referrer";
        h[HeaderNames.XContentTypeOptions] = "nosniff";
        h[HeaderNames.XFrameOptions] = "DENY";
        h[HeaderNames.CacheControl] = "no-cache, no-store"; // exactly what antiforgery sets, so it need not override (and warn)
        h[HeaderNames.Pragma] = "no-cache";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
        h["X-Robots-Tag"] = "noindex, nofollow";
    }

    private static IResult Render(HttpContext http, Page page, string? firmName)
    {
        if (page.RetryAfterSeconds is int seconds) http.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Content(PageHtml.Layout(page, firmName), "text/html; charset=utf-8", Encoding.UTF8, page.Status);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client page for engagement {EngagementId} ({Purpose}) shown with {Status}")]
    private static partial void LogShown(ILogger logger, string engagementId, string purpose, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client form for engagement {EngagementId} ({Purpose}) answered with {Status}")]
    private static partial void LogSubmitted(ILogger logger, string engagementId, string purpose, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client input {Input} on engagement {EngagementId}: {Outcome}")]
    private static partial void LogOutcome(ILogger logger, string engagementId, string input, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client link for engagement {EngagementId} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string engagementId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Client page failed while trying to {Step} ({ErrorType})")]
    private static partial void LogFault(ILogger logger, string step, string errorType);
}
