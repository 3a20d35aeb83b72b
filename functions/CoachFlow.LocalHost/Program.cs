using CoachFlow.LocalHost;
using CoachFlow.Web.Hosting;

// The local host: CoachFlow's HTTP surface and its engagements' orchestrators and activities in one ASP.NET Core
// process, on an in-process Durable Task sidecar over Azurite (see docs/architecture.md, "The local engine").
// The command line (admin, cohort, export, webhooks, demo) is cli/CoachFlow.Cli, not this host.
//
// A development host: ./coachflow run, the tests, the demo and the harness start it with maildev, Azurite and loopback
// URLs. It runs as Development unless DOTNET_ENVIRONMENT or ASPNETCORE_ENVIRONMENT says otherwise; any other
// environment holds it to production settings (ProductionSettings), as the Functions app in Azure always is.
var environment = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } aspnet ? aspnet
    : Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } dotnet ? dotnet
    : Environments.Development;
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, EnvironmentName = environment });
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = WebHosting.MaxRequestBodyBytes);
var storage = HostServices.StorageOptionsFrom(builder.Configuration);
var engine = new LocalEngineOptions
{
    ConnectionString = storage.ConnectionString ?? "UseDevelopmentStorage=true",
    TaskHub = storage.CheckedPrefix,
};
builder.Configuration.GetSection(LocalEngineOptions.Section).Bind(engine);
await using var sidecar = await DurableTaskSidecar.StartAsync(engine);
builder.Services.AddEngagementEngine(sidecar.Address, engine.ConnectionString, storage.CheckedPrefix, concurrency: engine.Concurrency);
builder.Services.AddCoachFlowWeb(builder.Configuration);
builder.Services.AddHostedService<CohortImportWorker>(); // cohort import batches (the Functions app's queue trigger in Azure)
builder.Services.AddHostedService<DataRightsWorker>(); // unfinished erasures and retention (the Functions app's timer trigger in Azure)
builder.Services.AddHostedService<WebhookDeliveryWorker>(); // webhook deliveries (likewise)
builder.Services.AddHostedService<EngineSweepWorker>(); // engagements nothing runs are repaired (likewise)

var app = builder.Build();
app.UseCoachFlowMiddleware();
app.MapCoachFlow();
await app.RunAsync();
