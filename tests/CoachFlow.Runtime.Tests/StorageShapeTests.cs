using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues.Models;
using CoachFlow.Runtime.Harness;

namespace CoachFlow.Runtime.Tests;

/// <summary>What a step writes, row by row: the fewer rows, the fewer storage operations and the faster Azurite and Azure go.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageShapeTests(Azurite azurite)
{
    [Fact]
    public async Task Given_timers_set_fired_and_cancelled_When_the_partition_is_read_Then_they_live_in_the_snapshot_row_and_a_firing_writes_no_inbox_row()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-shape");
        await host.AdvanceAsync(TimeSpan.FromDays(3), TimeSpan.FromHours(12)); // the reminder fires and is set again
        await host.Runtime.RaiseAsync("eng-shape", new Sign("A Client"), "sign"); // cancels the reminder, sets session-1
        await host.Runtime.WhenIdleAsync(); // the welcome runs just after the commit

        var rows = await RowsAsync(host, "eng-shape");
        Assert.DoesNotContain(rows, r => r.RowKey.StartsWith('t'));
        Assert.Equal(2, rows.Count(r => r.RowKey.StartsWith('i'))); // begin and sign; the firing needed none
        var timers = JsonDocument.Parse(rows.Single(r => r.RowKey == "state").GetString("Timers")).RootElement;
        Assert.Equal(["session-1"], timers.EnumerateArray().Select(t => t.GetProperty("Id").GetString()));
        Assert.Equal(["contract", "reminder-1", "welcome"], await host.Notified.ReadAsync("eng-shape"));
    }

    [Fact]
    public async Task Given_a_due_timer_that_already_fired_When_its_due_row_is_delivered_again_Then_it_is_ignored()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-twice");
        await host.Runtime.WhenIdleAsync(); // due-timer rows are written just after the commit
        var dueRows = await DueRowsAsync(host, "eng-twice");
        await host.AdvanceAsync(TimeSpan.FromDays(3), TimeSpan.FromDays(3));

        // The same due row again (as if two scanners raced, or a scan was retried after a crash).
        await host.Storage.Timers.UpsertEntityAsync(Assert.Single(dueRows), TableUpdateMode.Replace);
        Assert.Equal(1, await host.Runtime.FireDueTimersAsync());
        await host.Runtime.WhenIdleAsync();

        Assert.Equal(["contract", "reminder-1"], await host.Notified.ReadAsync("eng-twice"));
        Assert.Equal(2, (await host.Runtime.GetAsync("eng-twice")).Version);
    }

    [Fact]
    public async Task Given_an_engagement_stored_with_a_row_per_timer_When_its_timer_comes_due_Then_it_fires_and_the_timers_move_into_the_snapshot()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-legacy");
        // Rewrite it the way an earlier build stored timers: no Timers property, one 't' row per timer.
        var state = (await host.Storage.Instances.GetEntityAsync<TableEntity>("eng-legacy", "state")).Value;
        var timer = JsonDocument.Parse(state.GetString("Timers")).RootElement[0];
        state.Remove("Timers");
        await host.Storage.Instances.UpsertEntityAsync(state, TableUpdateMode.Replace);
        await host.Storage.Instances.AddEntityAsync(new TableEntity("eng-legacy", Keys.Timer("reminder"))
        {
            ["TimerId"] = "reminder",
            ["DueAt"] = timer.GetProperty("Due").GetDateTimeOffset(),
            ["Generation"] = timer.GetProperty("Gen").GetInt64(),
        });
        host.Runtime.ClearCache();

        Assert.Equal([new TimerView("reminder", TestHost.Start + PracticeWorkflow.ReminderEvery)], (await host.Runtime.GetAsync("eng-legacy")).Timers);
        await host.AdvanceAsync(TimeSpan.FromDays(3), TimeSpan.FromDays(3));

        Assert.Equal(["contract", "reminder-1"], await host.Notified.ReadAsync("eng-legacy"));
        var after = (await host.Storage.Instances.GetEntityAsync<TableEntity>("eng-legacy", "state")).Value;
        Assert.Contains("\"reminder\"", after.GetString("Timers"), StringComparison.Ordinal);
        Assert.Equal([new TimerView("reminder", TestHost.Start + TimeSpan.FromDays(6))], (await host.Runtime.GetAsync("eng-legacy")).Timers);
    }

    [Fact]
    public async Task Given_index_rows_another_host_wrote_When_this_host_moves_many_engagements_of_that_firm_Then_every_index_row_ends_at_its_newest_version()
    {
        await using var a = await TestHost.CreateAsync(azurite);
        await using var b = await TestHost.CreateAsync(azurite, a.Options.Prefix, a.Time);
        var ids = Enumerable.Range(0, 30).Select(i => $"eng-index-{i:D2}").ToArray();
        await Parallel.ForEachAsync(ids, async (id, _) => await a.BeginAsync(id));
        await a.Runtime.WhenIdleAsync();

        // Host b has never written these rows: its batched writes must find out what is there and not lose any.
        await Parallel.ForEachAsync(ids, async (id, ct) => await b.Runtime.RaiseAsync(id, new Sign("A Client"), "sign", ct: ct));
        await b.Runtime.WhenIdleAsync();

        var listed = (await a.Runtime.ListAsync("firm-a", pageSize: 100)).Items.Where(i => i.InstanceId.StartsWith("eng-index-", StringComparison.Ordinal)).ToList();
        Assert.Equal(ids, listed.Select(i => i.InstanceId).Order());
        Assert.All(listed, i => Assert.Equal(("sessions", 2L), (i.Phase, i.Version)));
    }

    [Fact]
    public async Task Given_storage_that_fails_the_due_timer_rows_for_a_while_When_it_recovers_Then_the_same_host_writes_them_and_nothing_runs_twice()
    {
        var failures = new StrongBox<int>(8); // more than a handful: the writer keeps trying while its host lives
        await using var host = await TestHost.CreateAsync(azurite, configure: o => o.FaultInjector = at =>
        {
            if (at == "timer-index" && Interlocked.Decrement(ref failures.Value) >= 0) throw new RequestFailedException(503, "Server busy (injected).");
        });
        await host.BeginAsync("eng-hiccup");
        await host.Runtime.WhenIdleAsync();

        Assert.True(Volatile.Read(ref failures.Value) < 0);
        Assert.Single(await DueRowsAsync(host, "eng-hiccup"));
        await host.AdvanceAsync(TimeSpan.FromDays(3), TimeSpan.FromDays(3));
        Assert.Equal(["contract", "reminder-1"], await host.Notified.ReadAsync("eng-hiccup"));
        Assert.Equal(0, host.Notified.Repeats);
    }

    [Fact]
    public async Task Given_due_timer_rows_that_storage_refuses_When_their_guard_window_comes_due_Then_recovery_writes_them_and_the_timer_fires()
    {
        var refusing = new StrongBox<bool>(true);
        await using var host = await TestHost.CreateAsync(azurite, configure: o =>
        {
            o.GuardDelay = TimeSpan.FromSeconds(2);
            o.WindowLength = TimeSpan.FromMilliseconds(200);
            o.FaultInjector = at =>
            {
                if (at == "timer-index" && Volatile.Read(ref refusing.Value)) throw new RequestFailedException(400, "The row was refused (injected).");
            };
        });
        await host.BeginAsync("eng-unwritten");
        await host.Runtime.WhenIdleAsync(); // refused outright: left to the guard window
        Assert.Empty(await DueRowsAsync(host, "eng-unwritten"));
        Volatile.Write(ref refusing.Value, false);

        // The window was never closed, so its message becomes visible: any host finishes what it guarded.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        QueueMessage? guard = null;
        while (guard is null && DateTime.UtcNow < deadline)
        {
            guard = (await host.Storage.Work.ReceiveMessageAsync()).Value;
            if (guard is null) await Task.Delay(200);
        }
        Assert.NotNull(guard);
        await host.Runtime.ProcessWorkMessageAsync(guard.Body.ToString());

        Assert.Single(await DueRowsAsync(host, "eng-unwritten"));
        await host.AdvanceAsync(TimeSpan.FromDays(3), TimeSpan.FromDays(3));
        Assert.Equal(["contract", "reminder-1"], await host.Notified.ReadAsync("eng-unwritten"));
    }

    [Fact]
    public async Task Given_an_index_write_that_fails_while_a_newer_step_commits_When_it_is_tried_again_Then_the_listing_shows_the_newer_step()
    {
        var calls = 0;
        using var blocked = new SemaphoreSlim(0);
        using var resume = new ManualResetEventSlim();
        await using var host = await TestHost.CreateAsync(azurite, configure: o => o.FaultInjector = at =>
        {
            if (at != "index" || Interlocked.Increment(ref calls) != 1) return;
            blocked.Release();
            resume.Wait(TimeSpan.FromSeconds(30));
            throw new RequestFailedException(503, "Server busy (injected).");
        });
        await host.BeginAsync("eng-stale");
        Assert.True(await blocked.WaitAsync(TimeSpan.FromSeconds(30))); // the first index write (contract, version 1) is in flight
        await host.Runtime.RaiseAsync("eng-stale", new Sign("A Client"), "sign"); // version 2 waits behind it
        resume.Set(); // the first write fails and is scheduled again: it must not replace version 2
        await host.Runtime.WhenIdleAsync();

        var row = Assert.Single((await host.Runtime.ListAsync("firm-a")).Items);
        Assert.Equal(("sessions", 2L), (row.Phase, row.Version));
    }

    private static async Task<List<TableEntity>> RowsAsync(TestHost host, string id)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in host.Storage.Instances.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id}"))) rows.Add(row);
        return rows;
    }

    private static async Task<List<TableEntity>> DueRowsAsync(TestHost host, string id)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in host.Storage.Timers.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"InstanceId eq {id}"))) rows.Add(row);
        return rows;
    }
}
