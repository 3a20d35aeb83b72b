using CoachFlow.Runtime;

namespace CoachFlow.Functions.Hosting;

/// <summary>Wires the durable runtime into the host: storage from configuration, background work standalone.</summary>
public static class RuntimeHosting
{
    public static IServiceCollection AddCoachFlowRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new RuntimeOptions();
        configuration.GetSection("CoachFlow:Storage").Bind(options);
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new StorageAccount(sp.GetRequiredService<RuntimeOptions>()));
        // Definitions register here as capabilities arrive (the engagement lifecycle).
        services.AddSingleton(new WorkflowRegistry());
        services.AddSingleton<DurableRuntime>();
        services.AddHostedService<RuntimeService>();
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", async (StorageAccount storage, CancellationToken ct) =>
        {
            await storage.Instances.GetAccessPoliciesAsync(ct);
            return TypedResults.Ok(new { status = "ok" });
        }).WithName("Health");
        return app;
    }
}

/// <summary>
/// Creates the storage resources and, standalone, runs the runtime's background work (work-queue polling,
/// due-timer scan, index writes). Under the Functions host the triggers call the same handlers instead.
/// </summary>
internal sealed class RuntimeService(StorageAccount storage, DurableRuntime runtime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await storage.EnsureCreatedAsync(stoppingToken);
        await runtime.RunAsync(stoppingToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await runtime.FlushGuardsAsync(TimeSpan.FromSeconds(10));
        await base.StopAsync(cancellationToken);
    }
}
