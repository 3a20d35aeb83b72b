using CoachFlow.Web.Documents;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Links;
using CoachFlow.Web.Tenancy;
using CoachFlow.Runtime;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;

namespace CoachFlow.Web.Hosting;

/// <summary>Wires the durable runtime, the engagement definition and its effect handlers into the host.</summary>
public static class RuntimeHosting
{
    public static IServiceCollection AddCoachFlowRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new RuntimeOptions();
        configuration.GetSection("CoachFlow:Storage").Bind(options);
        services.AddSingleton(options);
        services.TryAddSingletonTimeProvider();
        services.AddSingleton(sp => new StorageAccount(sp.GetRequiredService<RuntimeOptions>()));
        services.AddSingleton(ProgramCatalog.BuiltIn);
        services.AddSingleton(sp => new WorkflowRegistry().Add(new EngagementWorkflow(sp.GetRequiredService<ProgramCatalog>())));
        services.AddSingleton(sp =>
        {
            var runtime = ActivatorUtilities.CreateInstance<DurableRuntime>(sp);
            // Handlers read the engagement through the runtime, so they are resolved when an effect runs, not here.
            runtime.Handle<WriteDocument>((ctx, doc, ct) => sp.GetRequiredService<DocumentWriter>().WriteAsync(ctx, doc, ct));
            foreach (var register in sp.GetServices<IEffectRegistration>()) register.Register(runtime);
            return runtime;
        });
        services.AddSingleton<TenancyStore>();
        services.AddSingleton<DocumentStore>();
        services.AddSingleton<DocumentWriter>();
        services.AddSingleton<EngagementService>();
        services.AddSingleton(sp => LinkSigner.CreateAsync(configuration["CoachFlow:Links:SigningKey"], sp.GetRequiredService<StorageAccount>(),
            sp.GetRequiredService<RuntimeOptions>(), sp.GetRequiredService<TimeProvider>()).GetAwaiter().GetResult());
        services.AddHostedService<RuntimeService>();
        return services;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider))) services.AddSingleton(TimeProvider.System);
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", async (StorageAccount storage, CancellationToken ct) =>
        {
            await storage.Instances.GetAccessPoliciesAsync(ct);
            return TypedResults.Ok(new { status = "ok" });
        }).WithName("Health").WithSummary("Liveness and storage reachability");
        return app;
    }
}

/// <summary>Something that handles effects (email, notifications) and registers itself with the runtime.</summary>
public interface IEffectRegistration
{
    void Register(DurableRuntime runtime);
}

/// <summary>
/// Creates the storage resources and, standalone, runs the runtime's background work (work-queue polling,
/// due-timer scan, index writes). Under the Functions host the triggers call the same handlers instead.
/// </summary>
internal sealed class RuntimeService(StorageAccount storage, TenancyStore tenancy, DurableRuntime runtime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await storage.EnsureCreatedAsync(stoppingToken);
        await tenancy.EnsureCreatedAsync(stoppingToken);
        if (CustomHandler.IsActive) await runtime.RunHousekeepingAsync(stoppingToken); // the host's triggers poll and scan
        else await runtime.RunAsync(stoppingToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await runtime.FlushGuardsAsync(TimeSpan.FromSeconds(10));
        await base.StopAsync(cancellationToken);
    }
}
