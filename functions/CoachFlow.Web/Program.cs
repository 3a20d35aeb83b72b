using CoachFlow.Web.ClientPages;
using CoachFlow.Web.Email;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;

if (args is ["admin", ..]) return await AdminCommands.RunAsync(args[1..]);
if (args is ["demo", var appUrl, var token, var inboxUrl]) return await DemoCommand.RunAsync(new Uri(appUrl), token, new Uri(inboxUrl), TimeSpan.FromMinutes(10));

var builder = WebApplication.CreateBuilder(args);
if (CustomHandler.IsActive)
    builder.WebHost.UseUrls($"http://127.0.0.1:{Environment.GetEnvironmentVariable(CustomHandler.PortVariable)}");
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
builder.Services.AddProblemDetails();
// Bad requests (unreadable JSON, wrong types, too large) throw, so Problems turns them into a problem with a reason.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
// Anything a client or coach typed goes out with <, >, & and quotes escaped, even inside JSON.
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default);
builder.Services.AddOpenApi();
builder.Services.AddCoachFlowRuntime(builder.Configuration);
builder.Services.AddCoachFlowEmail(builder.Configuration);
builder.Services.AddSharedDataProtection();
builder.Services.AddCoachFlowTelemetry(builder.Configuration);
builder.Services.AddClientPages();

var app = builder.Build();
app.UseProblems();
app.UseProblemStatusPages();
app.UseCallers(); // before any endpoint reads a body: no valid token is a 401 whatever the request carries
app.MapOpenApi();
app.MapHealth();
app.MapEngagementsApi();
app.MapSendGridWebhook();
app.MapClientPages();
app.MapFunctionsTriggers();
app.Run();
return 0;
