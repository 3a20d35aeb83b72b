namespace CoachFlow.Runtime.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class WorkQueueTests(Azurite azurite)
{
    [Fact]
    public async Task Given_unreadable_or_unknown_work_messages_When_polled_Then_they_go_to_the_poison_queue_intact()
    {
        await using var host = await TestHost.CreateAsync(azurite, configure: o => o.MaxPollInterval = TimeSpan.FromMilliseconds(200));
        await host.Storage.Work.SendMessageAsync("not json at all");
        await host.Runtime.EnqueueInputAsync("nobody-here", """{"$type":"Count","by":1}""", "k1");

        using var stop = new CancellationTokenSource();
        var run = host.Runtime.RunAsync(stop.Token);
        var poisoned = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (poisoned.Count < 2 && DateTime.UtcNow < deadline)
        {
            foreach (var m in (await host.Storage.Poison.ReceiveMessagesAsync(10)).Value)
            {
                poisoned.Add(m.MessageText);
                await host.Storage.Poison.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
            await Task.Delay(100);
        }
        await stop.CancelAsync();
        await run;

        Assert.Contains("not json at all", poisoned);
        Assert.Contains(poisoned, p => p.Contains("nobody-here", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_a_direct_call_with_a_malformed_message_Then_a_bad_input_error_names_the_problem()
    {
        await using var host = await TestHost.CreateAsync(azurite);

        var error = await Assert.ThrowsAsync<BadInputException>(() => host.Runtime.ProcessWorkMessageAsync("""{"kind":"teleport"}"""));

        Assert.Contains("teleport", error.Message, StringComparison.Ordinal);
    }
}
