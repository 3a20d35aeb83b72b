using CoachFlow.Runtime.Harness;

namespace CoachFlow.Runtime.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class ControlTests(Azurite azurite)
{
    [Fact]
    public async Task Given_a_paused_engagement_When_inputs_and_timers_come_Then_they_wait_and_apply_once_on_resume()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-pause");
        await host.Runtime.SuspendAsync("eng-pause", "client on holiday");

        var signed = await host.Runtime.RaiseAsync("eng-pause", new Sign("Ada"), "sign");
        await host.AdvanceAsync(TimeSpan.FromDays(10));
        Assert.Equal(InputResult.Deferred, signed.Result);
        Assert.Equal(["contract"], await host.Notified.ReadAsync("eng-pause"));

        await host.Runtime.ResumeAsync("eng-pause");
        await host.Runtime.WhenIdleAsync();

        var view = await host.Runtime.GetAsync("eng-pause");
        Assert.Equal(InstanceStatus.Running, view.Status);
        Assert.Equal(["Begun", "$suspended", "$resumed", "Signed"], view.History.Select(h => h.Type));
        Assert.Equal(["contract", "welcome"], await host.Notified.ReadAsync("eng-pause"));
    }

    [Fact]
    public async Task Given_a_paused_engagement_with_a_due_reminder_When_resumed_Then_the_overdue_timer_fires_once()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-pause-timer");
        await host.Runtime.SuspendAsync("eng-pause-timer");
        await host.AdvanceAsync(TimeSpan.FromDays(9));

        await host.Runtime.ResumeAsync("eng-pause-timer");
        await host.AdvanceAsync(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        Assert.Equal(["contract", "reminder-1"], await host.Notified.ReadAsync("eng-pause-timer"));
    }

    [Fact]
    public async Task Given_a_terminated_engagement_Then_its_timers_are_gone_and_new_input_is_rejected()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-end");

        await host.Runtime.TerminateAsync("eng-end", "client ended the engagement");
        var late = await host.Runtime.RaiseAsync("eng-end", new Sign("Ada"), "sign");
        await host.AdvanceAsync(TimeSpan.FromDays(5));

        var view = await host.Runtime.GetAsync("eng-end");
        Assert.Equal(InstanceStatus.Terminated, view.Status);
        Assert.Empty(view.Timers);
        Assert.Equal(InputResult.Rejected, late.Result);
        Assert.Contains("terminated", late.Message, StringComparison.Ordinal);
        Assert.Equal(["contract"], await host.Notified.ReadAsync("eng-end"));
        await Assert.ThrowsAsync<InvalidStatusException>(() => host.Runtime.ResumeAsync("eng-end"));
    }

    [Fact]
    public async Task Given_an_engagement_with_documents_When_purged_Then_every_row_index_entry_timer_and_blob_is_gone()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-purge");
        await host.Runtime.RaiseAsync("eng-purge", new Remember(new string('x', 40_000)), "big");
        await host.Runtime.WhenIdleAsync();
        Assert.Single((await host.Runtime.ListAsync("firm-a")).Items);

        var result = await host.Runtime.PurgeAsync("eng-purge");
        await host.AdvanceAsync(TimeSpan.FromDays(4));

        Assert.True(result.Rows >= 5, $"purged {result.Rows} rows");
        Assert.Equal(2, result.Blobs); // the large event and the snapshot that holds it
        await Assert.ThrowsAsync<InstanceNotFoundException>(() => host.Runtime.GetAsync("eng-purge"));
        Assert.Empty((await host.Runtime.ListAsync("firm-a")).Items);
        var rows = 0;
        await foreach (var _ in host.Storage.Instances.QueryAsync<Azure.Data.Tables.TableEntity>("PartitionKey eq 'eng-purge'")) rows++;
        await foreach (var _ in host.Storage.Timers.QueryAsync<Azure.Data.Tables.TableEntity>()) rows++;
        Assert.Equal(0, rows);
    }

    [Fact]
    public async Task Given_firm_a_engagement_When_firm_b_asks_for_it_Then_it_is_not_found()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-scoped", firm: "firm-a");

        await Assert.ThrowsAsync<InstanceNotFoundException>(() => host.Runtime.GetAsync("eng-scoped", firmId: "firm-b"));
        await Assert.ThrowsAsync<InstanceNotFoundException>(() => host.Runtime.PurgeAsync("eng-scoped", firmId: "firm-b"));
        Assert.Equal("eng-scoped", (await host.Runtime.GetAsync("eng-scoped", firmId: "firm-a")).InstanceId);
    }
}
