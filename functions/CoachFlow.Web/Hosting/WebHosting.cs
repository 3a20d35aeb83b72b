using CoachFlow.Web.Bulk;
using CoachFlow.Web.ClientPages;
using CoachFlow.Web.Cohorts;
using CoachFlow.Web.DataRights;
using CoachFlow.Web.Email;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.FirmDashboard;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.OutboundWebhooks;

namespace CoachFlow.Web.Hosting;

/// <summary>
/// CoachFlow's HTTP surface in three calls, the same for every host: the local host (a plain ASP.NET Core
/// process) and the Azure Functions app (whose HTTP triggers dispatch into these very endpoints).
/// </summary>
public static class WebHosting
{
    /// <summary>Largest request body any endpoint reads.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>Everything the API, the client pages and the webhooks need, and the engagement effects (emails, documents) and outbox (outbound webhooks).</summary>
    public static IServiceCollection AddCoachFlowWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        // Bad requests (unreadable JSON, wrong types, too large) throw, so Problems turns them into a problem with a reason.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Anything a client or coach typed goes out with <, >, & and quotes escaped, even inside JSON.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default);
        services.AddOpenApi();
        services.AddCoachFlowServices(configuration);
        services.AddCoachFlowEmail();
        services.AddSharedDataProtection();
        services.AddCoachFlowTelemetry(configuration);
        services.AddClientPages();
        services.AddCohorts(configuration);
        services.AddFirmDashboard(configuration);
        services.AddExports();
        services.AddErasure(configuration);
        services.AddWebhooks(configuration);
        return services;
    }

    /// <summary>What runs before every endpoint: problem details for errors, and the caller checked before any body is read.</summary>
    public static IApplicationBuilder UseCoachFlowMiddleware(this IApplicationBuilder app)
    {
        app.UseProblems();
        app.UseProblemStatusPages();
        app.UseCallers(); // before any endpoint reads a body: no valid token is a 401 whatever the request carries
        return app;
    }

    /// <summary>Every HTTP endpoint: the coach API, OpenAPI, health, the SendGrid webhook, the client pages, the firm dashboard, the data export, erasure and outbound webhooks.</summary>
    public static IEndpointRouteBuilder MapCoachFlow(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapHealth();
        app.MapEngagementsApi();
        app.MapBulkActionsApi();
        app.MapCohortsApi();
        app.MapSendGridWebhook();
        app.MapClientPages();
        app.MapFirmDashboard();
        app.MapExportApi();
        app.MapErasureApi();
        app.MapSenderApi();
        app.MapWebhooksApi();
        return app;
    }
}
