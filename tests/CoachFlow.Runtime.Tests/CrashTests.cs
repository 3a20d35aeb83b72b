using System.Diagnostics;

namespace CoachFlow.Runtime.Tests;

/// <summary>
/// A real host process (the harness) applies queued inputs and is killed (SIGKILL) at a point of a step;
/// a fresh process takes over. Nothing accepted may be lost, no transition applied twice, no effect missing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CrashTests(Azurite azurite)
{
    [Theory]
    [InlineData("before-commit", 3)]
    [InlineData("after-commit", 3)]
    [InlineData("after-effect", 2)]
    public async Task Given_a_host_killed_mid_step_When_another_host_starts_Then_nothing_is_lost_or_doubled(string point, int hit)
    {
        await using var setup = await TestHost.CreateAsync(azurite, time: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow));
        var ids = Enumerable.Range(0, 4).Select(i => $"eng-crash-{i}").ToArray();
        foreach (var id in ids) await setup.BeginAsync(id);
        await setup.Runtime.FlushGuardsAsync();
        foreach (var id in ids)
        {
            await setup.Runtime.EnqueueInputAsync(id, """{"$type":"Sign","fullName":"Client"}""", "sign");
            for (var n = 1; n <= 5; n++)
                await setup.Runtime.EnqueueInputAsync(id, $$"""{"$type":"Count","by":{{n}}}""", $"count-{n}");
        }

        var crashed = await RunHostAsync(setup.Options.Prefix, crashAt: $"{point}:{hit}", until: null);
        Assert.Contains($"crashing at {point}", crashed, StringComparison.Ordinal);

        await RunHostAsync(setup.Options.Prefix, crashAt: null, until: async () =>
        {
            foreach (var id in ids)
            {
                var told = await setup.Notified.ReadAsync(id);
                if ((await setup.Runtime.GetAsync(id)).Version < 7 || !told.Contains("welcome")) return false;
            }
            return true;
        });

        foreach (var id in ids)
        {
            var view = await setup.Runtime.GetAsync(id);
            // Queued inputs have no order between them (competing consumers): each applies exactly once.
            Assert.Equal("Begun", view.History[0].Type);
            Assert.Equal(["Counted", "Counted", "Counted", "Counted", "Counted", "Signed"], view.History.Skip(1).Select(h => h.Type).Order());
            Assert.Equal(15, view.State.GetProperty("total").GetInt32());
            Assert.Equal(["contract", "welcome"], await setup.Notified.ReadAsync(id));
            Assert.Empty(view.Effects);
            // The timer the signature set (session 1) has its due-timer row, so it will fire.
            var dueRows = new List<string>();
            await foreach (var row in setup.Storage.Timers.QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"InstanceId eq {id}")))
                dueRows.Add(row.GetDateTimeOffset("DueAt")!.Value.ToString("O"));
            Assert.Contains(Assert.Single(view.Timers).DueAt.ToString("O"), dueRows);
        }
    }

    private async Task<string> RunHostAsync(string prefix, string? crashAt, Func<Task<bool>>? until)
    {
        var harness = Path.Combine(AppContext.BaseDirectory, "CoachFlow.Runtime.Harness.dll");
        var start = new ProcessStartInfo("dotnet", [harness, "host"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["COACHFLOW_STORAGE"] = azurite.ConnectionString;
        start.Environment["COACHFLOW_PREFIX"] = prefix;
        start.Environment["COACHFLOW_GUARD_SECONDS"] = "2";
        if (crashAt is not null) start.Environment["COACHFLOW_CRASH_AT"] = crashAt;
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        if (until is null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
        }
        else
        {
            while (!await until())
            {
                if (DateTime.UtcNow > deadline || process.HasExited)
                    throw new TimeoutException($"The restarted host did not finish the work. Its output:\n{output}");
                await Task.Delay(200);
            }
            process.StandardInput.Close();
            await process.WaitForExitAsync();
        }
        lock (output) return output.ToString();
    }
}
