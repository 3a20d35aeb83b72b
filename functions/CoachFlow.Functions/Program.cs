using CoachFlow.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.AddCoachFlowFunctions();
builder.Build().Run();
