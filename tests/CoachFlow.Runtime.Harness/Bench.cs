using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;

namespace CoachFlow.Runtime.Harness;

/// <summary>
/// Drives many practice engagements through their lifecycle against the storage account in
/// COACHFLOW_STORAGE (Azurite) and prints its figures as <c>key: value</c> lines.
/// </summary>
internal static class Bench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var engagements = Arg(args, "--engagements", 200);
        var answers = Arg(args, "--steps", 20);
        var concurrency = Arg(args, "--concurrency", 32);
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var options = new RuntimeOptions
        {
            ConnectionString = Environment.GetEnvironmentVariable("COACHFLOW_STORAGE") ?? "UseDevelopmentStorage=true",
            Prefix = prefix,
        };
        var storage = new StorageAccount(options);
        await storage.EnsureCreatedAsync();
        var runtime = new DurableRuntime(storage, new WorkflowRegistry().Add(new PracticeWorkflow()), options, time);
        runtime.Handle<Notify>((_, _, ct) => Task.Delay(1, ct)); // stands for an outbound call (SendGrid), which is not storage

        using var stop = new CancellationTokenSource();
        var housekeeping = runtime.RunHousekeepingAsync(stop.Token); // index writes and guard windows, as in a host

        var ids = Enumerable.Range(0, engagements).Select(i => $"eng-{i:D5}").ToArray();
        var startOps = runtime.StorageRequests;
        var startKinds = storage.Counter.ByKind;
        var steps = 0L;
        var clock = Stopwatch.StartNew();

        // 1. Start and sign every engagement, then answers (inputs), then the timers of a whole lifecycle.
        await ForEach(ids, concurrency, async id =>
        {
            await runtime.StartAsync("practice", id, new Begin("firm-bench", $"coach-{id[^1]}", 3, TimeSpan.FromDays(14), 2), "begin");
            await runtime.RaiseAsync(id, new Sign("A Client"), "sign");
            Interlocked.Add(ref steps, 2);
        });
        var startPhase = clock.Elapsed;
        var work = ids.SelectMany(id => Enumerable.Range(0, answers).Select(n => (id, n))).OrderBy(x => x.n).ToArray();
        await ForEach(work, concurrency, async w =>
        {
            await runtime.RaiseAsync(w.id, new Answer($"reflection {w.n}"), $"answer-{w.n}");
            Interlocked.Increment(ref steps);
        });
        var inputPhase = clock.Elapsed - startPhase;
        // Four weeks at a time: every timer due in that span fires at the next scan, as after a host restart.
        var timerSteps = 0L;
        for (var day = 0; day < 420; day += 28)
        {
            time.Advance(TimeSpan.FromDays(28));
            timerSteps += await runtime.FireDueTimersAsync();
        }
        steps += timerSteps;
        var timerPhase = clock.Elapsed - startPhase - inputPhase;
        await runtime.FlushGuardsAsync(TimeSpan.FromSeconds(60));
        clock.Stop();
        var ops = runtime.StorageRequests - startOps;
        var kinds = storage.Counter.ByKind;
        await stop.CancelAsync();
        await housekeeping;

        var events = 0L;
        var completed = 0;
        await foreach (var page in storage.Index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"firm-bench"}")).AsPages())
            foreach (var row in page.Values)
            {
                events += row.GetInt64("Version") ?? 0;
                if (row.GetString("Status") == nameof(InstanceStatus.Completed)) completed++;
            }

        var batchPerSecond = await RawBatchesPerSecondAsync(storage, concurrency);
        var idlePerMinute = await IdleOpsPerMinuteAsync(options);

        var eventsPerSecond = events / clock.Elapsed.TotalSeconds;
        Print("engagements", engagements);
        Print("completed", completed);
        Print("steps", steps);
        Print("events", events);
        Print("concurrency", concurrency);
        Print("elapsed_s", clock.Elapsed.TotalSeconds);
        Print("events_per_s", eventsPerSecond);
        Print("steps_per_s", steps / clock.Elapsed.TotalSeconds);
        Print("start_sign_phase_s", startPhase.TotalSeconds);
        Print("start_sign_phase_steps_per_s", 2 * engagements / startPhase.TotalSeconds);
        Print("input_phase_steps_per_s", work.Length / inputPhase.TotalSeconds);
        Print("timer_phase_s", timerPhase.TotalSeconds);
        Print("timer_phase_steps_per_s", timerSteps / timerPhase.TotalSeconds);
        Print("storage_ops", ops);
        foreach (var kind in new[] { "table_transaction", "table", "queue", "blob" })
            Print($"storage_ops_{kind}", kinds.GetValueOrDefault(kind) - startKinds.GetValueOrDefault(kind));
        Print("storage_ops_per_step", (double)ops / steps);
        Print("idle_storage_ops_per_min", idlePerMinute);
        Print("azurite_batch_per_s", batchPerSecond);
        Print("ratio", eventsPerSecond / batchPerSecond);

        foreach (var table in new[] { storage.Instances, storage.Index, storage.Timers }) await table.DeleteAsync();
        await storage.Work.DeleteAsync();
        await storage.Poison.DeleteAsync();
        await storage.Documents.DeleteAsync();
        return completed == engagements ? 0 : 1;
    }

    /// <summary>
    /// Entity-group transactions of a step's shape (snapshot, event, inbox row) at the same concurrency, for
    /// 5 seconds, into the same table the engagements were written to (new partitions), so both figures see a
    /// table of the same size: Azurite slows down as a table grows.
    /// </summary>
    private static async Task<double> RawBatchesPerSecondAsync(StorageAccount storage, int concurrency)
    {
        var table = storage.Instances;
        var count = 0L;
        var clock = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(5);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            for (var n = 0; clock.Elapsed < until; n++)
            {
                var pk = $"raw-{worker}";
                await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(pk, "state") { ["Version"] = n, ["State"] = new string('s', 400) }),
                    new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, $"e{n:D10}") { ["Type"] = "Answered", ["Data"] = new string('e', 120) }),
                    new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(pk, $"i{n:D10}") { ["Status"] = "applied" }),
                ]);
                Interlocked.Increment(ref count);
            }
        }));
        clock.Stop();
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Storage requests of an idle host per minute, in steady state, on a fake clock (10 simulated minutes after 10 to settle).</summary>
    private static async Task<double> IdleOpsPerMinuteAsync(RuntimeOptions options)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var storage = new StorageAccount(options);
        var runtime = new DurableRuntime(storage, new WorkflowRegistry().Add(new PracticeWorkflow()), options, time);
        using var stop = new CancellationTokenSource();
        var run = runtime.RunAsync(stop.Token);
        async Task AdvanceMinutes(int minutes)
        {
            for (var s = 0; s < minutes * 60; s++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(1);
            }
        }
        await AdvanceMinutes(10);
        var before = runtime.StorageRequests;
        await AdvanceMinutes(10);
        var perMinute = (runtime.StorageRequests - before) / 10.0;
        await stop.CancelAsync();
        await run;
        return perMinute;
    }

    private static async Task ForEach<T>(IEnumerable<T> items, int concurrency, Func<T, Task> body) =>
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (item, _) => await body(item));

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static void Print(string key, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key}: {(value == Math.Floor(value) ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.00", CultureInfo.InvariantCulture))}"));
}
