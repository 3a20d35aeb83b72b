using CoachFlow.Engine.Harness;
using CoachFlow.Orchestrations.Bulk;
using CoachFlow.Workflows.Engagements;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>The <see cref="BulkAction"/> orchestration on the real engine: every selected engagement gets its input once, in batches.</summary>
public sealed class BulkActionTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task GivenASelectionOfTwoBatchesWithOneEndedEngagement_WhenTheResendRuns_ThenEveryRunningOneGetsTheContractAgainOnceAndTheEndedOneIsSkipped()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var ids = Enumerable.Range(1, 55).Select(i => $"eng-{name}-{i}").ToList();
        foreach (var id in ids) await host.Engine.StartAsync(id, Examples.Start(), "start");
        foreach (var id in ids) await host.UntilAsync(id, s => s.Version > 0, Within, "started");
        await host.Engine.RaiseAsync(ids[^1], new EndEngagement(Party.Coach, "Moved abroad"), "end", Within);

        var store = new BulkActionStore(host.Store);
        await store.EnsureCreatedAsync(CancellationToken.None);
        var actionId = $"bulk-{name}";
        await store.CreateDraftAsync(Draft(actionId, BulkActionKinds.ResendLink, ids.Count), [.. ids.Select(id => (id, (string?)"client-sam"))], CancellationToken.None);

        var result = await RunAsync(host, actionId);

        Assert.Equal(54, result);
        var (record, _) = (await store.GetAsync("firm-1", actionId, CancellationToken.None))!.Value;
        Assert.Equal((BulkActionRecord.Finished, 55, 54, 1, 0), (record.Status, record.Done, record.Applied, record.Skipped, record.Pending));
        Assert.Equal(1, record.Reasons["skipped: the engagement is over"]);
        foreach (var id in ids.SkipLast(1))
        {
            var timeline = await host.Store.TimelineAsync(id, CancellationToken.None);
            Assert.Equal(2, timeline.Count(e => e.Type == nameof(ContractSent)));
            Assert.Equal("applied", (await host.Store.GetInputAsync(id, BulkAction.KeyOf(actionId), CancellationToken.None))!.Status);
        }
        Assert.Null(await host.Store.GetInputAsync(ids[^1], BulkAction.KeyOf(actionId), CancellationToken.None));
    }

    [Fact]
    public async Task GivenThreeEngagementsOfOneClient_WhenTwoNudgeActionsRun_ThenTheClientIsNudgedOnce()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var ids = Enumerable.Range(1, 3).Select(i => $"eng-{name}-{i}").ToList();
        foreach (var id in ids) await host.Engine.StartAsync(id, Examples.Start(), "start");
        foreach (var id in ids) await host.UntilAsync(id, s => s.Version > 0, Within, "started");
        var store = new BulkActionStore(host.Store);
        await store.EnsureCreatedAsync(CancellationToken.None);
        var client = $"client-{name}"; // claims are per firm and client: one of this test's own

        await store.CreateDraftAsync(Draft($"bulk-{name}-1", BulkActionKinds.Nudge, 3), [.. ids.Select(id => (id, (string?)client))], CancellationToken.None);
        await RunAsync(host, $"bulk-{name}-1");
        await store.CreateDraftAsync(Draft($"bulk-{name}-2", BulkActionKinds.Nudge, 3), [.. ids.Select(id => (id, (string?)client))], CancellationToken.None);
        await RunAsync(host, $"bulk-{name}-2");

        var first = (await store.GetAsync("firm-1", $"bulk-{name}-1", CancellationToken.None))!.Value.Record;
        var second = (await store.GetAsync("firm-1", $"bulk-{name}-2", CancellationToken.None))!.Value.Record;
        Assert.Equal((1, 2), (first.Applied, first.Skipped));
        Assert.Equal(2, first.Reasons["skipped: this action already nudges the same client on another engagement"]);
        Assert.Equal((0, 3), (second.Applied, second.Skipped));
        Assert.Equal(3, second.Reasons["skipped: the client was already nudged in the last 24 hours; one nudge a day at most"]);
        var nudged = 0;
        foreach (var id in ids) nudged += (await host.Store.TimelineAsync(id, CancellationToken.None)).Count(e => e.Type == nameof(ClientNudged));
        Assert.Equal(1, nudged);
    }

    private static BulkActionRecord Draft(string actionId, string action, int selected) => new("firm-1", actionId, action,
        action == BulkActionKinds.Nudge ? "How is the week going?" : null, null, "{}", "coach-ada", "coach", DateTimeOffset.UtcNow, selected,
        BulkActionRecord.Draft, null, null, null, 0, 0, 0, 0, 0, 0, new Dictionary<string, int>());

    private static async Task<int> RunAsync(EngineHost host, string actionId)
    {
        await host.Client.ScheduleNewOrchestrationInstanceAsync(Names.Orchestrators.BulkAction, new BulkRunRequest("firm-1", actionId), new Microsoft.DurableTask.StartOrchestrationOptions(actionId));
        using var timeout = new CancellationTokenSource(Within);
        var done = await host.Client.WaitForInstanceCompletionAsync(actionId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        return done.ReadOutputAs<int>();
    }
}
