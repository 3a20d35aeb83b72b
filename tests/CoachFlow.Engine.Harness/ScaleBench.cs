using System.Collections.Concurrent;
using System.Diagnostics;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using Microsoft.DurableTask;

namespace CoachFlow.Engine.Harness;

/// <summary>
/// How cost grows with a firm's book: for each size, that many engagements started and held live (each waiting on
/// its client's signature, its reminder timer pending), then a bare Durable Task cohort of the same size with the
/// same episodes and one pending timer each. The engine runs in this process as the local host runs it (4
/// partitions, polling backing off to 1 s) with <see cref="TableEffects"/> recording each email; each size has a
/// task hub of its own on the same Azurite, so the earlier sizes' messages and rows stay in the emulator. Prints
/// <c>key: value</c> lines.
/// </summary>
internal static class ScaleBench
{
    private const int Concurrency = 16;
    private const int ActionSamples = 20;
    private const int WarmUp = 30;
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The bare client: <c>input</c> activities one after another, then a timer a month away, so it ends as a
    /// waiting engagement does (input + 1 episodes, one timer message pending).
    /// </summary>
    private sealed class BareClient : TaskOrchestrator<int, int>
    {
        public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
        {
            for (var i = 0; i < input; i++) await context.CallActivityAsync<int>(nameof(Bench.Noop), i);
            await context.CreateTimer(context.CurrentUtcDateTime.AddDays(30), CancellationToken.None);
            return input;
        }
    }

    private sealed record Size(int N, double StartS, double CpuMsPerEngagement, double AzuriteCpuMsPerEngagement, double EpisodesPerEngagement,
        double MemoryMb, double P50, double P95, double BareS,
        IReadOnlyDictionary<string, double> OpsPerEngagementByService, IReadOnlyDictionary<string, double> IdleOpsPerMinuteByService);

    public static async Task<int> RunAsync(string storage, IReadOnlyList<int> sizes, IReadOnlyList<int> azuritePids)
    {
        var run = $"{DateTime.UtcNow.Ticks % 1_000_000_000}";
        var results = new List<Size>();
        foreach (var n in sizes)
        {
            var size = await MeasureAsync(storage, $"scale{run}n{n}", n, azuritePids);
            results.Add(size);
            var p = $"scale_{n}";
            BenchOutput.Line($"{p}_start_s", size.StartS, "0.0");
            BenchOutput.Line($"{p}_cpu_ms_per_engagement", size.CpuMsPerEngagement, "0.0");
            BenchOutput.Line($"{p}_azurite_cpu_ms_per_engagement", size.AzuriteCpuMsPerEngagement, "0.0");
            BenchOutput.Line($"{p}_storage_ops_per_engagement", size.OpsPerEngagementByService.Values.Sum(), "0.0");
            BenchOutput.Line($"{p}_episodes_per_engagement", size.EpisodesPerEngagement, "0.0");
            foreach (var (service, ops) in size.OpsPerEngagementByService) BenchOutput.Line($"{p}_{service}_ops_per_engagement", ops, "0.0");
            BenchOutput.Line($"{p}_idle_storage_ops_per_min", size.IdleOpsPerMinuteByService.Values.Sum(), "0");
            foreach (var (service, ops) in size.IdleOpsPerMinuteByService) BenchOutput.Line($"{p}_idle_{service}_ops_per_min", ops, "0");
            BenchOutput.Line($"{p}_host_memory_mb", size.MemoryMb, "0");
            BenchOutput.Line($"{p}_action_to_email_p50_ms", size.P50, "0");
            BenchOutput.Line($"{p}_action_to_email_p95_ms", size.P95, "0");
            BenchOutput.Line($"{p}_bare_start_s", size.BareS, "0.0");
            BenchOutput.Line($"{p}_cohort_ratio", size.BareS / size.StartS, "0.00");
        }
        var (first, last) = (results[0], results[^1]);
        BenchOutput.Line("cost_growth", last.CpuMsPerEngagement / first.CpuMsPerEngagement, "0.00");
        BenchOutput.Line("azurite_cost_growth", last.AzuriteCpuMsPerEngagement / first.AzuriteCpuMsPerEngagement, "0.00");
        BenchOutput.Line("cohort_ratio", last.BareS / last.StartS, "0.00");
        return 0;
    }

    private static async Task<Size> MeasureAsync(string storage, string hub, int n, IReadOnlyList<int> azuritePids)
    {
        await using var host = await EngineHost.StartAsync(storage, hub, ProgramCatalog.BuiltIn, partitions: 4, maxPollingInterval: TimeSpan.FromSeconds(1),
            moreTasks: r => r.AddOrchestrator(nameof(BareClient), new BareClient()).AddActivity(nameof(Bench.Noop), new Bench.Noop()));
        var emailed = new ConcurrentDictionary<string, TaskCompletionSource>(StringComparer.Ordinal);
        TaskCompletionSource Awaited(string engagementId, string kind) =>
            emailed.GetOrAdd($"{engagementId}|{kind}", _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        host.Effects.Ran += (engagementId, kind) => Awaited(engagementId, kind).TrySetResult();
        var terms = new EngagementTerms(60, 0, "EUR", "None", "None", null, "nothing", ["A new role"]);
        Task StartAsync(string id, CancellationToken ct) =>
            host.Engine.StartAsync(id, new StartEngagement("firm-1", "coach-ada", "client-" + id, "Client " + id, $"{id}@example.test", "career-6", terms), "start", ct);

        // Warm-up engagements, so the first size does not pay for the JIT and the task hub's creation alone.
        var warm = Enumerable.Range(1, WarmUp).Select(i => $"{hub}-warm-{i}").ToList();
        await Parallel.ForEachAsync(warm, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (id, ct) => await StartAsync(id, ct));
        await Task.WhenAll(warm.Select(id => Awaited(id, "email:contract-invitation").Task)).WaitAsync(TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(3));

        var ids = Enumerable.Range(1, n).Select(i => $"{hub}-{i}").ToList();
        var services = Services(storage);
        var (cpu0, azurite0, ops0, episodes0) = (ProcessCpu(), AzuriteCpu(azuritePids), ByService(host, services), host.Counters.Episodes);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (id, ct) => await StartAsync(id, ct));
        await Task.WhenAll(ids.Select(id => Awaited(id, "email:contract-invitation").Task)).WaitAsync(StartLimit);
        var startS = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(3)); // the episodes after the email (the timer set) finish
        var (cpu, azurite, ops, episodes) = (ProcessCpu() - cpu0, AzuriteCpu(azuritePids) - azurite0, Since(ops0, ByService(host, services)), host.Counters.Episodes - episodes0);

        // All waiting: what the engine asks of storage while nothing happens.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idle0 = ByService(host, services);
        await Task.Delay(IdleWindow);
        var idle = Since(idle0, ByService(host, services));
        GC.Collect();
        var memoryMb = Process.GetCurrentProcess().WorkingSet64 / 1_048_576.0;

        // A client acts while every other engagement waits: the signature until the intake invitation is recorded.
        var latencies = new List<double>();
        foreach (var id in ids.Take(ActionSamples))
        {
            await Task.Delay(TimeSpan.FromSeconds(2)); // idle again: the pollers back off
            var action = Stopwatch.StartNew();
            await host.Engine.SubmitAsync(id, new SignContract(1, "Client " + id, true, "127.0.0.1", "bench", "sha"), "sign");
            await Awaited(id, "email:intake-invitation").Task.WaitAsync(TimeSpan.FromMinutes(2));
            latencies.Add(action.Elapsed.TotalMilliseconds);
        }

        // The bare cohort on the same engine: as many clients, as many episodes each, one timer pending each. It is
        // counted in episodes, so the signed engagements' last episodes finish first.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var perEngagement = (int)Math.Round((double)episodes / n);
        var bareEpisodes0 = host.Counters.Episodes;
        var bareClock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(1, n), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, ct) =>
            await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(BareClient), Math.Max(0, perEngagement - 1), new StartOrchestrationOptions($"{hub}-bare-{i}"), ct));
        while (host.Counters.Episodes - bareEpisodes0 < (long)n * perEngagement)
        {
            if (bareClock.Elapsed > StartLimit)
                throw new TimeoutException($"The bare cohort of {n} ran {host.Counters.Episodes - bareEpisodes0} of its {(long)n * perEngagement} episodes within {StartLimit.TotalMinutes:0} min.");
            await Task.Delay(50);
        }
        var bareS = bareClock.Elapsed.TotalSeconds;

        var perMinute = 60 / IdleWindow.TotalSeconds;
        return new Size(n, startS, cpu.TotalMilliseconds / n, azurite.TotalMilliseconds / n, (double)episodes / n,
            memoryMb, BenchOutput.Percentile(latencies, 0.50), BenchOutput.Percentile(latencies, 0.95), bareS,
            ops.ToDictionary(s => s.Key, s => (double)s.Value / n), idle.ToDictionary(s => s.Key, s => s.Value * perMinute));
    }

    /// <summary>The connection string's endpoints by service: queue, table, blob.</summary>
    private static Dictionary<(string Host, int Port), string> Services(string storage) =>
        storage.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Where(kv => kv is [var name, _] && name.EndsWith("Endpoint", StringComparison.Ordinal))
            .Select(kv => (Service: kv[0][..^"Endpoint".Length].ToLowerInvariant(), Uri: new Uri(kv[1])))
            .ToDictionary(e => (e.Uri.Host, e.Uri.Port), e => e.Service);

    /// <summary>The engine's storage requests so far, summed by service.</summary>
    private static Dictionary<string, long> ByService(EngineHost host, Dictionary<(string Host, int Port), string> services) =>
        host.Counters.StorageRequestsByEndpoint
            .GroupBy(e => services.GetValueOrDefault(e.Key, "other"))
            .ToDictionary(g => g.Key, g => g.Sum(e => e.Value));

    /// <summary>The requests by service between two snapshots of <see cref="ByService"/>.</summary>
    private static Dictionary<string, long> Since(Dictionary<string, long> before, Dictionary<string, long> now) =>
        now.ToDictionary(s => s.Key, s => s.Value - before.GetValueOrDefault(s.Key));

    private static TimeSpan ProcessCpu() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>The Azurite processes' CPU time (zero when their ids were not given).</summary>
    private static TimeSpan AzuriteCpu(IReadOnlyList<int> pids)
    {
        var total = TimeSpan.Zero;
        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                total += process.TotalProcessorTime;
            }
            catch (ArgumentException)
            {
                // gone: counted as nothing more
            }
        }
        return total;
    }
}
