using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using CoachFlow.Cli;
using CoachFlow.Documents;
using CoachFlow.Documents.Samples;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.DataRights;
using CoachFlow.Web.Documents;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Workflows.Engagements;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CoachFlow.Engine.Harness;

/// <summary>
/// <c>./coachflow bench export</c>: a firm's export of many engagements, timed and its memory watched. The engagements
/// are seeded straight into Azurite through the read model's and the document store's own write methods (the rows and
/// blobs a real engagement leaves): the sample engagement of the document tests, from contract to the end of
/// maintenance, under a new id and client each time. That is honest for this figure because the export reads only the
/// read model and the documents, never the engine. The firm is exported twice, at a tenth of the engagements and at
/// all of them, so the two peaks show whether memory grows with the firm. Prints <c>key: value</c> lines.
/// </summary>
internal static class ExportBench
{
    private const string FirmId = "firm-northwind";
    private const int SeedParallelism = 8;

    public static async Task<int> RunAsync(string storage, int engagements)
    {
        var prefix = $"benchexport{DateTime.UtcNow.Ticks % 1_000_000_000}";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CoachFlow:Storage:ConnectionString"] = storage,
            ["CoachFlow:Storage:Prefix"] = prefix,
        }).Build();
        await using var services = ExportCommand.Services(configuration);
        var account = services.GetRequiredService<StorageAccount>();
        var store = services.GetRequiredService<EngagementStore>();
        var tenancy = services.GetRequiredService<TenancyStore>();
        await account.EnsureCreatedAsync();
        await tenancy.EnsureCreatedAsync();
        await store.EnsureCreatedAsync();
        var (firm, _, _) = await tenancy.CreateFirmAsync("Northwind Coaching", "Avery Admin", "avery@northwind.test", TimeSpan.FromDays(1), FirmId);
        await tenancy.AddCoachAsync(FirmId, "Casey Coach", "casey@northwind.test", Role.Coach, "coach-casey");
        await tenancy.AddCoachAsync(FirmId, "Acme Energy", "people@acme.test", Role.Sponsor, "sponsor-acme");

        var sample = SampleEngagement.Run();
        var seeder = new Seeder(sample, store, services.GetRequiredService<DocumentStore>(), services.GetRequiredService<EngagementWorkflow>());
        var exports = services.GetRequiredService<ExportService>();
        var caller = new Caller(firm, new Coach(FirmId, "cli", "Benchmark", "", Role.FirmAdmin));

        var small = Math.Max(1, engagements / 10);
        var seeding = Stopwatch.StartNew();
        await seeder.SeedAsync(0, small);
        var first = await MeasureAsync(exports, caller);
        await seeder.SeedAsync(small, engagements);
        BenchOutput.Line("seed_engagements", engagements);
        BenchOutput.Line("seed_seconds", seeding.Elapsed.TotalSeconds - first.Seconds, "0.0");
        BenchOutput.Line("seed_events_per_engagement", sample.Events.Count);
        BenchOutput.Line("seed_documents_per_engagement", sample.Documents.Count);
        var all = await MeasureAsync(exports, caller);
        // The same engagements as the small export, now beside all the others: does the store's size change what one engagement costs?
        var again = await MeasureAsync(exports, caller, take: small);

        Print("export_small", first);
        Print("export", all);
        BenchOutput.Line("export_small_in_full_store_seconds", again.Seconds, "0.0");
        return 0;
    }

    private static void Print(string prefix, Measured m)
    {
        BenchOutput.Line($"{prefix}_engagements", m.Summary.Engagements);
        BenchOutput.Line($"{prefix}_documents", m.Summary.Documents);
        BenchOutput.Line($"{prefix}_files", m.Summary.Files);
        BenchOutput.Line($"{prefix}_seconds", m.Seconds, "0.0");
        BenchOutput.Line($"{prefix}_first_tenth_seconds", m.FirstTenthSeconds, "0.0");
        BenchOutput.Line($"{prefix}_last_tenth_seconds", m.LastTenthSeconds, "0.0");
        BenchOutput.Line($"{prefix}_bytes", m.Summary.Bytes, "0");
        BenchOutput.Line($"{prefix}_peak_managed_mb", m.PeakManagedMb, "0.0");
        BenchOutput.Line($"{prefix}_managed_before_mb", m.BeforeMb, "0.0");
    }

    /// <param name="BeforeMb">The live managed heap just before the export (the harness, its services, the sample engagement).</param>
    private sealed record Measured(ExportSummary Summary, double Seconds, double PeakManagedMb, double BeforeMb, double FirstTenthSeconds, double LastTenthSeconds);

    /// <summary>Exports the firm to a temporary file while sampling the managed heap (garbage not yet collected included) every 10 ms.</summary>
    private static async Task<Measured> MeasureAsync(ExportService exports, Caller caller, int? take = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"coachflow-bench-export-{Guid.NewGuid():N}.zip");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var peak = before;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                try { await Task.Delay(10, done.Token); } catch (OperationCanceledException) { }
            }
        });
        var clock = Stopwatch.StartNew();
        ExportSummary summary;
        // When the first and the last tenth of the engagements were written: equal tenths mean the cost per engagement does not grow as the export goes on.
        double firstTenth = 0, lastTenthFrom = 0;
        try
        {
            var scope = await exports.CallerAsync(caller, CancellationToken.None);
            if (take is int n) scope = scope with { EngagementIds = [.. scope.EngagementIds.Order(StringComparer.Ordinal).Take(n)] };
            var tenth = Math.Max(1, scope.EngagementIds.Count / 10);
            var progress = new Reporter(p =>
            {
                if (p.Done == tenth) firstTenth = clock.Elapsed.TotalSeconds;
                if (p.Done == p.Total - tenth) lastTenthFrom = clock.Elapsed.TotalSeconds;
            });
            await using (var output = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                summary = await exports.WriteAsync(scope, output, progress, CancellationToken.None);
        }
        finally
        {
            await done.CancelAsync();
            await sampler;
            File.Delete(file);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return new Measured(summary, seconds, peak / 1024d / 1024d, before / 1024d / 1024d, firstTenth, seconds - lastTenthFrom);
    }

    private sealed class Reporter(Action<ExportProgress> report) : IProgress<ExportProgress>
    {
        public void Report(ExportProgress value) => report(value);
    }

    /// <summary>Writes the sample engagement's rows and documents under new ids, with what the engine's own writes put there.</summary>
    private sealed class Seeder(SampleEngagement sample, EngagementStore store, DocumentStore documents, EngagementWorkflow rules)
    {
        private readonly ImmutableList<(string Kind, string Name, string Html, string Json)> _documents =
            [.. sample.Documents.Select(d => (d.Kind, d.Name, d.Html, JsonSerializer.Serialize(DocumentRenderer.Model(d.Document), EngagementService.Json)))];

        public Task SeedAsync(int from, int to) =>
            Parallel.ForEachAsync(Enumerable.Range(from, to - from), new ParallelOptions { MaxDegreeOfParallelism = SeedParallelism }, (i, ct) => new(OneAsync(i, ct)));

        private async Task OneAsync(int i, CancellationToken ct)
        {
            var id = $"eng-bench-{i:D5}";
            var email = $"client{i}@client.test";
            var clientId = EngagementService.ClientIdOf(FirmId, email);
            string Own(string json) => json.Replace(SampleEngagement.EngagementId, id, StringComparison.Ordinal)
                .Replace("sam@example.test", email, StringComparison.Ordinal).Replace("\"client-sam\"", $"\"{clientId}\"", StringComparison.Ordinal);

            var inputs = sample.Inputs;
            var start = (StartEngagement)inputs[0].Input with { FirmId = FirmId, ClientId = clientId, ClientEmail = email };
            await store.CreateAsync(id, start, inputs[0].At, ct);
            for (var k = 0; k < inputs.Count; k++)
            {
                var envelope = EngagementCodec.Wrap(k == 0 ? start : inputs[k].Input);
                await store.AcceptAsync(id, $"bench:{k}", envelope with { Json = Own(envelope.Json) }, inputs[k].At, ct);
            }
            var state = sample.State with { EngagementId = id, FirmId = FirmId, ClientId = clientId, ClientEmail = email };
            var events = sample.Events.Select(e => EngagementCodec.Wrap(e)).Select(e => e with { Json = Own(e.Json) }).ToImmutableList();
            var outcomes = inputs.Select((x, k) => new InputOutcome($"bench:{k}", InputOutcome.Applied, null, x.Version)).ToImmutableList();
            await store.RecordAsync(new StepRecord(id, $"{id}:maintenance", 0, events, state, rules.Project(state), [], outcomes, [], [], inputs[^1].At), ct);
            foreach (var (kind, name, html, json) in _documents)
                await documents.WriteAsync(id, kind, name, Own(html), Own(json), ct);
        }
    }
}
