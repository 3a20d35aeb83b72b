using CoachFlow.Functions.Hosting;
using CoachFlow.Web.DataRights;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>
/// Erasure and retention (<c>CoachFlow.Web/DataRights/ErasureApi.cs</c>): one HTTP trigger per endpoint, named as the
/// endpoint is; and the timer trigger that finishes unfinished erasures and keeps each firm's retention.
/// </summary>
public sealed class ErasureTriggers(HttpDispatch http, RetentionSweep sweep, BoundDurableTaskClient bound)
{
    [Function("EraseClient")]
    public Task EraseClient([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/clients/{clientId}/erase")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ListErasures")]
    public Task ListErasures([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/erasures")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetErasure")]
    public Task GetErasure([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/erasures/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetRetention")]
    public Task GetRetention([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/retention")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("SetRetention")]
    public Task SetRetention([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/retention")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    /// <summary>
    /// The data-rights sweep on the <c>CoachFlowDataRightsSchedule</c> app setting's NCRONTAB schedule (every 10 minutes by
    /// default): erasures that stopped half-way are finished and engagements past their firm's retention are erased. Erasing
    /// purges orchestrations, so it hands the binding's client to <see cref="BoundDurableTaskClient"/> as HTTP triggers do.
    /// </summary>
    [Function("DataRightsSweep")]
    public async Task DataRightsSweep([TimerTrigger("%CoachFlowDataRightsSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        bound.Use(client);
        await sweep.RunAsync(ct);
    }
}
