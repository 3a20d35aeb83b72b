using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CoachFlow.LocalHost;

/// <summary>What the local engine did: orchestration episodes, and every storage request (the provider's and the read model's).</summary>
public sealed class EngineCounters
{
    private long _episodes;
    private long _storageRequests;

    /// <summary>Orchestration episodes completed (one work item of one orchestration: a replay step).</summary>
    public long Episodes => Interlocked.Read(ref _episodes);

    /// <summary>Storage requests sent, retries included.</summary>
    public long StorageRequests => Interlocked.Read(ref _storageRequests);

    internal void CountEpisode() => Interlocked.Increment(ref _episodes);

    private long _activityTwinsHeldBack;

    /// <summary>Activity work items put back because a twin (same instance and task id) was running (see <see cref="SidecarBackend"/>).</summary>
    public long ActivityTwinsHeldBack => Interlocked.Read(ref _activityTwinsHeldBack);

    internal void CountActivityTwinHeldBack() => Interlocked.Increment(ref _activityTwinsHeldBack);

    private readonly ConcurrentDictionary<(string Host, int Port), long> _byEndpoint = new();

    /// <summary>
    /// Storage requests by the endpoint they went to, so a benchmark can tell the queue, table and blob services apart
    /// (they are priced differently).
    /// </summary>
    public IReadOnlyDictionary<(string Host, int Port), long> StorageRequestsByEndpoint => new Dictionary<(string Host, int Port), long>(_byEndpoint);

    private void CountRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _storageRequests);
        _byEndpoint.AddOrUpdate((message.Request.Uri.Host ?? "", message.Request.Uri.Port), 1, static (_, n) => n + 1);
    }

    /// <summary>An Azure SDK pipeline policy that counts each request it sees; add it to every storage client's options.</summary>
    public HttpPipelinePolicy StoragePolicy => new CountingPolicy(this);

    private sealed class CountingPolicy(EngineCounters counters) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            counters.CountRequest(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            counters.CountRequest(message);
            return ProcessNextAsync(message, pipeline);
        }
    }
}
