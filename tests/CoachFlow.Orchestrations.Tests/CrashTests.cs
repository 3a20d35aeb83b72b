using CoachFlow.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using CoachFlow.Engine.Harness;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>The engine's process killed (SIGKILL) in the middle of work: nothing accepted is lost.</summary>
[RunsForMinutes]
public sealed class CrashTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const int Burst = 200;

    [Fact]
    public async Task GivenABurstOf200Starts_WhenTheHostIsKilledHalfwayAndRestarted_ThenEveryEngagementSendsItsContractOnceSaveTheSendsInFlightAtTheKill()
    {
        var name = AzuriteFixture.UniqueName();
        var accepted = new ConcurrentBag<string>();

        // The first host takes the burst and is killed once about a third of the starts have been answered.
        using (var first = Harness("burst", name, accepted))
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (accepted.Count < Burst / 3 && DateTime.UtcNow < deadline && !first.Process.HasExited) await Task.Delay(20);
            Assert.False(first.Process.HasExited, "the first host stopped before it could be killed");
            first.Process.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no flush
            await first.Process.WaitForExitAsync();
        }
        Assert.InRange(accepted.Count, Burst / 3, Burst - 1);
        // In flight at the kill: emails whose delivery record was begun (before the handler ran) and not marked delivered.
        var inFlight = await SendsBegunNotDeliveredAsync(name);

        // A new host; the coach's tool sends the starts it got no answer for again (every start, with the same key).
        using var second = Harness("burst", name, new ConcurrentBag<string>());
        await using var reader = await EngineHost.StartAsync(azurite.ConnectionString, name + "r"); // only to read tables
        var store = new CoachFlow.Orchestrations.ReadModel.EngagementStore(new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString), name);
        var effects = new TableEffects(new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString).GetTableClient($"{name}effects"));
        var until = DateTime.UtcNow.AddSeconds(240);
        var missing = new List<string>();
        var contractEmails = new Dictionary<string, int>();
        do
        {
            await Task.Delay(1000);
            missing.Clear();
            foreach (var i in Enumerable.Range(1, Burst))
            {
                var id = $"eng-{name}-{i}";
                var sent = (await effects.ForAsync(id)).Count(e => e.What == "email:contract-invitation/contract-v1");
                contractEmails[id] = sent;
                if (sent == 0 || (await store.GetAsync(id, CancellationToken.None))?.State?.Phase != EngagementPhase.Contract) missing.Add(id);
            }
        } while (missing.Count > 0 && DateTime.UtcNow < until);

        Assert.True(missing.Count == 0, $"{missing.Count} engagements have no contract email or are not in the contract part: {string.Join(", ", missing.Take(10))}");
        // An activity that was running when the process died runs again, but finds what it delivered recorded: only a send in
        // flight at the kill may go again, once.
        var repeated = contractEmails.Where(c => c.Value > 1).ToList();
        Assert.All(repeated, c => Assert.Equal((true, 2), (inFlight.Contains(c.Key), c.Value)));
        Assert.InRange(repeated.Count, 0, inFlight.Count);
    }

    private async Task<IReadOnlySet<string>> SendsBegunNotDeliveredAsync(string hub)
    {
        var store = new CoachFlow.Orchestrations.ReadModel.EngagementStore(new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString), hub);
        var filter = Azure.Data.Tables.TableClient.CreateQueryFilter(
            $"RowKey ge {CoachFlow.Orchestrations.ReadModel.EngagementStore.EffectPrefix} and RowKey lt {"fx."} and Type eq {nameof(SendEmail)}");
        var begun = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in store.Engagements.QueryAsync<Azure.Data.Tables.TableEntity>(filter))
            if (row.GetDateTimeOffset("DeliveredAt") is null) begun.Add(row.PartitionKey);
        return begun;
    }

    /// <summary>A harness process that is killed when disposed: a host left running would keep polling after the test.</summary>
    private sealed class HarnessProcess(Process process) : IDisposable
    {
        public Process Process => process;

        public void Dispose()
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
        }
    }

    private HarnessProcess Harness(string mode, string hub, ConcurrentBag<string> accepted)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "CoachFlow.Engine.Harness.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, mode, azurite.ConnectionString, hub, $"{Burst}" }) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("The harness did not start.");
        process.OutputDataReceived += (_, e) => { if (e.Data?.StartsWith("accepted ", StringComparison.Ordinal) == true) accepted.Add(e.Data[9..]); };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new HarnessProcess(process);
    }
}
