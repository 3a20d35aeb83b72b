using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Documents;
using CoachFlow.Web.Effects;
using CoachFlow.Web.Email;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Links;
using CoachFlow.Web.Tenancy;
using Microsoft.AspNetCore.Mvc;

namespace CoachFlow.Web.Hosting;

/// <summary>
/// The host's services around the engine: storage, tenancy, links, documents, and the engagement's effects.
/// The engine itself (<see cref="EngagementEngine"/>, <see cref="EngagementStore"/>, the rules and programs) comes
/// from the host: <c>AddEngagementEngine</c> locally, the Durable Functions extension in Azure.
/// </summary>
public static class HostServices
{
    public static IServiceCollection AddCoachFlowServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCoachFlowOptions(configuration);
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider))) services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new StorageAccount(sp.GetRequiredService<StorageOptions>()));
        services.AddSingleton(sp => new TenancyStore(sp.GetRequiredService<StorageAccount>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<EmailOptions>()));
        services.AddSingleton<DocumentStore>();
        services.AddSingleton<DocumentWriter>();
        services.AddSingleton<EngagementService>();
        services.AddSingleton<IEngagementEffects, EngagementEffects>();
        services.AddSingleton<IEngagementNotices, EngagementNotices>(); // replaces the engine's default, which tells nobody
        services.AddSingleton(sp => LinkSigner.CreateAsync(sp.GetRequiredService<LinkSigningOptions>().SigningKey, sp.GetRequiredService<StorageAccount>(),
            sp.GetRequiredService<TimeProvider>()).GetAwaiter().GetResult());
        services.AddHostedService<StorageSetup>();
        return services;
    }

    /// <summary>The <see cref="StorageOptions.Section"/> section, for what reads it before there are services (the command line, the local engine).</summary>
    public static StorageOptions StorageOptionsFrom(IConfiguration configuration) =>
        configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", async ([FromServices] EngagementStore store, CancellationToken ct) =>
        {
            await store.Engagements.GetAccessPoliciesAsync(ct);
            return TypedResults.Ok(new { status = "ok" });
        }).WithName("Health").WithSummary("Liveness and storage reachability");
        return app;
    }
}

/// <summary>Creates the tables and containers the host keeps (idempotent), before the first request needs them.</summary>
internal sealed class StorageSetup(StorageAccount storage, TenancyStore tenancy, EngagementStore engagements) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        await tenancy.EnsureCreatedAsync(cancellationToken);
        await engagements.EnsureCreatedAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
