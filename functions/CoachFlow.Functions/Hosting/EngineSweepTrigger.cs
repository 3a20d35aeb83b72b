using CoachFlow.Orchestrations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Hosting;

/// <summary>The engine's own upkeep in Azure (the local host's <c>EngineSweepWorker</c> runs the same sweep).</summary>
public sealed class EngineSweepTrigger(EngagementSweep sweep, BoundDurableTaskClient bound)
{
    /// <summary>
    /// The engine sweep on the <c>CoachFlowEngineSweepSchedule</c> app setting's NCRONTAB schedule (every 5 minutes by default):
    /// engagements the read model says are running while their orchestration failed, was terminated or is missing are started
    /// again from the read model and reported. It queries, terminates, purges and starts instances, so it hands the binding's
    /// client to <see cref="BoundDurableTaskClient"/> as HTTP triggers do.
    /// </summary>
    [Function("EngineSweep")]
    public async Task EngineSweep([TimerTrigger("%CoachFlowEngineSweepSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        bound.Use(client);
        await sweep.RunAsync(ct);
    }
}
