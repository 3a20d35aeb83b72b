using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>
/// The local host (API, engine, email) killed with SIGKILL in the middle of a burst of starts through the API: after
/// a restart, every engagement sends its contract email, once; only an email in flight at the kill can go again.
/// </summary>
[Collection(SecondCrashCollection.Name)]
public sealed class HostCrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Burst = 200;

    [Fact]
    public async Task GivenABurstOf200StartsThroughTheApi_WhenTheHostIsKilledHalfwayAndRestarted_ThenEveryEngagementEmailsItsContractOnceSaveTheSendsInFlightAtTheKill()
    {
        await using var stack = await CrashStack.StartAsync();
        var token = stack.CoachToken;
        var maildev = stack.Maildev;
        // A deployment's public address stays when its host restarts; the restarted test host listens on another port,
        // so links are built on a fixed address here (this test reads the emails, it never opens their links).
        stack.Environment["CoachFlow__PublicBaseUrl"] = "https://coaching.northwind.test";

        // The first host takes the burst (16 at a time, as a firm's tool would send it) and is killed once about a third is answered.
        var answered = new ConcurrentDictionary<string, string>(); // client email → engagement id
        var first = await stack.StartHostAsync();
        using var stop = new CancellationTokenSource();
        var burst = Parallel.ForEachAsync(Enumerable.Range(1, Burst), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stop.Token }, async (i, ct) =>
        {
            try
            {
                answered[Email(i)] = await StartAsync(first.Client, token, i, retryWhileUnavailable: false, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ObjectDisposedException or StartRefusedException)
            {
                // The host died under this request: the coach's tool sends it again below.
            }
        });
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (answered.Count < Burst / 3 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await first.DisposeAsync(); // SIGKILL: no shutdown, no flush
        await stop.CancelAsync();
        try { await burst; } catch (OperationCanceledException) { }
        Assert.InRange(answered.Count, Burst / 3, Burst - 1);

        // The sends in flight at the kill, measured: an email's delivery record is written before it is handed to the
        // transport and marked delivered once the transport accepted it, so what was begun and not marked is what the dead
        // host may have handed over without recording it. Read now, while no host runs.
        var inFlight = await SendsBegunNotDeliveredAsync(stack);

        // A new host on the same storage; every start is sent again with the same Idempotency-Key.
        await using var second = await stack.StartHostAsync();
        var ids = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(Enumerable.Range(1, Burst), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var id = await StartAsync(second.Client, token, i, retryWhileUnavailable: true, ct);
            ids[Email(i)] = id;
        });
        Assert.All(answered, a => Assert.Equal(a.Value, ids[a.Key])); // an answered start is the same engagement after the restart

        // Every engagement's contract email arrives; a repeat (an effect the killed host had begun) carries the same Message-ID.
        IReadOnlyList<ReceivedEmail> contracts = [];
        var until = DateTime.UtcNow.AddSeconds(180);
        while (DateTime.UtcNow < until)
        {
            contracts = [.. (await maildev.ReadAsync(ids.Values.ToHashSet())).Where(e => e.Kind == EmailKinds.ContractInvitation)];
            if (contracts.Select(c => c.EngagementId).Distinct().Count() == Burst) break;
            await Task.Delay(1000);
        }
        var missing = ids.Values.Except(contracts.Select(c => c.EngagementId!)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} engagements sent no contract email, e.g. {string.Join(", ", missing.Take(5))}\n{second.Output}");

        // Exactly one contract email per client, except where a send was in flight at the kill: that one email may have gone
        // twice, and then as the same email (Message-ID, link and all).
        var repeated = contracts.GroupBy(c => c.EngagementId!).Where(g => g.Count() > 1).ToList();
        output.WriteLine($"{answered.Count} starts answered before the kill; {inFlight.Count} contract sends in flight at the kill; " +
            $"{repeated.Count} contract emails went twice after the restart.");
        foreach (var copies in repeated)
        {
            Assert.Contains(copies.Key, inFlight);
            Assert.Equal(2, copies.Count());
            var sources = await Task.WhenAll(copies.Select(c => maildev.SourceAsync(c.Id)));
            Assert.True(sources[0] == sources[1], $"The two copies of {copies.Key}'s contract email differ: {FirstDifference(sources[0], sources[1])}"); // byte for byte
        }
        Assert.InRange(repeated.Count, 0, inFlight.Count);
    }

    private static string FirstDifference(string a, string b)
    {
        var (left, right) = (a.Split('\n'), b.Split('\n'));
        var line = Enumerable.Range(0, Math.Min(left.Length, right.Length)).FirstOrDefault(i => left[i] != right[i], -1);
        return line < 0 ? $"{left.Length} lines against {right.Length}" : $"line {line + 1}: '{left[line]}' against '{right[line]}'";
    }

    /// <summary>The engagements with an email whose delivery record was begun and never marked delivered.</summary>
    private static async Task<IReadOnlySet<string>> SendsBegunNotDeliveredAsync(CrashStack stack)
    {
        var store = new EngagementStore(new TableServiceClient(stack.Azurite.ConnectionString), stack.Prefix);
        var filter = TableClient.CreateQueryFilter($"RowKey ge {EngagementStore.EffectPrefix} and RowKey lt {"fx."} and Type eq {nameof(SendEmail)}");
        var begun = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in store.Engagements.QueryAsync<TableEntity>(filter))
            if (row.GetDateTimeOffset("DeliveredAt") is null) begun.Add(row.PartitionKey);
        return begun;
    }

    private static string Email(int i) => $"client{i}@client.test";

    /// <summary>
    /// Starts client <paramref name="i"/>'s engagement (key <c>start-i</c>) and returns its id. As a firm's tool would, it
    /// waits out a 503 (an engagement being restarted) for its Retry-After when <paramref name="retryWhileUnavailable"/>;
    /// any other refusal throws with the status and problem the API gave.
    /// </summary>
    private static async Task<string> StartAsync(HttpClient app, string token, int i, bool retryWhileUnavailable, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/engagements")
            {
                Content = JsonContent.Create(new { clientName = $"Client {i}", clientEmail = Email(i), programId = "career-6" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Add("Idempotency-Key", $"start-{i}");
            using var response = await app.SendAsync(request, ct);
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
            if (retryWhileUnavailable && response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 30)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), ct);
                continue;
            }
            throw new StartRefusedException($"Start {i} was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    private sealed class StartRefusedException(string message) : Exception(message);
}
