using CoachFlow.Web.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>
/// Outbound webhooks (<c>CoachFlow.Web/Webhooks/WebhooksApi.cs</c>): one HTTP trigger per endpoint, named as the endpoint
/// is, each run through <see cref="HttpDispatch"/>; and the queue trigger that delivers a stream when its wake-up comes.
/// </summary>
public sealed class WebhookTriggers(HttpDispatch http, WebhookDispatcher dispatcher)
{
    [Function("CreateWebhook")]
    public Task CreateWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/webhooks")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ListWebhooks")]
    public Task ListWebhooks([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/webhooks")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetWebhook")]
    public Task GetWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/webhooks/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("UpdateWebhook")]
    public Task UpdateWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/webhooks/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("DeleteWebhook")]
    public Task DeleteWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/webhooks/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ListWebhookDeliveries")]
    public Task ListWebhookDeliveries([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/webhooks/{id}/deliveries")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetWebhookDelivery")]
    public Task GetWebhookDelivery([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/webhooks/{id}/deliveries/{deliveryId}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ResendWebhookDelivery")]
    public Task ResendWebhookDelivery([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/webhooks/{id}/deliveries/{deliveryId}/resend")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    /// <summary>
    /// A stream's wake-up (a message of <c>{prefix}webhook-deliveries</c>, on AzureWebJobsStorage's account; the
    /// <c>CoachFlowWebhookQueue</c> app setting names the queue): delivers the stream's pending deliveries in order. The
    /// host deletes the message when this returns; a delivery that fails is recorded and retried on the schedule, so only
    /// a storage fault throws, and then the host delivers the message again.
    /// </summary>
    [Function("WebhookDeliveries")]
    public Task WebhookDeliveries([QueueTrigger("%CoachFlowWebhookQueue%")] string message, CancellationToken ct) => dispatcher.HandleAsync(message, ct);
}
