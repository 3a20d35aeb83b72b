using CoachFlow.Runtime.Harness;

namespace CoachFlow.Runtime.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class ListTests(Azurite azurite)
{
    [Fact]
    public async Task Given_engagements_of_two_firms_When_listing_with_filters_Then_only_matching_rows_of_the_callers_firm_come_back_paged()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        for (var i = 0; i < 7; i++) await host.BeginAsync($"eng-a{i}", coach: i % 2 == 0 ? "coach-even" : "coach-odd");
        await host.BeginAsync("eng-b0", firm: "firm-b");
        await host.Runtime.RaiseAsync("eng-a0", new Sign("Ada"), "sign");
        await host.Runtime.SuspendAsync("eng-a1");
        await host.Runtime.WhenIdleAsync();

        var page1 = await host.Runtime.ListAsync("firm-a", pageSize: 4);
        var page2 = await host.Runtime.ListAsync("firm-a", pageSize: 4, continuationToken: page1.ContinuationToken);
        Assert.Equal(4, page1.Items.Count);
        Assert.Equal(3, page2.Items.Count);
        Assert.DoesNotContain("eng-b0", page1.Items.Concat(page2.Items).Select(i => i.InstanceId));

        Assert.Equal(["eng-a0", "eng-a2", "eng-a4", "eng-a6"], (await host.Runtime.ListAsync("firm-a", new InstanceFilter(CoachId: "coach-even"))).Items.Select(i => i.InstanceId));
        Assert.Equal(["eng-a0"], (await host.Runtime.ListAsync("firm-a", new InstanceFilter(Phase: "sessions"))).Items.Select(i => i.InstanceId));
        Assert.Equal(["eng-a1"], (await host.Runtime.ListAsync("firm-a", new InstanceFilter(Status: InstanceStatus.Suspended))).Items.Select(i => i.InstanceId));
        Assert.Empty((await host.Runtime.ListAsync("firm-a", new InstanceFilter(OverdueOnly: true))).Items);

        // Reminders every three days: unsigned contracts become overdue between two reminders? No — the due
        // time moves with each reminder, so nothing is overdue while the host runs; a stopped clock is.
        host.Time.Advance(TimeSpan.FromDays(4)); // timers not fired: the reminder is now overdue
        var overdue = await host.Runtime.ListAsync("firm-a", new InstanceFilter(OverdueOnly: true));
        Assert.Equal(5, overdue.Items.Count); // a0 signed (due in 14 days), a1 paused: not counted
        Assert.All(overdue.Items, i => Assert.Equal("signature", i.WaitingFor));
    }

    [Fact]
    public async Task Given_a_bad_listing_request_Then_it_is_refused_with_a_reason()
    {
        await using var host = await TestHost.CreateAsync(azurite);

        await Assert.ThrowsAsync<BadInputException>(() => host.Runtime.ListAsync(""));
        await Assert.ThrowsAsync<BadInputException>(() => host.Runtime.ListAsync("firm-a", pageSize: 0));
    }
}
