using System.CommandLine;
using CoachFlow.Cli;

// CoachFlow's command line: ./coachflow admin|cohort|export|webhooks|demo runs `dotnet CoachFlow.Cli.dll <command> …`,
// on the storage the app uses (CoachFlow__Storage__…, from the environment).
var root = new RootCommand("CoachFlow's command line: ./coachflow admin|cohort|export|webhooks|demo")
{
    AdminCommands.Create(), CohortCommand.Create(), ExportCommand.Create(), WebhookCommand.Create(), DemoCommand.Create(),
};
return await CommandRunner.InvokeAsync(root, args);
