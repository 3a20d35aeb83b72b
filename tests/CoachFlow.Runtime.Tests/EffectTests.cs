using CoachFlow.Runtime.Harness;

namespace CoachFlow.Runtime.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class EffectTests(Azurite azurite)
{
    [Fact]
    public async Task Given_an_effect_that_fails_twice_When_retried_with_backoff_Then_it_runs_once_it_can()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        host.Notified.FailuresToInject["welcome"] = 2;
        await host.BeginAsync("eng-retry");

        await host.Runtime.RaiseAsync("eng-retry", new Sign("Ada"), "sign");
        await host.Runtime.WhenIdleAsync();
        var retrying = Assert.Single((await host.Runtime.GetAsync("eng-retry")).Effects);
        Assert.Equal(("retry", 1), (retrying.Status, retrying.Attempts));
        Assert.Equal(TestHost.Start + TimeSpan.FromSeconds(5), retrying.NextAttemptAt);

        await host.AdvanceAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));   // attempt 2 fails, next in 10 s
        await host.AdvanceAsync(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)); // attempt 3 succeeds

        Assert.Equal(["contract", "welcome"], await host.Notified.ReadAsync("eng-retry"));
        Assert.Empty((await host.Runtime.GetAsync("eng-retry")).Effects);
    }

    [Fact]
    public async Task Given_an_effect_that_keeps_failing_Then_it_parks_the_engagement_shows_it_and_a_redrive_runs_it_with_timers_pending()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        host.Notified.FailuresToInject["welcome"] = 3; // MaxEffectAttempts is 3 in tests
        await host.BeginAsync("eng-park");
        await host.Runtime.RaiseAsync("eng-park", new Sign("Ada"), "sign");
        await host.AdvanceAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5));

        var parked = await host.Runtime.GetAsync("eng-park");
        Assert.Equal(("parked", 3), (Assert.Single(parked.Effects).Status, parked.Effects[0].Attempts));
        Assert.Contains("effect-parked", parked.Flags);
        Assert.Contains("$effect-parked", parked.History.Select(h => h.Type));
        Assert.NotEmpty(parked.Timers); // the next session is still scheduled
        Assert.Equal("eng-park", Assert.Single((await host.Runtime.ListAsync("firm-a", new InstanceFilter(Flag: "effect-parked"))).Items).InstanceId);

        await host.Runtime.RedriveAsync("eng-park");
        await host.Runtime.WhenIdleAsync();

        var redriven = await host.Runtime.GetAsync("eng-park");
        Assert.Empty(redriven.Effects);
        Assert.DoesNotContain("effect-parked", redriven.Flags);
        Assert.Equal(["contract", "welcome"], await host.Notified.ReadAsync("eng-park"));
        await host.AdvanceAsync(TimeSpan.FromDays(14));
        Assert.Equal(["contract", "welcome", "summary-1"], await host.Notified.ReadAsync("eng-park"));
    }

    [Fact]
    public async Task Given_nothing_parked_When_redrive_is_asked_Then_it_says_so()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-no-park");

        var error = await Assert.ThrowsAsync<InvalidStatusException>(() => host.Runtime.RedriveAsync("eng-no-park"));

        Assert.Contains("no parked effect", error.Message, StringComparison.Ordinal);
    }
}
