using CoachFlow.Runtime.Harness;

namespace CoachFlow.Runtime.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class TimerTests(Azurite azurite)
{
    [Fact]
    public async Task Given_an_unsigned_contract_When_three_days_pass_Then_one_reminder_goes_out_and_the_next_is_set()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-remind");

        await host.AdvanceAsync(TimeSpan.FromDays(3), TimeSpan.FromHours(6));

        Assert.Equal(["contract", "reminder-1"], await host.Notified.ReadAsync("eng-remind"));
        var view = await host.Runtime.GetAsync("eng-remind");
        Assert.Equal([new TimerView("reminder", TestHost.Start + TimeSpan.FromDays(6))], view.Timers);
    }

    [Fact]
    public async Task Given_a_host_down_for_a_month_When_it_scans_again_Then_the_repeating_reminder_fires_once_not_ten_times()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-downtime");

        await host.AdvanceAsync(TimeSpan.FromDays(30), TimeSpan.FromDays(30));

        Assert.Equal(["contract", "reminder-1"], await host.Notified.ReadAsync("eng-downtime"));
        var view = await host.Runtime.GetAsync("eng-downtime");
        Assert.Equal(TestHost.Start + TimeSpan.FromDays(33), Assert.Single(view.Timers).DueAt);
    }

    [Fact]
    public async Task Given_a_pending_reminder_When_the_client_signs_Then_the_reminder_is_cancelled_and_never_fires()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-cancel");
        await host.Runtime.RaiseAsync("eng-cancel", new Sign("Ada"), "sign");

        await host.AdvanceAsync(TimeSpan.FromDays(10));

        Assert.DoesNotContain("reminder-1", await host.Notified.ReadAsync("eng-cancel"));
        Assert.Equal(["session-1"], (await host.Runtime.GetAsync("eng-cancel")).Timers.Select(t => t.TimerId));
    }

    [Fact]
    public async Task Given_two_scanners_on_the_same_storage_When_a_timer_comes_due_Then_it_fires_exactly_once()
    {
        await using var a = await TestHost.CreateAsync(azurite);
        await using var b = await TestHost.CreateAsync(azurite, a.Options.Prefix, a.Time);
        await a.BeginAsync("eng-two-scanners");
        await a.Runtime.WhenIdleAsync();

        a.Time.Advance(TimeSpan.FromDays(3));
        await Task.WhenAll(a.Runtime.FireDueTimersAsync(), b.Runtime.FireDueTimersAsync());
        await a.Runtime.WhenIdleAsync();
        await b.Runtime.WhenIdleAsync();

        var view = await a.Runtime.GetAsync("eng-two-scanners");
        Assert.Equal(1, view.History.Count(h => h.Type == "Reminded"));
        Assert.Equal(["contract", "reminder-1"], await a.Notified.ReadAsync("eng-two-scanners"));
    }

    [Fact]
    public async Task Given_a_whole_engagement_When_a_year_passes_on_the_fake_clock_Then_every_notification_went_out_once_in_order_and_it_completed()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-year", sessions: 6, checkIns: 4);
        await host.AdvanceAsync(TimeSpan.FromDays(4)); // one reminder before signing
        await host.Runtime.RaiseAsync("eng-year", new Sign("Client Name"), "sign");

        await host.AdvanceAsync(TimeSpan.FromDays(365 + 120));

        var expected = new List<string> { "contract", "reminder-1", "welcome" };
        expected.AddRange(Enumerable.Range(1, 6).Select(n => $"summary-{n}"));
        expected.Add("graduated");
        expected.AddRange(Enumerable.Range(1, 4).Select(n => $"checkin-{n}"));
        expected.Add("closed");
        Assert.Equal(expected, await host.Notified.ReadAsync("eng-year"));
        Assert.Equal(0, host.Notified.Repeats);
        var view = await host.Runtime.GetAsync("eng-year");
        Assert.Equal((InstanceStatus.Completed, "closed"), (view.Status, view.Phase));
        Assert.Empty(view.Timers);
        Assert.Equal(TestHost.Start + TimeSpan.FromDays(4 + 6 * 14 + 4 * 91), view.History.Last().At);
    }
}
