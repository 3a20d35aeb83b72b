using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>
/// The data export (<c>CoachFlow.Web/DataRights/ExportApi.cs</c>): one trigger per endpoint, named as the endpoint is,
/// with its method and route. The ZIPs stream through the worker's ASP.NET Core integration as they are written; the
/// client's own download is a POST of its link page, which <c>ClientPageSubmit</c> already routes.
/// </summary>
public sealed class ExportTriggers(HttpDispatch http)
{
    [Function("ExportEngagement")]
    public Task ExportEngagement([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/engagements/{id}/export")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ExportClientByEmail")]
    public Task ExportClientByEmail([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/clients/export")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ExportClient")]
    public Task ExportClient([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/clients/{clientId}/export")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ExportAll")]
    public Task ExportAll([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/export")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("SendClientExportLink")]
    public Task SendClientExportLink([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/client-export-link")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);
}
