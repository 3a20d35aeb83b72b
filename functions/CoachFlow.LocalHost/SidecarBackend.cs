using System.Collections.Concurrent;
using System.Reflection;
using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Query;

namespace CoachFlow.LocalHost;

/// <summary>
/// The Azure Storage provider, as the sidecar sees it. It counts orchestration episodes (for the benchmark), and
/// makes one repair: the preview sidecar hands the tags of a
/// sub-orchestration (and of some other history events) to the provider as a protobuf <c>MapField</c>, which the
/// provider writes with its .NET type name and then cannot read back, so every sub-orchestration's start message
/// fails. Tags are copied into a plain dictionary on the way in; everything else is passed through unchanged.
/// </summary>
/// <remarks>
/// Measured here: without it, no sub-orchestration ever starts. Remove it once the sidecar converts tags itself.
/// It also keeps two runs of one activity from being handed to the sidecar at once (see <see cref="LockNextTaskActivityWorkItem"/>).
/// </remarks>
internal sealed partial class SidecarBackend(IOrchestrationService service, EngineCounters counters, ILogger<SidecarBackend>? logger = null,
    Action<TaskOrchestrationWorkItem, OrchestrationRuntimeState>? episodeStored = null)
    : IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    /// <summary>The activities handed to the sidecar and not yet completed or abandoned: the sidecar's key, and the work item's message id.</summary>
    private readonly ConcurrentDictionary<string, string> _activitiesInFlight = new(StringComparer.Ordinal);

    /// <summary>
    /// The next activity work item, unless one with the same instance and task id is already running here. The sidecar
    /// awaits each activity's result under the key instance id + task id (not the execution, not the message) and adds
    /// that key with <c>TryAdd</c>: a second work item with the same key while the first runs is never answered, and its
    /// result completes the first one's wait instead. The Azure Storage provider does deliver such twins after a crash
    /// (an episode that sent its messages and died before its checkpoint is replayed and schedules the task again; a
    /// sub-orchestration started again under its id schedules its task 0 again). Seen here once in the cohort crash test
    /// under load: the worker's completions of one contract sub-orchestration's activity were refused ("Activity not
    /// found") and that client's contract email never went. So the twin is put back (abandoned: the provider shows it
    /// again after a back-off) and runs once the first is done; its result, a duplicate, is one the orchestration
    /// ignores, as it ignores any at-least-once repeat. Not reproduced on demand; <see cref="EngineCounters.ActivityTwinsHeldBack"/>
    /// and an Information log line count each time it acts.
    /// </summary>
    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        var item = await service.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
        if (item is null || ActivityKey(item) is not { } key || _activitiesInFlight.TryAdd(key, item.Id)) return item!;
        counters.CountActivityTwinHeldBack();
        if (logger is not null) LogTwinHeldBack(logger, item.TaskMessage.OrchestrationInstance.InstanceId, ((TaskScheduledEvent)item.TaskMessage.Event).EventId);
        await service.AbandonTaskActivityWorkItemAsync(item);
        return null!; // the dispatcher asks again
    }

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        try
        {
            await service.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
        }
        finally
        {
            Release(workItem);
        }
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        try
        {
            await service.AbandonTaskActivityWorkItemAsync(workItem);
        }
        finally
        {
            Release(workItem);
        }
    }

    private void Release(TaskActivityWorkItem workItem)
    {
        if (ActivityKey(workItem) is { } key) _activitiesInFlight.TryRemove(KeyValuePair.Create(key, workItem.Id));
    }

    private static string? ActivityKey(TaskActivityWorkItem item) =>
        item.TaskMessage?.Event is TaskScheduledEvent scheduled && item.TaskMessage.OrchestrationInstance?.InstanceId is { } instanceId
            ? string.Concat(instanceId, "_", scheduled.EventId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Activity task {TaskId} of {InstanceId} is already running here: its twin waits until that run is done")]
    private static partial void LogTwinHeldBack(ILogger logger, string instanceId, int taskId);

    private static readonly ConcurrentDictionary<Type, PropertyInfo?> TagsProperty = new();
    private readonly IOrchestrationServiceClient _client = (IOrchestrationServiceClient)service;

    private static void Repair(HistoryEvent? e)
    {
        if (e is null) return;
        var property = TagsProperty.GetOrAdd(e.GetType(), t => t.GetProperty("Tags", typeof(IDictionary<string, string>)) is { CanWrite: true } p ? p : null);
        if (property?.GetValue(e) is IDictionary<string, string> tags && tags.GetType() != typeof(Dictionary<string, string>))
            property.SetValue(e, new Dictionary<string, string>(tags));
    }

    /// <summary>
    /// The sidecar records some events as subclasses of its own (e.g. a sub-orchestration's creation), which the
    /// provider's table writer does not know and stores as an empty row; they are stored as the core event they extend.
    /// </summary>
    private static void AsCoreEvents(IList<HistoryEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var type = e.GetType();
            if (type.Assembly == CoreAssembly)
            {
                Repair(e); // a core event can still carry the sidecar's tags
                continue;
            }
            var core = type.BaseType;
            while (core is not null && core.Assembly != CoreAssembly) core = core.BaseType;
            if (core is null) continue;
            var copy = (HistoryEvent)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(core);
            for (var t = core; t is not null && t != typeof(object); t = t.BaseType)
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    field.SetValue(copy, field.GetValue(e));
            Repair(copy);
            events[i] = copy;
        }
    }

    private static readonly Assembly CoreAssembly = typeof(HistoryEvent).Assembly;

    private static void Repair(IEnumerable<TaskMessage>? messages)
    {
        foreach (var m in messages ?? []) Repair(m.Event);
    }

    public async Task CompleteTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages, IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        counters.CountEpisode();
        Repair(outboundMessages);
        Repair(orchestratorMessages);
        Repair(timerMessages);
        Repair(continuedAsNewMessage?.Event);
        if (newOrchestrationRuntimeState is not null)
        {
            AsCoreEvents(newOrchestrationRuntimeState.NewEvents);
            AsCoreEvents(newOrchestrationRuntimeState.Events);
        }
        await service.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages,
            continuedAsNewMessage, orchestrationState);
        if (newOrchestrationRuntimeState is not null) episodeStored?.Invoke(workItem, newOrchestrationRuntimeState);
    }

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage)
    {
        Repair(creationMessage.Event);
        return _client.CreateTaskOrchestrationAsync(creationMessage);
    }

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[] dedupeStatuses)
    {
        Repair(creationMessage.Event);
        return _client.CreateTaskOrchestrationAsync(creationMessage, dedupeStatuses);
    }

    // Everything below passes straight through.
    public int TaskOrchestrationDispatcherCount => service.TaskOrchestrationDispatcherCount;
    public int MaxConcurrentTaskOrchestrationWorkItems => service.MaxConcurrentTaskOrchestrationWorkItems;
    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => service.EventBehaviourForContinueAsNew;
    public int TaskActivityDispatcherCount => service.TaskActivityDispatcherCount;
    public int MaxConcurrentTaskActivityWorkItems => service.MaxConcurrentTaskActivityWorkItems;
    public Task StartAsync() => service.StartAsync();
    public Task StopAsync() => StopAsync(isForced: false);

    /// <summary>
    /// Stops the provider once, however many callers ask: the sidecar stops it from an application-stopping callback
    /// whose exceptions end the process, and the host stops it again on dispose. Two overlapping stops made the
    /// provider's lease manager throw a NullReferenceException, which crashed a test host (measured); a stop is
    /// the end of the process's work either way, so what a racing stop throws is logged by the caller, never fatal.
    /// </summary>
    public Task StopAsync(bool isForced)
    {
        lock (_stopLock) return _stopping ??= StopOnceAsync(isForced);
    }

    private readonly object _stopLock = new();
    private Task? _stopping;

    private async Task StopOnceAsync(bool isForced)
    {
        try
        {
            // With storage gone (Azurite stopped with the app, as Ctrl+C on ./coachflow run does), the provider's stop
            // retries releasing its leases for ever and the process never exits (measured). Leases expire by themselves
            // and taken messages reappear, so a stop that takes longer is left behind.
            await service.StopAsync(isForced).WaitAsync(StopTimeout);
        }
        catch (Exception ex) when (ex is NullReferenceException or ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            StopFailure = ex;
        }
    }

    /// <summary>How long a stop waits for the provider to release its leases.</summary>
    internal static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>What a racing stop of the provider threw, or the timeout it hit, if anything (kept for diagnosis).</summary>
    public Exception? StopFailure { get; private set; }
    public Task CreateAsync() => service.CreateAsync();
    public Task CreateAsync(bool recreateInstanceStore) => service.CreateAsync(recreateInstanceStore);
    public Task CreateIfNotExistsAsync() => service.CreateIfNotExistsAsync();
    public Task DeleteAsync() => service.DeleteAsync();
    public Task DeleteAsync(bool deleteInstanceStore) => service.DeleteAsync(deleteInstanceStore);
    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => service.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);
    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => service.GetDelayInSecondsAfterOnProcessException(exception);
    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => service.GetDelayInSecondsAfterOnFetchException(exception);
    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) => service.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);
    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => service.RenewTaskOrchestrationWorkItemLockAsync(workItem);
    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => service.AbandonTaskOrchestrationWorkItemAsync(workItem);
    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => service.ReleaseTaskOrchestrationWorkItemAsync(workItem);
    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => service.RenewTaskActivityWorkItemLockAsync(workItem);
    public Task SendTaskOrchestrationMessageAsync(TaskMessage message) => _client.SendTaskOrchestrationMessageAsync(message);
    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages) => _client.SendTaskOrchestrationMessageBatchAsync(messages);
    public Task<OrchestrationState> WaitForOrchestrationAsync(string instanceId, string executionId, TimeSpan timeout, CancellationToken cancellationToken) => _client.WaitForOrchestrationAsync(instanceId, executionId, timeout, cancellationToken);
    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason) => _client.ForceTerminateTaskOrchestrationAsync(instanceId, reason);
    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions) => _client.GetOrchestrationStateAsync(instanceId, allExecutions);
    public Task<OrchestrationState> GetOrchestrationStateAsync(string instanceId, string executionId) => _client.GetOrchestrationStateAsync(instanceId, executionId);
    public Task<string> GetOrchestrationHistoryAsync(string instanceId, string executionId) => _client.GetOrchestrationHistoryAsync(instanceId, executionId);
    public Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType) => _client.PurgeOrchestrationHistoryAsync(thresholdDateTimeUtc, timeRangeFilterType);
    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken) => ((IOrchestrationServiceQueryClient)service).GetOrchestrationWithQueryAsync(query, cancellationToken);
    public Task<PurgeResult> PurgeInstanceStateAsync(string instanceId) => ((IOrchestrationServicePurgeClient)service).PurgeInstanceStateAsync(instanceId);
    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter) => ((IOrchestrationServicePurgeClient)service).PurgeInstanceStateAsync(purgeInstanceFilter);
}
