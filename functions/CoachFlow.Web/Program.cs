using CoachFlow.Web.Hosting;

if (args is ["admin", ..]) return await AdminCommands.RunAsync(args[1..]);
if (args is ["demo", var appUrl, var token, var inboxUrl]) return await DemoCommand.RunAsync(new Uri(appUrl), token, new Uri(inboxUrl), TimeSpan.FromMinutes(10));

var builder = WebApplication.CreateBuilder(args);
if (CustomHandler.IsActive)
    builder.WebHost.UseUrls($"http://127.0.0.1:{Environment.GetEnvironmentVariable(CustomHandler.PortVariable)}");
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = WebHosting.MaxRequestBodyBytes);
builder.Services.AddCoachFlowWeb(builder.Configuration);

var app = builder.Build();
app.UseCoachFlowMiddleware();
app.MapCoachFlow();
app.MapFunctionsTriggers();
app.Run();
return 0;
