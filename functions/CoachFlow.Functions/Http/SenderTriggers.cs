using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>The firm's sender (<c>CoachFlow.Web/Tenancy/SenderApi.cs</c>): one HTTP trigger per endpoint, named as the endpoint is.</summary>
public sealed class SenderTriggers(HttpDispatch http)
{
    [Function("GetSender")]
    public Task GetSender([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sender")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("SetSender")]
    public Task SetSender([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/sender")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);
}
