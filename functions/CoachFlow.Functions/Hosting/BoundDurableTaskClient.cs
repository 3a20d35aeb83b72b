using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;

namespace CoachFlow.Functions.Hosting;

/// <summary>
/// The <see cref="DurableTaskClient"/> the app's services get (so <see cref="Orchestrations.EngagementEngine"/> is
/// built as in the local host): it forwards every call to the Functions host's client, which the host hands to each
/// HTTP trigger through its <c>[DurableClient]</c> binding and the trigger passes on with <see cref="Use"/>.
/// </summary>
/// <remarks>
/// Why: in the isolated worker the only way to the host's task hub is the binding (it carries the host's gRPC
/// address); there is no client to resolve from services. The extension caches one client per address, task hub and
/// connection, so every binding hands over the same one. A call made before any HTTP trigger ran in this process (an
/// activity, say) fails with a message saying so: activities write the read model and send effects, and never need it.
/// </remarks>
public sealed class BoundDurableTaskClient() : DurableTaskClient("functions-host")
{
    private DurableTaskClient? _host;

    /// <summary>Hands over the client a <c>[DurableClient]</c> binding gave an invocation.</summary>
    public void Use(DurableTaskClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!ReferenceEquals(client, this)) Volatile.Write(ref _host, client);
    }

    /// <summary>Whether a binding has handed over the host's client yet.</summary>
    public bool IsBound => Volatile.Read(ref _host) is not null;

    private DurableTaskClient Host => Volatile.Read(ref _host) ?? throw new InvalidOperationException(
        "The Functions host's Durable Task client is not known yet: it arrives with the first HTTP trigger's [DurableClient] binding.");

    public override DurableEntityClient Entities => Host.Entities;

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null,
        StartOrchestrationOptions? options = null, CancellationToken cancellation = default) =>
        Host.ScheduleNewOrchestrationInstanceAsync(orchestratorName, input, options, cancellation);

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) =>
        Host.RaiseEventAsync(instanceId, eventName, eventPayload, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Host.WaitForInstanceStartAsync(instanceId, getInputsAndOutputs, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Host.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs, cancellation);

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) =>
        Host.TerminateInstanceAsync(instanceId, options, cancellation);

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        Host.SuspendInstanceAsync(instanceId, reason, cancellation);

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        Host.ResumeInstanceAsync(instanceId, reason, cancellation);

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Host.GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation);

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        Host.GetAllInstancesAsync(filter);

    public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        Host.PurgeInstanceAsync(instanceId, options, cancellation);

    public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        Host.PurgeAllInstancesAsync(filter, options, cancellation);

    public override Task<string> RestartAsync(string instanceId, bool restartWithNewInstanceId = false, CancellationToken cancellation = default) =>
        Host.RestartAsync(instanceId, restartWithNewInstanceId, cancellation);

    public override Task RewindInstanceAsync(string instanceId, string reason, CancellationToken cancellation = default) =>
        Host.RewindInstanceAsync(instanceId, reason, cancellation);

    public override Task<IList<HistoryEvent>> GetOrchestrationHistoryAsync(string instanceId, CancellationToken cancellation = default) =>
        Host.GetOrchestrationHistoryAsync(instanceId, cancellation);

    /// <summary>The host's client belongs to the extension, which disposes it.</summary>
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
