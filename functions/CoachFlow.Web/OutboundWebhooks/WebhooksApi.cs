using CoachFlow.Orchestrations.Activities;
using CoachFlow.Web.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>
/// Outbound webhooks: a firm admin registers endpoints (<c>/api/webhooks</c>), each with the event types it wants; what
/// the engine records leaves through <see cref="WebhookOutbox"/> as signed deliveries (Standard Webhooks), retried, in
/// order per engagement, with a log per endpoint. See docs/webhooks.md.
/// </summary>
public static class WebhooksApi
{
    private static readonly string EventTypes = $"Event types: {string.Join(", ", WebhookEventTypes.All)}.";

    /// <summary>
    /// The webhook services: the options (<c>CoachFlow:Webhooks</c>; private networks allowed by default only in the
    /// Development environment), the store, the outbox the activities call, the dispatcher, the HTTP client, the service.
    /// </summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(WebhookOptions.Section);
        services.AddSingleton(sp =>
        {
            var options = new WebhookOptions();
            section.Bind(options);
            if (section["AllowPrivateNetworks"] is null) options.AllowPrivateNetworks = sp.GetService<IHostEnvironment>()?.IsDevelopment() == true;
            return options.Validated();
        });
        services.TryAddSingleton<WebhookStore>(); // the data export adds it too (its webhook-deliveries part)
        services.AddSingleton<WebhookEndpointCache>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookNotices>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<WebhookService>();
        services.AddSingleton<IEngagementOutbox, WebhookOutbox>();
        services.AddHttpClient(WebhookSender.ClientName, (sp, client) =>
            {
                client.Timeout = sp.GetRequiredService<WebhookOptions>().Timeout;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("CoachFlow-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookSender.CreateHandler(sp.GetRequiredService<WebhookOptions>()))
            .RemoveAllLoggers(); // the default ones log the URL, which may carry the receiver's own token
        services.AddHostedService<WebhookSetup>();
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/webhooks").RequireCaller().WithTags("Webhooks");
        api.MapPost("", CreateAsync).WithName("CreateWebhook")
            .WithSummary("Register an https endpoint for some event types; the answer holds its signing secret (whsec_…), shown this once (firm admin)")
            .WithDescription(EventTypes + " Deliveries follow Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). At most 20 endpoints a firm.")
            .ProducesProblem(400).ProducesProblem(403);
        api.MapGet("", ListAsync).WithName("ListWebhooks").WithSummary("The firm's webhook endpoints: URL, events, status, failing since, last success (firm admin)")
            .ProducesProblem(403);
        api.MapGet("/{id}", GetAsync).WithName("GetWebhook").WithSummary("One webhook endpoint (firm admin)").ProducesProblem(404).ProducesProblem(403);
        api.MapPatch("/{id}", UpdateAsync).WithName("UpdateWebhook")
            .WithSummary("Change an endpoint's url, events or description, or switch it off and on ({\"enabled\": true} sends what waited, in order) (firm admin)")
            .WithDescription(EventTypes).ProducesProblem(400).ProducesProblem(404).ProducesProblem(403);
        api.MapDelete("/{id}", DeleteAsync).WithName("DeleteWebhook").WithSummary("Remove an endpoint and its whole delivery log (firm admin)")
            .ProducesProblem(404).ProducesProblem(403);
        api.MapGet("/{id}/deliveries", DeliveriesAsync).WithName("ListWebhookDeliveries")
            .WithSummary("The endpoint's delivery log: status, attempts, last error (?status=pending|delivered|failed&engagementId=&pageSize=1..200&continuationToken=) (firm admin)")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(403);
        api.MapGet("/{id}/deliveries/{deliveryId}", DeliveryAsync).WithName("GetWebhookDelivery")
            .WithSummary("One delivery with the body it carries (the same on every attempt) (firm admin)").ProducesProblem(404).ProducesProblem(403);
        api.MapPost("/{id}/deliveries/{deliveryId}/resend", ResendAsync).WithName("ResendWebhookDelivery")
            .WithSummary("Send one delivery again now, with the same webhook-id; answers with what the endpoint said (409 while the endpoint is off) (firm admin)")
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(403);
        return app;
    }

    private static async Task<Created<WebhookEndpointView>> CreateAsync(CreateWebhookRequest body, HttpContext http, WebhookService webhooks, CancellationToken ct)
    {
        var created = await webhooks.CreateAsync(http.Caller(), body, ct);
        return TypedResults.Created($"/api/webhooks/{created.Id}", created);
    }

    private static async Task<Ok<WebhookEndpointList>> ListAsync(HttpContext http, WebhookService webhooks, CancellationToken ct) =>
        TypedResults.Ok(new WebhookEndpointList(await webhooks.ListAsync(http.Caller(), ct)));

    private static async Task<Ok<WebhookEndpointView>> GetAsync(string id, HttpContext http, WebhookService webhooks, CancellationToken ct) =>
        TypedResults.Ok(await webhooks.GetAsync(http.Caller(), id, ct));

    private static async Task<Ok<WebhookEndpointView>> UpdateAsync(string id, UpdateWebhookRequest body, HttpContext http, WebhookService webhooks, CancellationToken ct) =>
        TypedResults.Ok(await webhooks.UpdateAsync(http.Caller(), id, body, ct));

    private static async Task<NoContent> DeleteAsync(string id, HttpContext http, WebhookService webhooks, CancellationToken ct)
    {
        await webhooks.DeleteAsync(http.Caller(), id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<WebhookDeliveryPage>> DeliveriesAsync(string id, HttpContext http, WebhookService webhooks, string? status, string? engagementId,
        string? pageSize, string? continuationToken, CancellationToken ct) =>
        TypedResults.Ok(await webhooks.DeliveriesAsync(http.Caller(), id, status, engagementId, pageSize, continuationToken, ct));

    private static async Task<Ok<WebhookDeliveryView>> DeliveryAsync(string id, string deliveryId, HttpContext http, WebhookService webhooks, CancellationToken ct) =>
        TypedResults.Ok(await webhooks.DeliveryAsync(http.Caller(), id, deliveryId, ct));

    private static async Task<Ok<WebhookResendResult>> ResendAsync(string id, string deliveryId, HttpContext http, WebhookService webhooks, CancellationToken ct) =>
        TypedResults.Ok(await webhooks.ResendAsync(http.Caller(), id, deliveryId, ct));

    /// <summary>Creates the webhook tables and queue as the host starts.</summary>
    private sealed class WebhookSetup([FromServices] WebhookStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.EnsureCreatedAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
