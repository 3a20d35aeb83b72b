using CoachFlow.Runtime;
using CoachFlow.Runtime.Harness;
using Microsoft.Extensions.Logging;

// harness host   — a runtime host process (crash and scale-out tests start it, kill it, start it again)
// harness bench  — the runtime benchmark behind `./coachflow bench runtime`
return args.FirstOrDefault() switch
{
    "host" => await HostMode.RunAsync(),
    "bench" => await Bench.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: harness host | harness bench [--engagements N] [--steps N] [--concurrency N]");
    return 2;
}

internal static class HostMode
{
    /// <summary>
    /// Runs the practice workflow host until stdin closes or the process is killed. Settings come from the
    /// environment: COACHFLOW_STORAGE, COACHFLOW_PREFIX, COACHFLOW_GUARD_SECONDS and COACHFLOW_CRASH_AT
    /// ("point:n" — the process dies at the n-th time it reaches that point of a step).
    /// </summary>
    public static async Task<int> RunAsync()
    {
        var prefix = Environment.GetEnvironmentVariable("COACHFLOW_PREFIX") ?? "coachflow";
        var options = new RuntimeOptions
        {
            ConnectionString = Environment.GetEnvironmentVariable("COACHFLOW_STORAGE"),
            Prefix = prefix,
            GuardDelay = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("COACHFLOW_GUARD_SECONDS") ?? "60", System.Globalization.CultureInfo.InvariantCulture)),
            WorkVisibilityTimeout = TimeSpan.FromSeconds(3),
            MaxPollInterval = TimeSpan.FromMilliseconds(500),
            TimerScanInterval = TimeSpan.FromMilliseconds(500),
            WindowLength = TimeSpan.FromSeconds(1),
        };
        if (Environment.GetEnvironmentVariable("COACHFLOW_CRASH_AT") is { Length: > 0 } crashAt)
        {
            var parts = crashAt.Split(':');
            var point = parts[0];
            var remaining = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
            options.FaultInjector = at =>
            {
                if (at == point && Interlocked.Decrement(ref remaining) == 0)
                {
                    Console.Out.WriteLine($"crashing at {at}");
                    Console.Out.Flush();
                    System.Diagnostics.Process.GetCurrentProcess().Kill(); // SIGKILL: no finally blocks, no flush
                }
            };
        }
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        var storage = new StorageAccount(options);
        await storage.EnsureCreatedAsync();
        var runtime = new DurableRuntime(storage, new WorkflowRegistry().Add(new PracticeWorkflow()).Add(new PracticeWorkflowV2()), options, logger: loggerFactory.CreateLogger<DurableRuntime>());
        var log = await NotifyLog.CreateAsync(storage, prefix);
        log.Attach(runtime);

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        var run = runtime.RunAsync(stop.Token);
        Console.Out.WriteLine("host ready");
        Console.Out.Flush();
        // The parent test closes stdin to stop a host gracefully.
        await Task.Run(() => { while (Console.In.ReadLine() is not null) { } });
        await runtime.FlushGuardsAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await run;
        return 0;
    }
}
