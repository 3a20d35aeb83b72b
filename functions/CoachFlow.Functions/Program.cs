using CoachFlow.Functions.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddCoachFlowRuntime(builder.Configuration);

var app = builder.Build();
app.MapHealth();
app.Run();
