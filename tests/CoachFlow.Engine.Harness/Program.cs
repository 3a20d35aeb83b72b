using System.Collections.Immutable;
using CoachFlow.Engine.Harness;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;

// The engine in a process of its own.
//   serve <storage> <hub>            run until stopped (or killed)
//   burst <storage> <hub> <count>    start <count> engagements (eng-<hub>-1 …), printing "accepted <id>" as each start returns, then serve
//   bench <storage> [--engagements N] [--concurrency N]   the engine benchmark (key: value lines)
//   bench-api <storage> --smtp-port N --inbox URL --app-dll PATH --cli-dll PATH [--engagements N] [--concurrency N] [--program ID]
//                                    the whole local host as a child process, through its API and maildev (key: value lines)
//   bench-cohort <storage> --smtp-port N --inbox URL --app-dll PATH --cli-dll PATH [--rows N]
//                                    a cohort imported through the API while a live engagement's client acts (key: value lines)
//   bench-export <storage> [--engagements N]   a firm of N seeded engagements exported to a file, and a tenth of it (key: value lines)
//   bench-scale <storage> [--sizes 100,1000,10000]   engagements held live at each size, and a bare cohort (key: value lines);
//                                    AZURITE_PIDS (space-separated) names the emulator's processes whose CPU it reads
if (args is [var benchMode and ("bench" or "bench-api" or "bench-cohort" or "bench-export" or "bench-scale"), var benchStorage, .. var rest])
{
    string? Text(string name) => rest.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    int Option(string name, int fallback) => Text(name) is { } v && int.TryParse(v, out var n) && n > 0 ? n : fallback;
    if (benchMode == "bench") return await Bench.RunAsync(benchStorage, Option("--engagements", 200), Option("--concurrency", 16));
    if (benchMode == "bench-export") return await ExportBench.RunAsync(benchStorage, Option("--engagements", 1000));
    if (benchMode == "bench-scale")
    {
        var sizes = (Text("--sizes") ?? "100,1000,10000").Split(',').Select(v => int.TryParse(v, out var n) && n > 0 ? n : 0).ToList();
        if (sizes.Contains(0))
        {
            Console.Error.WriteLine("usage: bench-scale <storage> [--sizes 100,1000,10000] (positive whole numbers, comma-separated)");
            return 2;
        }
        var pids = (Environment.GetEnvironmentVariable("AZURITE_PIDS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => int.TryParse(v, out var pid) ? pid : 0).Where(pid => pid > 0).ToList();
        return await ScaleBench.RunAsync(benchStorage, sizes, pids);
    }
    if (Option("--smtp-port", 0) is not (> 0 and var smtpPort) || Text("--inbox") is not { } inbox || Text("--app-dll") is not { } appDll || Text("--cli-dll") is not { } cliDll)
    {
        Console.Error.WriteLine("usage: bench-api <storage> --smtp-port N --inbox URL --app-dll PATH --cli-dll PATH [--engagements N] [--concurrency N] [--program ID]");
        return 2;
    }
    if (benchMode == "bench-cohort") return await CohortBench.RunAsync(benchStorage, smtpPort, new Uri(inbox), appDll, cliDll, Option("--rows", 1000));
    return await ApiBench.RunAsync(benchStorage, smtpPort, new Uri(inbox), appDll, cliDll, Option("--engagements", 1000), Option("--concurrency", 16),
        Text("--program") ?? ApiBench.DefaultCohortProgram);
}
if (args is not [var mode and ("serve" or "burst"), var storage, var hub, ..])
{
    Console.Error.WriteLine("usage: serve <storage> <hub> | burst <storage> <hub> <count> | bench <storage> [--engagements N] [--concurrency N] | bench-api … (see above)");
    return 2;
}
await using var host = await EngineHost.StartAsync(storage, hub, ProgramCatalog.BuiltIn, leaseInterval: TimeSpan.FromSeconds(10));
Console.WriteLine("ready");
if (mode == "burst")
{
    var count = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
    var terms = new EngagementTerms(60, 0, "EUR", "None", "None", null, "nothing", ImmutableList.Create("A new role"));
    await Parallel.ForEachAsync(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
    {
        var id = $"eng-{hub}-{i}";
        await host.Engine.StartAsync(id, new StartEngagement("firm-1", "coach-ada", $"client-{i}", $"Client {i}", $"client{i}@example.test", "career-6", terms), "start", ct);
        Console.WriteLine($"accepted {id}");
    });
    Console.WriteLine("all accepted");
}
await Task.Delay(Timeout.Infinite);
return 0;
