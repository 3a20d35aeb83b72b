using DurableTask.Core;
using DurableTask.Core.History;
using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;

namespace CoachFlow.Orchestrations.Tests.Replay;

/// <summary>
/// The histories of one whole engagement as the engine stored them: the engagement's orchestration and every part's,
/// each generation of a part that continued as new (Maintenance) included.
/// </summary>
/// <param name="Scenario">What the coach and client did, in a sentence.</param>
/// <param name="EngineVersion">The orchestrations' version that recorded it.</param>
public sealed record RecordedEngagement(string EngagementId, string Scenario, string EngineVersion, List<RecordedInstance> Instances)
{
    /// <summary>
    /// History events are written as the Durable Task Framework writes them (Newtonsoft.Json, each event's type named),
    /// and read back only as types of DurableTask.Core or these records.
    /// </summary>
    private static readonly JsonSerializerSettings Settings = new()
    {
        TypeNameHandling = TypeNameHandling.Auto,
        SerializationBinder = new CoreHistoryOnly(),
        Formatting = Formatting.Indented,
        DateTimeZoneHandling = DateTimeZoneHandling.Utc,
        NullValueHandling = NullValueHandling.Ignore,
    };

    public string ToJson() => JsonConvert.SerializeObject(this, Settings);

    public static RecordedEngagement FromJson(string json) =>
        JsonConvert.DeserializeObject<RecordedEngagement>(json, Settings) ?? throw new InvalidDataException("An empty recording.");

    private sealed class CoreHistoryOnly : ISerializationBinder
    {
        private readonly DefaultSerializationBinder _default = new();

        public Type BindToType(string? assemblyName, string typeName)
        {
            var type = _default.BindToType(assemblyName, typeName);
            return type.Assembly == typeof(HistoryEvent).Assembly || type.Assembly == typeof(CoreHistoryOnly).Assembly
                ? type
                : throw new JsonSerializationException($"A recorded history names {typeName}, which is not a Durable Task history type.");
        }

        public void BindToName(Type serializedType, out string? assemblyName, out string? typeName) =>
            _default.BindToName(serializedType, out assemblyName, out typeName);
    }
}

/// <summary>One orchestration instance (the engagement, or one part) and its generations, oldest first.</summary>
public sealed record RecordedInstance(string InstanceId, string Name, List<RecordedGeneration> Generations);

/// <summary>One execution of an instance: its history as stored after its last stored episode.</summary>
/// <param name="ContinuedAsNew">
/// For a generation that continued as new: its last episode, which the engine never stores (the next generation
/// replaces it in the same work item).
/// </param>
public sealed record RecordedGeneration(string ExecutionId, List<HistoryEvent> History, RecordedContinuation? ContinuedAsNew);

/// <summary>The last episode of a generation that continued as new: when it ran and the events it took.</summary>
public sealed record RecordedContinuation(DateTime At, List<HistoryEvent> Events);

/// <summary>
/// Records the histories of a real engine's orchestrations as the provider stores them, episode by episode
/// (<see cref="CoachFlow.LocalHost.LocalEngineOptions.EpisodeStored"/>).
/// </summary>
/// <remarks>
/// The Azure Storage provider keeps only an instance's latest generation (a continue-as-new writes the new one over
/// it), so earlier generations are kept here as they are stored. The sidecar runs a generation's last episode and
/// the next generation's first in one work item and stores only the latter: that last episode is recorded from the
/// work item's messages, at the time the next generation started (the same work item, milliseconds apart).
/// </remarks>
public sealed class HistoryRecorder
{
    private readonly Lock _gate = new();
    private readonly List<RecordedInstance> _instances = [];

    public void EpisodeStored(TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState state)
    {
        var instanceId = state.OrchestrationInstance?.InstanceId ?? workItem.InstanceId;
        var executionId = state.OrchestrationInstance?.ExecutionId ?? "";
        lock (_gate)
        {
            var instance = _instances.Find(i => i.InstanceId == instanceId);
            if (instance is null) _instances.Add(instance = new RecordedInstance(instanceId, state.Name, []));
            var generations = instance.Generations;
            if (generations.Count > 0 && generations[^1].ExecutionId != executionId)
                generations[^1] = generations[^1] with { ContinuedAsNew = new(state.Events[0].Timestamp, [.. workItem.NewMessages.Select(m => m.Event)]) };
            if (generations.Count == 0 || generations[^1].ExecutionId != executionId) generations.Add(new RecordedGeneration(executionId, [], null));
            generations[^1] = generations[^1] with { History = [.. state.Events] };
        }
    }

    /// <summary>What was recorded of one engagement: its own orchestration first, then its parts in the order they started.</summary>
    public RecordedEngagement For(string engagementId, string scenario)
    {
        lock (_gate)
        {
            var instances = _instances.Where(i => i.InstanceId == engagementId || i.InstanceId.StartsWith($"{engagementId}:", StringComparison.Ordinal))
                .OrderBy(i => i.InstanceId == engagementId ? 0 : 1)
                .Select(i => i with { Generations = [.. i.Generations] })
                .ToList();
            return new RecordedEngagement(engagementId, scenario, CoachFlow.Orchestrations.EngineVersion.Current, instances);
        }
    }
}
