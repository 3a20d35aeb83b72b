using CoachFlow.Functions.Hosting;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Cohorts;
using CoachFlow.Web.DataRights;
using CoachFlow.Web.OutboundWebhooks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Background;

/// <summary>
/// What runs in the background in Azure: two queue triggers and two timer triggers. The local host runs the same
/// processors from its workers (<c>CohortImportWorker</c>, <c>WebhookDeliveryWorker</c>, <c>DataRightsWorker</c>,
/// <c>EngineSweepWorker</c>). A trigger whose work starts, purges or queries orchestrations hands the binding's client
/// to <see cref="BoundDurableTaskClient"/>, as the HTTP triggers do.
/// </summary>
public sealed class BackgroundTriggers(CohortImporter importer, WebhookDispatcher webhooks, RetentionSweep dataRights, EngagementSweep engine,
    BoundDurableTaskClient bound)
{
    /// <summary>
    /// One batch of a cohort import (a message of <c>{prefix}cohort-imports</c>, on AzureWebJobsStorage's account; the
    /// <c>CoachFlowCohortQueue</c> app setting names the queue). The host deletes the message when this returns; after a
    /// failure or a crash it delivers it again and the batch repeats harmlessly.
    /// </summary>
    [Function("CohortImportBatch")]
    public Task CohortImportBatch([QueueTrigger("%CoachFlowCohortQueue%")] string message, [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        bound.Use(client);
        return importer.HandleAsync(message, ct);
    }

    /// <summary>
    /// A webhook stream's wake-up (a message of <c>{prefix}webhook-deliveries</c>; the <c>CoachFlowWebhookQueue</c> app
    /// setting names the queue): delivers the stream's pending deliveries in order. A delivery that fails is recorded and
    /// retried on the schedule, so only a storage fault throws, and then the host delivers the message again.
    /// </summary>
    [Function("WebhookDeliveries")]
    public Task WebhookDeliveries([QueueTrigger("%CoachFlowWebhookQueue%")] string message, CancellationToken ct) => webhooks.HandleAsync(message, ct);

    /// <summary>
    /// The data-rights sweep on the <c>CoachFlowDataRightsSchedule</c> NCRONTAB schedule (every 10 minutes by default):
    /// erasures that stopped half-way are finished and engagements past their firm's retention are erased.
    /// </summary>
    [Function("DataRightsSweep")]
    public async Task DataRightsSweep([TimerTrigger("%CoachFlowDataRightsSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        bound.Use(client);
        await dataRights.RunAsync(ct);
    }

    /// <summary>
    /// The engine sweep on the <c>CoachFlowEngineSweepSchedule</c> NCRONTAB schedule (every 5 minutes by default):
    /// engagements the read model says are running while their orchestration failed, was terminated or is missing are
    /// started again from the read model and reported.
    /// </summary>
    [Function("EngineSweep")]
    public async Task EngineSweep([TimerTrigger("%CoachFlowEngineSweepSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        bound.Use(client);
        await engine.RunAsync(ct);
    }
}
