using System.Collections.Immutable;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.Parts;
using CoachFlow.Orchestrations.ReadModel;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace CoachFlow.Orchestrations;

/// <summary>How the engine finds and repairs engagements nothing runs (<c>CoachFlow:EngineSweep</c>).</summary>
public sealed class EngineSweepOptions
{
    public const string Section = "CoachFlow:EngineSweep";

    /// <summary>How often the local host sweeps (the Functions app's timer trigger has its own schedule, <c>CoachFlowEngineSweepSchedule</c>).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// An engagement created more recently than this whose orchestration is missing is left for the next look: its start may
    /// still be on its way to the engine. It is also the least time between two repairs of one engagement.
    /// </summary>
    public TimeSpan MinAge { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>What a repair found: the engagement's orchestration and its current part as the engine reports them.</summary>
/// <param name="Found">What was wrong, in the engine's words: <c>Terminated</c>, <c>Failed</c>, <c>Completed</c> (while the read
/// model says running) or <c>missing</c>, of the engagement's orchestration or of its current part. Never client content.</param>
public sealed record EngagementRepaired(string EngagementId, string FirmId, long Version, string Found, DateTimeOffset At);

/// <summary>
/// Finds out whether anything runs an engagement the read model says is running, and if nothing does (its orchestration, or
/// the part it is in, failed, was terminated behind CoachFlow's back, or is missing: never created, purged), starts it again
/// from the read model and reports it: the snapshot and the firm's listing say <c>engagement-repaired</c>, a log line names it,
/// and the firm's admins are told (<see cref="IEngagementNotices"/>).
/// </summary>
/// <remarks>
/// <para>
/// The repaired run is the read model's: the rules' state, version, timers and parked effects of the snapshot, and the inputs
/// the inbox keeps as deferred. Inputs raised to the dead instance and never decided are still <c>accepted</c> in the inbox,
/// where the new part's BeginPart finds them; decided ones have their outcome there and are not offered again, so each input
/// is decided once. Due timers fire at once, so a reminder that fell due while nothing ran goes out.
/// </para>
/// <para>
/// Effects that waited in memory for a retry when the orchestration died are not in the read model and are not run again;
/// their delivery records (<c>fx-…</c>) show them begun but undelivered.
/// </para>
/// <para>
/// Before it starts the new run it stops whatever is left of the old one (a part still running under a terminated engagement
/// orchestration) and purges the engagement's and the current part's instances, so their ids start afresh on any provider.
/// The claim on the snapshot (<see cref="EngagementStore.ClaimRepairAsync"/>) makes one repair of several at once win.
/// </para>
/// </remarks>
public sealed partial class EngagementRepair(DurableTaskClient client, EngagementStore store, EngineSettings settings, IEngagementNotices notices,
    TimeProvider time, Microsoft.Extensions.Options.IOptions<EngineSweepOptions> options, ILogger<EngagementRepair> logger)
{
    /// <summary>What is wrong with the engagement's orchestrations, or null when something runs it (or it needs nothing: over, erased, too new).</summary>
    public async Task<string?> DiagnoseAsync(string engagementId, CancellationToken ct = default)
    {
        var snapshot = await store.GetAsync(engagementId, ct);
        if (snapshot is null || !EngagementStatus.IsLive(snapshot.Status)) return null;
        var found = await StoppedAsync(engagementId, snapshot.ActiveInstance, ct);
        // Created a moment ago: the start claims the id before it schedules the orchestration, which may still be on its way.
        return found == "engagement missing" && time.GetUtcNow() - snapshot.CreatedAt < options.Value.MinAge ? null : found;
    }

    /// <summary>Repairs the engagement if nothing runs it; returns what was repaired, or null when nothing needed it (or another repair won).</summary>
    public async Task<EngagementRepaired?> RepairIfStoppedAsync(string engagementId, CancellationToken ct = default) =>
        await DiagnoseAsync(engagementId, ct) is { } found ? await RepairAsync(engagementId, found, ct) : null;

    /// <summary>
    /// Repairs an engagement <see cref="DiagnoseAsync"/> found stopped (<paramref name="found"/> says how); null when another
    /// repair won the claim.
    /// </summary>
    public async Task<EngagementRepaired?> RepairAsync(string engagementId, string found, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        if (await store.ClaimRepairAsync(engagementId, found, now, options.Value.MinAge, ct) is not { } snapshot) return null;

        var run = snapshot.State is { } state
            ? new EngagementRun(engagementId, state, snapshot.Version, [.. snapshot.Timers], [.. await store.DeferredInputsAsync(engagementId, ct)], [],
                await UndeliveredAsync(snapshot, now, ct), [.. snapshot.Parked], settings)
            : EngagementRun.New(engagementId, settings); // never got its first step: the start still waits in the inbox
        List<string> old = [engagementId, Engagement.CurrentPartInstanceId(run)];
        if (snapshot.ActiveInstance is { } active && !old.Contains(active)) old.Add(active);
        foreach (var id in old)
        {
            await EngineInstances.StopAsync(client, id, "repaired", ct);
            await client.PurgeInstanceAsync(id, cancellation: ct);
        }
        await client.ScheduleNewOrchestrationInstanceAsync(Names.Orchestrators.Engagement, run, new StartOrchestrationOptions(engagementId), ct);
        if (!await store.ExistsAsync(engagementId, ct))
        {
            // Erased while this repaired it: the erasure may have looked for instances before this one started.
            await EngineInstances.StopAsync(client, engagementId, "erased", ct);
            await client.PurgeInstanceAsync(engagementId, cancellation: ct);
            return null;
        }
        var repaired = new EngagementRepaired(engagementId, snapshot.FirmId, snapshot.Version, found, now);
        LogRepaired(logger, engagementId, snapshot.FirmId, found, snapshot.Version);
        await notices.EngagementRepairedAsync(repaired, ct);
        return repaired;
    }

    /// <summary>
    /// The effects the last step left undelivered (run then, or waiting for a retry in the dead orchestration's memory) whose
    /// own records do not say delivered: the repaired run retries them at once, in their order. Parked ones stay parked.
    /// </summary>
    private async Task<ImmutableList<EffectRetry>> UndeliveredAsync(EngagementSnapshot snapshot, DateTimeOffset now, CancellationToken ct)
    {
        var parked = snapshot.Parked.Select(p => p.Effect.EffectId).ToHashSet(StringComparer.Ordinal);
        var undelivered = ImmutableList.CreateBuilder<EffectToRun>();
        foreach (var effect in snapshot.Pending ?? [])
        {
            if (parked.Contains(effect.EffectId)) continue;
            if (await store.GetEffectAsync(snapshot.EngagementId, effect.EffectId, ct) is { Delivered: true }) continue;
            undelivered.Add(effect);
        }
        return undelivered.Count == 0 ? [] : [new EffectRetry(undelivered.ToImmutable(), 2, now)];
    }

    /// <summary>Why nothing runs the engagement, or null when its orchestration and its current part are alive (or between two parts).</summary>
    private async Task<string?> StoppedAsync(string engagementId, string? activeInstance, CancellationToken ct)
    {
        var engagement = await client.GetInstanceAsync(engagementId, ct);
        if (Stopped(engagement) is { } why) return $"engagement {why}";
        if (activeInstance is null || activeInstance == engagementId) return null;
        var part = await client.GetInstanceAsync(activeInstance, ct);
        // A completed part is the moment between two parts: the engagement's orchestration starts the next one.
        return part is { RuntimeStatus: OrchestrationRuntimeStatus.Completed } ? null : Stopped(part) is { } partWhy ? $"part {partWhy}" : null;
    }

    private static string? Stopped(OrchestrationMetadata? instance) => instance switch
    {
        null => "missing",
        { RuntimeStatus: OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated or OrchestrationRuntimeStatus.Completed } =>
            instance.RuntimeStatus.ToString(),
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Engagement {EngagementId} of firm {FirmId}: nothing ran it ({Found}); started again from the read model at version {Version}")]
    private static partial void LogRepaired(ILogger logger, string engagementId, string firmId, string found, long version);
}

/// <summary>What the engine's client does with instances that the engine and the repair both need.</summary>
internal static class EngineInstances
{
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>Terminates the instance and waits until it has stopped, or is gone (purged meanwhile).</summary>
    /// <remarks>It polls rather than calling WaitForInstanceCompletionAsync, which never returns for an instance purged meanwhile.</remarks>
    public static async Task StopAsync(DurableTaskClient client, string instanceId, string reason, CancellationToken ct)
    {
        var meta = await client.GetInstanceAsync(instanceId, ct);
        if (meta is null || meta.IsCompleted) return;
        await client.TerminateInstanceAsync(instanceId, reason, ct);
        var pause = TimeSpan.FromMilliseconds(50);
        while ((await client.GetInstanceAsync(instanceId, ct)) is { IsCompleted: false })
        {
            await Task.Delay(pause, ct);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPoll.Ticks));
        }
    }
}
