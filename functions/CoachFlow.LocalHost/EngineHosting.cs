using Azure.Data.Tables;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CoachFlow.LocalHost;

/// <summary>Registers CoachFlow's orchestrators and activities (by their names in <see cref="Names"/>) and the engine around them.</summary>
public static class EngineHosting
{
    /// <summary>
    /// The engine for a host process: the Durable Task worker running every engagement task and the client,
    /// both on <paramref name="sidecar"/>; the read model in <paramref name="storageConnectionString"/> under
    /// <paramref name="prefix"/>. The host adds its <see cref="IEngagementEffects"/>.
    /// </summary>
    public static IServiceCollection AddEngagementEngine(this IServiceCollection services, Uri sidecar, string storageConnectionString, string prefix,
        ProgramCatalog? programs = null, EngineSettings? settings = null, int concurrency = 100, EngineCounters? counters = null,
        Action<DurableTaskRegistry>? moreTasks = null, string version = EngineVersion.Current, Azure.Core.Pipeline.HttpPipelinePolicy? tablePolicy = null)
    {
        var rules = new EngagementWorkflow(programs ?? ProgramCatalog.BuiltIn);
        services.AddSingleton(programs ?? ProgramCatalog.BuiltIn);
        services.AddSingleton(rules);
        services.AddSingleton(settings ?? EngineSettings.Default);
        var tableOptions = new TableClientOptions();
        if (counters is not null) tableOptions.AddPolicy(counters.StoragePolicy, Azure.Core.HttpPipelinePosition.PerRetry);
        // A test's seam into the read model's storage (faults injected on the wire); no host sets it.
        if (tablePolicy is not null) tableOptions.AddPolicy(tablePolicy, Azure.Core.HttpPipelinePosition.PerCall);
        services.AddSingleton(new EngagementStore(new TableServiceClient(storageConnectionString, tableOptions), prefix));
        services.AddSingleton<EffectSequence>();
        services.TryAddSingleton<IEngagementNotices>(NoEngagementNotices.Instance); // CoachFlow.Web adds its own (emails to firm admins)
        services.AddOptions<EngineSweepOptions>().BindConfiguration(EngineSweepOptions.Section);
        services.AddSingleton<EngagementRepair>();
        services.AddSingleton<EngagementSweep>();
        services.AddSingleton<EngagementEngine>();
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider))) services.AddSingleton(TimeProvider.System);
        services.AddDurableTaskWorker(b =>
        {
            b.AddTasks(r =>
            {
                r.AddEngagementTasks(rules);
                moreTasks?.Invoke(r);
            });
            b.UseGrpc(sidecar.ToString());
            // This deployment runs engagements of its own version and older ones, and leaves newer ones for a newer deployment.
            b.UseVersioning(new DurableTaskWorkerOptions.VersioningOptions
            {
                Version = version,
                DefaultVersion = version,
                MatchStrategy = DurableTaskWorkerOptions.VersionMatchStrategy.CurrentOrOlder,
                FailureStrategy = DurableTaskWorkerOptions.VersionFailureStrategy.Reject,
            });
            b.Configure(o =>
            {
                o.Concurrency.MaximumConcurrentOrchestrationWorkItems = concurrency;
                o.Concurrency.MaximumConcurrentActivityWorkItems = concurrency;
            });
        });
        services.AddDurableTaskClient(b =>
        {
            b.UseGrpc(sidecar.ToString());
            b.UseDefaultVersion(version); // new engagements record the version that started them
        });
        return services;
    }
}
