using CoachFlow.Functions.Http;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Hosting;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace CoachFlow.Functions.Hosting;

/// <summary>The Functions app: CoachFlow's HTTP surface and engine, wired into the .NET isolated worker.</summary>
public static class FunctionsHosting
{
    /// <summary>
    /// Everything the app runs: the worker's ASP.NET Core integration (HTTP triggers get the real
    /// <c>HttpContext</c>), <see cref="WebHosting.AddCoachFlowWeb"/> with the dispatch into its endpoints, the
    /// engine's services, and the engagement's orchestrators and activities registered with the Durable Functions
    /// worker under the names the local host registers them by.
    /// </summary>
    public static FunctionsApplicationBuilder AddCoachFlowFunctions(this FunctionsApplicationBuilder builder)
    {
        builder.ConfigureFunctionsWebApplication();
        // The worker's own Kestrel receives each request from the Functions host: the same body limit as the local host's.
        builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = WebHosting.MaxRequestBodyBytes);
        builder.Services.AddCoachFlowWeb(builder.Configuration);
        builder.Services.AddRouting();
        builder.Services.AddSingleton<HttpDispatch>();

        var programs = ProgramCatalog.BuiltIn;
        var rules = new EngagementWorkflow(programs);
        builder.Services.AddEngagementEngine(builder.Configuration, programs, rules);
        // Class-based orchestrators and activities, run by the extension's own functions (one per registered name,
        // declared to the host at start-up): the classes of CoachFlow.Orchestrations themselves, no wrappers.
        builder.ConfigureDurableWorker()
            .AddTasks(registry => registry.AddEngagementTasks(rules))
            // The host applies host.json's versioning to what it hands this worker; here the same version is what a
            // part started as a sub-orchestration records (see host.json and EngineVersion).
            .UseVersioning(new DurableTaskWorkerOptions.VersioningOptions
            {
                Version = EngineVersion.Current,
                DefaultVersion = EngineVersion.Current,
                MatchStrategy = DurableTaskWorkerOptions.VersionMatchStrategy.CurrentOrOlder,
                FailureStrategy = DurableTaskWorkerOptions.VersionFailureStrategy.Reject,
            });
        return builder;
    }
}
