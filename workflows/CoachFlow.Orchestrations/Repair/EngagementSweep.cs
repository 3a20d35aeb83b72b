using CoachFlow.Orchestrations.ReadModel;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace CoachFlow.Orchestrations;

/// <summary>What one engine sweep did.</summary>
/// <param name="Running">Engagements the firms' listings show as running.</param>
/// <param name="Checked">Those without a live orchestration and part in the engine's status query, looked at one by one.</param>
/// <param name="Repaired">Those that nothing ran and that were started again.</param>
/// <param name="Failed">Those whose check or repair failed (storage or the engine not reachable): left for the next sweep.</param>
public sealed record EngineSweepResult(int Running, int Checked, int Repaired, int Failed);

/// <summary>
/// The engine sweep (the local host's worker, the Functions app's timer trigger): finds every engagement the read model says is
/// running while nothing in the engine runs it, and repairs it (<see cref="EngagementRepair"/>).
/// </summary>
/// <remarks>
/// Cheap for a firm with thousands of engagements: two paged queries, no history read. The firms' index lists the running
/// engagements (two columns of one row each); the engine's status query lists the live instances (running or pending, without
/// inputs or outputs). Only an engagement whose orchestration or every part is missing from the live list is looked at on its
/// own (a snapshot read and two status reads), and only those found stopped are repaired.
/// </remarks>
public sealed partial class EngagementSweep(EngagementStore store, DurableTaskClient client, EngagementRepair repair, ILogger<EngagementSweep> logger)
{
    public async Task<EngineSweepResult> RunAsync(CancellationToken ct)
    {
        var running = new List<string>();
        await foreach (var (_, engagementId) in store.ListRunningAsync(ct)) running.Add(engagementId);
        // Read after the index: an engagement that starts in between is not in the list above.
        var live = new HashSet<string>(StringComparer.Ordinal);
        var query = new OrchestrationQuery
        {
            Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended],
            PageSize = 1000, FetchInputsAndOutputs = false,
        };
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(ct)) live.Add(instance.InstanceId);
        // Parts are "{engagement}:{part}" (Names.PartInstanceId), and a part's name has no ':'.
        var liveParts = new HashSet<string>(live.Where(id => id.Contains(':', StringComparison.Ordinal)).Select(id => id[..id.LastIndexOf(':')]), StringComparer.Ordinal);

        int checkedCount = 0, repaired = 0, failed = 0;
        foreach (var engagementId in running.Where(id => !live.Contains(id) || !liveParts.Contains(id)))
        {
            checkedCount++;
            try
            {
                if (await repair.RepairIfStoppedAsync(engagementId, ct) is not null) repaired++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                LogFailed(logger, engagementId, ex.GetType().Name);
            }
        }
        if (repaired + failed > 0) LogSwept(logger, running.Count, checkedCount, repaired, failed);
        return new EngineSweepResult(running.Count, checkedCount, repaired, failed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine sweep: {Running} engagements running, {Checked} looked at, {Repaired} repaired, {Failed} left for the next sweep")]
    private static partial void LogSwept(ILogger logger, int running, int @checked, int repaired, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine sweep: engagement {EngagementId} could not be checked or repaired now ({ErrorType}); the next sweep tries again")]
    private static partial void LogFailed(ILogger logger, string engagementId, string errorType);
}
