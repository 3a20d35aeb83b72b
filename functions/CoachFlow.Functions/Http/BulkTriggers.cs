using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>
/// Bulk follow-up (<c>CoachFlow.Web/Engagements/BulkActionsApi.cs</c>): one trigger per endpoint, named as the
/// endpoint is, with its method and route. Running a bulk action schedules an orchestration through the bound client.
/// </summary>
public sealed class BulkTriggers(HttpDispatch http)
{
    [Function("DraftBulkAction")]
    public Task DraftBulkAction([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/bulk-actions")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("RunBulkAction")]
    public Task RunBulkAction([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/bulk-actions/{id}/run")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetBulkAction")]
    public Task GetBulkAction([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/bulk-actions/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ListBulkActions")]
    public Task ListBulkActions([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/bulk-actions")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);
}
