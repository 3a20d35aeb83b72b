using CoachFlow.Functions.Hosting;
using CoachFlow.Web.Cohorts;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>
/// Cohort import (<c>CoachFlow.Web/Cohorts/CohortsApi.cs</c>): one HTTP trigger per endpoint, named as the endpoint is,
/// each run through <see cref="HttpDispatch"/>; and the queue trigger that runs each batch of an import.
/// </summary>
public sealed class CohortTriggers(HttpDispatch http, CohortImporter importer, BoundDurableTaskClient bound)
{
    [Function("UploadCohort")]
    public Task UploadCohort([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cohorts")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("StartCohort")]
    public Task StartCohort([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/cohorts/{id}/start")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetCohort")]
    public Task GetCohort([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/cohorts/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ListCohorts")]
    public Task ListCohorts([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/cohorts")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetCohortRejectedRows")]
    public Task GetCohortRejectedRows([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/cohorts/{id}/rejected.csv")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    /// <summary>
    /// One batch of a cohort import (a message of <c>{prefix}cohort-imports</c>, on AzureWebJobsStorage's account; the
    /// <c>CoachFlowCohortQueue</c> app setting names the queue). The batch starts engagements, so it hands the binding's
    /// client to <see cref="BoundDurableTaskClient"/> as HTTP triggers do. The host deletes the message when this
    /// returns; after a failure or a crash it delivers it again and the batch repeats harmlessly.
    /// </summary>
    [Function("CohortImportBatch")]
    public Task CohortImportBatch([QueueTrigger("%CoachFlowCohortQueue%")] string message, [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        bound.Use(client);
        return importer.HandleAsync(message, ct);
    }
}
