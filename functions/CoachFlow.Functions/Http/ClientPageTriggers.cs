using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>The pages clients reach from emailed links (<c>CoachFlow.Web/ClientPages</c>), run through <see cref="HttpDispatch"/>.</summary>
public sealed class ClientPageTriggers(HttpDispatch http)
{
    [Function("ClientPage")]
    public Task ClientPage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "c/{token}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ClientPageSubmit")]
    public Task ClientPageSubmit([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "c/{token}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ClientUnsubscribePage")]
    public Task ClientUnsubscribePage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "c/{token}/unsubscribe")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ClientUnsubscribeOneClick")]
    public Task ClientUnsubscribeOneClick([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "c/{token}/unsubscribe")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ClientPageDocument")]
    public Task ClientPageDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "c/{token}/document")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ClientPagePdf")]
    public Task ClientPagePdf([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "c/{token}/pdf/{name}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);
}
