using CoachFlow.Orchestrations;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CoachFlow.Web.DataRights;

/// <summary>Names a client by email, in a body (URLs are logged; bodies are not).</summary>
public sealed record ClientExportRequest(string? Email);

/// <summary>Where the client's export link went: their address on the engagement (never echoed), and until when it works.</summary>
public sealed record ClientExportLinkResponse(string EngagementId, string SentTo, DateTimeOffset ExpiresAt);

/// <summary>
/// The data export over the coach API: one engagement, one client, the firm (or a coach's own engagements) as a ZIP,
/// and the emailed link through which a client downloads their own copy (<c>docs/exports.md</c>).
/// </summary>
public static partial class ExportApi
{
    /// <summary>The export's services and its parts, in the order they write each engagement's files.</summary>
    /// <remarks>Register another part (webhook deliveries, say) after this call: <c>services.AddSingleton&lt;IEngagementExportPart, …&gt;()</c>.</remarks>
    public static IServiceCollection AddExports(this IServiceCollection services)
    {
        services.AddSingleton<IEngagementExportPart, EngagementFileExportPart>();
        services.AddSingleton<IEngagementExportPart, TimelineExportPart>();
        services.AddSingleton<IEngagementExportPart, InputsExportPart>();
        services.AddSingleton<IEngagementExportPart, NotificationsExportPart>();
        services.AddSingleton<IEngagementExportPart, DocumentsExportPart>();
        services.AddSingleton<IEngagementExportPart, OutboundWebhooks.WebhookExportPart>();
        services.TryAddSingleton<OutboundWebhooks.WebhookStore>();
        services.AddSingleton<ExportService>();
        services.AddSingleton<ClientExportLinks>();
        return services;
    }

    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireCaller().WithTags("Data export");
        api.MapGet("/engagements/{id}/export", EngagementAsync).WithName("ExportEngagement")
            .WithSummary("One engagement's data as a ZIP: JSON of everything held, the documents as HTML, a README (firm admin, or its coach)")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip");
        api.MapPost("/clients/export", ClientByEmailAsync).WithName("ExportClientByEmail")
            .WithSummary("A client's engagements in your scope as a ZIP; the client's email goes in the body ({\"email\": \"…\"}), never in a URL")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip");
        api.MapGet("/clients/{clientId}/export", ClientAsync).WithName("ExportClient")
            .WithSummary("A client's engagements in your scope as a ZIP, by the client id engagements show (clientId)")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip");
        api.MapGet("/export", AllAsync).WithName("ExportAll")
            .WithSummary("The whole firm (firm admin) or your own engagements (coach) as a ZIP, streamed one engagement at a time")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip");
        api.MapPost("/engagements/{id}/client-export-link", SendLinkAsync).WithName("SendClientExportLink")
            .WithSummary("Email the engagement's client a link to download their own copy (7 days; the coach's private notes left out)");
        return app;
    }

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> EngagementAsync(string id, HttpContext http, ExportService exports, CancellationToken ct) =>
        Zip(http, exports, await exports.EngagementAsync(http.Caller(), id, ct), "");

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ClientByEmailAsync(ClientExportRequest body, HttpContext http, ExportService exports, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Email)) throw new BadInputException("Name the client by their email address: {\"email\": \"client@example.com\"}.");
        var email = TenancyStore.RequireEmail(body.Email.Trim());
        var scope = await exports.ClientAsync(http.Caller(), EngagementService.ClientIdOf(http.Caller().FirmId, email), ct);
        return Zip(http, exports, scope, "No engagement of a client with this email address is in your scope.");
    }

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ClientAsync(string clientId, HttpContext http, ExportService exports, CancellationToken ct)
    {
        if (!ClientIdRegex().IsMatch(clientId))
            throw new BadInputException("A client id looks like client-0123456789abcdef: engagements show theirs as clientId. To name a client by email, POST /api/clients/export.");
        return Zip(http, exports, await exports.ClientAsync(http.Caller(), clientId, ct), $"No engagement of client {clientId} is in your scope.");
    }

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> AllAsync(HttpContext http, ExportService exports, CancellationToken ct) =>
        Zip(http, exports, await exports.CallerAsync(http.Caller(), ct),
            http.Caller().Role == Role.Coach ? "You have no engagements to export." : "Your firm has no engagements to export.");

    /// <summary>The scope's ZIP, streamed as it is written; nothing in scope is a 404 saying so.</summary>
    internal static Results<PushStreamHttpResult, ProblemHttpResult> Zip(HttpContext http, ExportService exports, ExportScope scope, string nothing)
    {
        if (scope.EngagementIds.Count == 0) return TypedResults.Problem(nothing, statusCode: StatusCodes.Status404NotFound, title: "Nothing to export");
        http.Response.Headers.CacheControl = "no-store";
        var ct = http.RequestAborted;
        return TypedResults.Stream(body => exports.WriteAsync(scope, body, null, ct), "application/zip", scope.FileName(exports.Now));
    }

    private static async Task<Accepted<ClientExportLinkResponse>> SendLinkAsync(string id, HttpContext http, ClientExportLinks links, CancellationToken ct)
    {
        var expires = await links.SendAsync(http.Caller(), id, ct);
        return TypedResults.Accepted((string?)null, new ClientExportLinkResponse(id, "the client's address on the engagement", expires));
    }

    [System.Text.RegularExpressions.GeneratedRegex("^client-[0-9a-f]{16}$")]
    private static partial System.Text.RegularExpressions.Regex ClientIdRegex();
}
