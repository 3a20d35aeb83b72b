using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>The OpenAPI document, the health check and the SendGrid Event Webhook, run through <see cref="HttpDispatch"/>.</summary>
public sealed class ServiceTriggers(HttpDispatch http)
{
    [Function("OpenApiDocument")]
    public Task OpenApiDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/{documentName}.json")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("Health")]
    public Task Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("SendGridEvents")]
    public Task SendGridEvents([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/webhooks/sendgrid")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);
}
