using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>
/// The local host killed with SIGKILL just after a bulk action started running: after a restart on the same storage
/// the orchestration finishes, and every selected engagement got its input once.
/// </summary>
[Collection(SecondCrashCollection.Name)]
public sealed class BulkCrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Clients = 120;

    [Fact]
    public async Task GivenABulkResendOf120Engagements_WhenTheHostIsKilledMidRunAndRestarted_ThenEveryEngagementGetsTheLinkAgainOnce()
    {
        await using var stack = await CrashStack.StartAsync();
        var (maildev, coachToken) = (stack.Maildev, stack.CoachToken);

        var first = await stack.StartHostAsync();
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(1, Clients), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/engagements")
            {
                Content = JsonContent.Create(new { clientName = $"Client {i}", clientEmail = $"client{i}@client.test", programId = "career-6" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", coachToken);
            request.Headers.Add("Idempotency-Key", $"start-{i}");
            using var response = await first.Client.SendAsync(request, ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(ct));
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!);
        });
        // Every engagement is at the contract, its first email sent, before the bulk action counts them.
        await UntilAsync(async () => (await maildev.ReadAsync(ids.ToHashSet())).Count(e => e.Kind == EmailKinds.ContractInvitation) >= Clients, TimeSpan.FromSeconds(180), "the contracts");

        var admin = CrashStack.Api(first, stack.AdminToken);
        using var drafted = await admin.PostAsJsonAsync("/api/bulk-actions", new { action = "resend-link", filter = new { waitingForClient = true } });
        Assert.Equal(HttpStatusCode.Created, drafted.StatusCode);
        var draft = await drafted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Clients, draft.GetProperty("count").GetInt32());
        var id = draft.GetProperty("id").GetString()!;
        using (var run = await admin.PostAsync($"/api/bulk-actions/{id}/run", null)) Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        // Killed while the run is under way: some resends out, not all.
        await UntilAsync(async () => (await maildev.ReadAsync(ids.ToHashSet())).Count(e => e.Kind == EmailKinds.ContractInvitation) > Clients, TimeSpan.FromSeconds(60), "the first resend");
        await first.DisposeAsync(); // SIGKILL
        var sentBeforeTheKill = (await maildev.ReadAsync(ids.ToHashSet())).Count(e => e.Kind == EmailKinds.ContractInvitation) - Clients;
        output.WriteLine($"Resend emails in maildev when the host was killed: {sentBeforeTheKill} of {Clients}");

        await using var second = await stack.StartHostAsync();
        admin = CrashStack.Api(second, stack.AdminToken);
        JsonElement status = default;
        await UntilAsync(async () => (status = await admin.GetFromJsonAsync<JsonElement>($"/api/bulk-actions/{id}")).GetProperty("finished").GetBoolean(),
            TimeSpan.FromSeconds(240), "the bulk action to finish");

        Assert.Equal((Clients, Clients, 0), (status.GetProperty("applied").GetInt32(), status.GetProperty("done").GetInt32(), status.GetProperty("pending").GetInt32()));
        foreach (var engagement in ids)
        {
            var detail = await admin.GetFromJsonAsync<JsonElement>($"/api/engagements/{engagement}");
            Assert.Equal(2, detail.GetProperty("timeline").EnumerateArray().Count(t => t.GetProperty("type").GetString() == "contract-sent"));
        }
        // Each engagement's resend is one email (a repeat of an effect the killed host had begun keeps its Message-ID).
        IReadOnlyList<ReceivedEmail> contracts = [];
        await UntilAsync(async () => (contracts = [.. (await maildev.ReadAsync(ids.ToHashSet())).Where(e => e.Kind == EmailKinds.ContractInvitation)])
            .GroupBy(c => c.EngagementId).All(g => g.Select(c => c.MessageId).Distinct().Count() == 2) && contracts.Select(c => c.EngagementId).Distinct().Count() == Clients,
            TimeSpan.FromSeconds(120), "every resend email");
        Assert.All(contracts.GroupBy(c => c.EngagementId), g => Assert.Equal(2, g.Select(c => c.MessageId).Distinct().Count()));
        Assert.InRange(sentBeforeTheKill, 1, Clients - 1); // killed mid-run: some resends out, not all
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {within.TotalSeconds:N0} s for {what}.");
            await Task.Delay(500);
        }
    }
}
