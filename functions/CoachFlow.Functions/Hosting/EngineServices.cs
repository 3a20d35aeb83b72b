using Azure.Data.Tables;
using Azure.Identity;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace CoachFlow.Functions.Hosting;

/// <summary>What <see cref="EngagementEngine"/> and the activities need in the Functions app.</summary>
public static class EngineServices
{
    /// <summary>The read model's table prefix when <c>CoachFlow:Storage:Prefix</c> is not set (CoachFlow.Web's default too).</summary>
    public const string DefaultPrefix = "coachflow";

    /// <summary>
    /// The engine's services. The read model lives where CoachFlow.Web keeps its data (<c>CoachFlow:Storage</c>:
    /// <c>TableUri</c> with the app's managed identity in Azure, else <c>ConnectionString</c>, Azurite by default;
    /// <c>Prefix</c>). The <see cref="DurableTaskClient"/> is the Functions host's (<see cref="BoundDurableTaskClient"/>);
    /// the host adds <see cref="IEngagementEffects"/> (CoachFlow.Web's effects).
    /// </summary>
    public static IServiceCollection AddEngagementEngine(this IServiceCollection services, IConfiguration configuration, ProgramCatalog programs, EngagementWorkflow rules)
    {
        var storage = CoachFlow.Web.Hosting.HostServices.StorageOptionsFrom(configuration);
        var tables = storage.TableUri is { } tableUri
            ? new TableServiceClient(tableUri, new DefaultAzureCredential())
            : new TableServiceClient(storage.ConnectionString is { Length: > 0 } cs ? cs : "UseDevelopmentStorage=true");
        services.AddSingleton(programs);
        services.AddSingleton(rules);
        services.TryAddSingleton(EngineSettings.Default);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new EngagementStore(tables, storage.Prefix is { Length: > 0 } ? storage.CheckedPrefix : DefaultPrefix));
        services.AddHostedService<ReadModelTables>();
        services.AddSingleton<EffectSequence>();
        services.TryAddSingleton<IEngagementNotices>(NoEngagementNotices.Instance); // CoachFlow.Web adds its own (emails to firm admins)
        services.AddSingleton<BoundDurableTaskClient>();
        services.AddSingleton<DurableTaskClient>(sp => sp.GetRequiredService<BoundDurableTaskClient>());
        services.AddOptions<EngineSweepOptions>().BindConfiguration(EngineSweepOptions.Section);
        services.TryAddSingleton<EngagementRepair>();
        services.TryAddSingleton<EngagementSweep>();
        services.TryAddSingleton<EngagementEngine>();
        return services;
    }

    /// <summary>Creates the read model's tables as the worker starts (the local host does the same before it starts).</summary>
    private sealed class ReadModelTables(EngagementStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.EnsureCreatedAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
