using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Tests;

/// <summary>Stands in for the client a <c>[DurableClient]</c> binding carries: records raised events, supports nothing else.</summary>
internal sealed class RecordingClient() : DurableTaskClient("test-hub")
{
    public List<string> Raised { get; } = [];

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        Raised.Add($"{instanceId}/{eventName}");
        return Task.CompletedTask;
    }

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null,
        CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
