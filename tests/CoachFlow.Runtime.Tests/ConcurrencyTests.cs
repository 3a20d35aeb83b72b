using CoachFlow.Runtime.Harness;

namespace CoachFlow.Runtime.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class ConcurrencyTests(Azurite azurite)
{
    [Fact]
    public async Task Given_one_engagement_When_100_inputs_arrive_at_once_each_twice_Then_each_applies_exactly_once()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-hot");

        var sends = Enumerable.Range(1, 100).SelectMany(n => new[] { n, n })
            .Select(n => Task.Run(() => host.Runtime.RaiseAsync("eng-hot", new Count(n), $"count-{n}")));
        var outcomes = await Task.WhenAll(sends);

        Assert.Equal(100, outcomes.Count(o => o.Result == InputResult.Applied));
        Assert.Equal(100, outcomes.Count(o => o.Result == InputResult.Duplicate));
        var view = await host.Runtime.GetAsync("eng-hot");
        Assert.Equal(5050, view.State.GetProperty("total").GetInt32());
        Assert.Equal(101, view.Version);
        Assert.Equal(Enumerable.Range(1, 101).Select(v => (long)v), view.History.Select(h => h.Version));
    }

    [Fact]
    public async Task Given_two_hosts_on_one_storage_account_When_they_share_the_inputs_of_many_engagements_Then_none_is_lost_or_applied_twice()
    {
        await using var a = await TestHost.CreateAsync(azurite);
        await using var b = await TestHost.CreateAsync(azurite, a.Options.Prefix, a.Time);
        var ids = Enumerable.Range(0, 10).Select(i => $"eng-shared-{i}").ToArray();
        foreach (var id in ids) await a.BeginAsync(id);

        var work = ids.SelectMany(id => Enumerable.Range(1, 20).Select(n => (id, n))).ToArray();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (w, _) =>
        {
            // Both hosts get every input: competing consumers with stale caches on both sides.
            await Task.WhenAll(
                a.Runtime.RaiseAsync(w.id, new Count(w.n), $"c{w.n}", ct: CancellationToken.None),
                b.Runtime.RaiseAsync(w.id, new Count(w.n), $"c{w.n}", ct: CancellationToken.None));
        });

        foreach (var id in ids)
        {
            var view = await a.Runtime.GetAsync(id);
            Assert.Equal(210, view.State.GetProperty("total").GetInt32());
            Assert.Equal(21, view.Version);
        }
    }

    [Fact]
    public async Task Given_queued_inputs_When_two_hosts_poll_the_work_queue_Then_every_input_applies_once()
    {
        await using var a = await TestHost.CreateAsync(azurite, configure: o => o.MaxPollInterval = TimeSpan.FromMilliseconds(200));
        await using var b = await TestHost.CreateAsync(azurite, a.Options.Prefix, a.Time, configure: o => o.MaxPollInterval = TimeSpan.FromMilliseconds(200));
        await a.BeginAsync("eng-queued");
        for (var n = 1; n <= 30; n++)
            await a.Runtime.EnqueueInputAsync("eng-queued", $$"""{"$type":"Count","by":{{n}}}""", $"q{n}");

        using var stop = new CancellationTokenSource();
        var runs = new[] { a.Runtime.RunAsync(stop.Token), b.Runtime.RunAsync(stop.Token) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long version;
        while ((version = (await a.Runtime.GetAsync("eng-queued")).Version) < 31 && DateTime.UtcNow < deadline) await Task.Delay(50);
        await stop.CancelAsync();
        await Task.WhenAll(runs);

        var view = await a.Runtime.GetAsync("eng-queued");
        Assert.Equal(31, view.Version);
        Assert.Equal(465, view.State.GetProperty("total").GetInt32());
    }
}
