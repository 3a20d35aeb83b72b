using System.Diagnostics;
using Azure.Data.Tables;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Questionnaires;
using Microsoft.DurableTask;

namespace CoachFlow.Engine.Harness;

/// <summary>
/// The engine benchmark: engagements driven through their first parts (start, signature, intake, first session
/// scheduled), then a bare orchestration with as many episodes, on the same engine in the same run. Prints
/// <c>key: value</c> lines.
/// </summary>
internal static class Bench
{
    /// <summary>A bare orchestration: nothing but <c>n</c> activities one after another (n + 1 episodes).</summary>
    private sealed class Bare : TaskOrchestrator<int, int>
    {
        public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
        {
            for (var i = 0; i < input; i++) await context.CallActivityAsync<int>(nameof(Noop), i);
            return input;
        }
    }

    /// <summary>An activity that does nothing: the bare orchestrations' step.</summary>
    internal sealed class Noop : TaskActivity<int, int>
    {
        public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input);
    }

    public static async Task<int> RunAsync(string storage, int engagements, int concurrency)
    {
        var hub = $"bench{DateTime.UtcNow.Ticks % 1_000_000_000}";
        await using var host = await EngineHost.StartAsync(storage, hub, ProgramCatalog.BuiltIn, partitions: 4, maxPollingInterval: TimeSpan.FromSeconds(1),
            moreTasks: r => r.AddOrchestrator(nameof(Bare), new Bare()).AddActivity(nameof(Noop), new Noop()));
        // The bench reads progress through clients of its own, so its polling is not counted as the engine's work.
        var reader = new EngagementStore(new TableServiceClient(storage), hub);
        var terms = new EngagementTerms(60, 0, "EUR", "None", "None", null, "nothing", ["A new role"]);
        var intake = CareerQuestionnaires.Intake.Items
            .Select(i => i.Kind == ItemKind.Rating ? new QuestionnaireAnswer(i.Id, Score: 5) : new QuestionnaireAnswer(i.Id, Text: $"Answer to {i.Id}")).ToList();

        async Task DriveAsync(string id, CancellationToken ct)
        {
            await host.Engine.StartAsync(id, new StartEngagement("firm-1", "coach-ada", "client-" + id, "Client " + id, $"{id}@example.test", "career-6", terms), "start", ct);
            await host.Engine.SubmitAsync(id, new SignContract(1, "Client " + id, true, "127.0.0.1", "bench", "sha"), "sign", ct);
            await host.Engine.SubmitAsync(id, new SubmitIntake([.. intake]), "intake", ct);
            await host.Engine.SubmitAsync(id, new ScheduleSession(1, DateTimeOffset.UtcNow.AddDays(7), "Europe/Berlin"), "schedule:1", ct);
        }

        async Task WaitScheduledAsync(IEnumerable<string> ids)
        {
            foreach (var id in ids)
                while ((await reader.GetAsync(id, CancellationToken.None))?.State?.Session(1) is null) await Task.Delay(200);
        }

        await DriveAsync($"{hub}-warm", CancellationToken.None);
        await WaitScheduledAsync([$"{hub}-warm"]);

        var ids = Enumerable.Range(1, engagements).Select(i => $"{hub}-{i}").ToList();
        var (episodes0, ops0) = (host.Counters.Episodes, host.Counters.StorageRequests);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, ct) => await DriveAsync(id, ct));
        await WaitScheduledAsync(ids);
        var elapsed = clock.Elapsed.TotalSeconds;
        var episodes = host.Counters.Episodes - episodes0;
        var ops = host.Counters.StorageRequests - ops0;
        // Late episodes (timers set in these steps, completed sub-orchestrations) are not counted: the wait ends at the last schedule.

        var perEngagement = (int)Math.Round((double)episodes / engagements);
        var (bareEpisodes0, bareClock) = (host.Counters.Episodes, Stopwatch.StartNew());
        var bareIds = Enumerable.Range(1, engagements).Select(i => $"{hub}-bare-{i}").ToList();
        await Parallel.ForEachAsync(bareIds, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, ct) =>
            await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(Bare), perEngagement - 1, new StartOrchestrationOptions(id), ct));
        foreach (var id in bareIds) await host.Client.WaitForInstanceCompletionAsync(id);
        var bareElapsed = bareClock.Elapsed.TotalSeconds;
        var bareEpisodes = host.Counters.Episodes - bareEpisodes0;

        await Task.Delay(TimeSpan.FromSeconds(5)); // let the last timers and completions settle

        // At idle: a client's signature until the intake invitation (the next email) has been handed to the effect handler.
        var effects = new TableEffects(new TableServiceClient(storage).GetTableClient($"{hub}effects"));
        var latencies = new List<double>();
        for (var i = 1; i <= 20; i++)
        {
            var id = $"{hub}-idle-{i}";
            await host.Engine.StartAsync(id, new StartEngagement("firm-1", "coach-ada", "client-" + id, "Client " + id, $"{id}@example.test", "career-6", terms), "start");
            while (!(await effects.ForAsync(id)).Exists(e => e.What.StartsWith("email:contract-invitation", StringComparison.Ordinal))) await Task.Delay(20);
            await Task.Delay(TimeSpan.FromSeconds(2)); // idle again: the pollers back off
            var action = Stopwatch.StartNew();
            await host.Engine.SubmitAsync(id, new SignContract(1, "Client " + id, true, "127.0.0.1", "bench", "sha"), "sign");
            while (!(await effects.ForAsync(id)).Exists(e => e.What.StartsWith("email:intake-invitation", StringComparison.Ordinal))) await Task.Delay(10);
            latencies.Add(action.Elapsed.TotalMilliseconds);
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
        var idle0 = host.Counters.StorageRequests;
        await Task.Delay(TimeSpan.FromSeconds(30));
        var idlePerMinute = (host.Counters.StorageRequests - idle0) * 2;

        var stepsPerSecond = episodes / elapsed;
        var bareStepsPerSecond = bareEpisodes / bareElapsed;
        static void Line(string key, double value, string format = "0.##") => BenchOutput.Line(key, value, format);
        Line("engagements", engagements);
        Line("concurrency", concurrency);
        Line("episodes", episodes);
        Line("episodes_per_engagement", (double)episodes / engagements);
        Line("elapsed_s", elapsed);
        Line("steps_per_s", stepsPerSecond);
        Line("bare_episodes", bareEpisodes);
        Line("bare_elapsed_s", bareElapsed);
        Line("bare_steps_per_s", bareStepsPerSecond);
        Line("ratio", stepsPerSecond / bareStepsPerSecond, "0.00");
        Line("storage_ops_per_step", (double)ops / episodes, "0.00");
        Line("idle_storage_ops_per_min", idlePerMinute);
        Line("action_to_effect_p50_ms", BenchOutput.Percentile(latencies, 0.50), "0");
        Line("action_to_effect_p95_ms", BenchOutput.Percentile(latencies, 0.95), "0");
        return 0;
    }
}
