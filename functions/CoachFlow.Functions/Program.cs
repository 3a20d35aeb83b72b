using CoachFlow.Functions.ClientPages;
using CoachFlow.Functions.Email;
using CoachFlow.Functions.Engagements;
using CoachFlow.Functions.Hosting;

if (args is ["admin", ..]) return await AdminCommands.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(args);
if (CustomHandler.IsActive)
    builder.WebHost.UseUrls($"http://127.0.0.1:{Environment.GetEnvironmentVariable(CustomHandler.PortVariable)}");
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddCoachFlowRuntime(builder.Configuration);
builder.Services.AddCoachFlowEmail(builder.Configuration);
builder.Services.AddClientPages();

var app = builder.Build();
app.UseProblems();
app.UseStatusCodePages();
app.MapOpenApi();
app.MapHealth();
app.MapEngagementsApi();
app.MapClientPages();
app.MapFunctionsTriggers();
app.Run();
return 0;
