using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CoachFlow.Testing;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.Tests.Lifecycle;
using static CoachFlow.Web.Tests.OutboundWebhooks.WebhookFixture;

namespace CoachFlow.Web.Tests.OutboundWebhooks;

/// <summary>Webhooks on a host of the test's own: one outside development mode, and one killed with SIGKILL while deliveries are under way.</summary>
public sealed class WebhookHostTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task GivenTheAppOutsideDevelopmentMode_WhenAnAdminRegistersLoopbackPrivateOrPlainHttpEndpoints_ThenEachIsA400SayingWhy_AndAPublicHttpsOneIsTaken()
    {
        await using var azurite = await Azurite.StartAsync();
        var (admin, _, _) = await FirmAsync(azurite, Repository.UniquePrefix(), out var start);
        await using var app = start(new Dictionary<string, string> { ["CoachFlow__Webhooks__AllowPrivateNetworks"] = "false" });
        (await app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();
        using var api = Client(app, admin);

        (string Url, string Reason)[] refused =
        [
            ($"http://127.0.0.1:{app.Port}/hook", "must use https"),
            ("https://127.0.0.1/hook", "a loopback, private or otherwise non-public address"),
            ("https://localhost/hook", "The host 'localhost' is (or resolves to)"),
            ("https://[::1]/hook", "non-public address"),
            ("https://10.1.2.3/hook", "non-public address"),
            ("https://192.168.0.10/hook", "non-public address"),
            ("https://169.254.169.254/latest/meta-data", "non-public address"),
            ("https://[::ffff:172.16.0.1]/hook", "non-public address"),
        ];
        foreach (var (url, reason) in refused)
        {
            using var response = await api.PostAsJsonAsync("/api/webhooks", new { url, events = new[] { "engagement.started" } });
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {problem}");
            Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var taken = await api.PostAsJsonAsync("/api/webhooks", new { url = "https://93.184.215.14/hook", events = new[] { "engagement.started" } });
        Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        var id = (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var moved = await api.PatchAsJsonAsync($"/api/webhooks/{id}", new { url = "https://172.20.0.5/hook" });
        Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
        var listed = await api.GetFromJsonAsync<JsonElement>("/api/webhooks");
        Assert.Equal(["https://93.184.215.14/hook"], listed.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("url").GetString()));
    }

    [Fact]
    public async Task GivenDeliveriesUnderWay_WhenTheHostIsKilledAndRestarted_ThenEveryEventArrivesAtLeastOnce_AndInOrderPerEngagement()
    {
        const int Engagements = 10;
        await using var azurite = await Azurite.StartAsync();
        await using var maildev = await Maildev.StartAsync();
        await using var receiver = await WebhookReceiverProcess.StartAsync();
        var (admin, coach, _) = await FirmAsync(azurite, Repository.UniquePrefix(), out var start);
        var environment = Settings("00:10:00");
        environment["CoachFlow__Smtp__Port"] = maildev.SmtpPort.ToString(CultureInfo.InvariantCulture);
        environment["CoachFlow__Webhooks__Timeout"] = "00:00:03";
        environment["CoachFlow__Webhooks__Lease"] = "00:00:06";
        environment["CoachFlow__Webhooks__QueueLease"] = "00:00:06";
        environment["CoachFlow__Engine__LeaseInterval"] = "00:00:10";
        environment["CoachFlow__Engine__MessageVisibilityTimeout"] = "00:00:10";

        var first = start(environment);
        (await first.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();
        var adminApi = Client(first, admin);
        var (endpointId, box) = await RegisterAsync(adminApi, receiver);
        using (var off = await adminApi.PatchAsJsonAsync($"/api/webhooks/{endpointId}", new { enabled = false })) off.EnsureSuccessStatusCode(); // everything waits until the kill is set up
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(1, Engagements), new ParallelOptions { MaxDegreeOfParallelism = 5 }, async (i, ct) =>
        {
            using var api = Client(first, coach);
            var id = await StartAsync(api, $"Kim Crash {i}");
            await EndAsync(api, id, "Done");
            ids.Add(id);
        });
        await UntilAsync(() => LogAsync(adminApi, endpointId), log => log.Count == 2 * Engagements, "every event kept", TimeSpan.FromMinutes(2));

        // Switched on with a slow receiver: every stream goes at once, and the host is killed with deliveries in flight and others pending.
        await receiver.ConfigureAsync(box, new { delayMs = 1000 });
        using (var on = await adminApi.PatchAsJsonAsync($"/api/webhooks/{endpointId}", new { enabled = true })) on.EnsureSuccessStatusCode();
        await UntilAsync(() => receiver.ReceivedAsync(box), r => r.Any(x => x.Answered == 200), "the first delivery to go through");
        await first.DisposeAsync(); // SIGKILL
        var before = (await receiver.ReceivedAsync(box)).Where(x => x.Answered == 200).Select(x => x.Id).Distinct().Count();
        output.WriteLine($"Delivered when the host was killed: {before} of {2 * Engagements}");

        await receiver.ConfigureAsync(box, new { delayMs = 0 });
        await using var second = start(environment);
        (await second.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();
        var got = await UntilAsync(() => receiver.ReceivedAsync(box),
            r => ids.All(id => r.Count(x => x.EngagementId == id && x.Answered == 200 && x.Verified) >= 2 && r.Any(x => x.EngagementId == id && x.Type == "engagement.ended" && x.Answered == 200)),
            "every event after the restart", TimeSpan.FromMinutes(3));

        Assert.All(got, r => Assert.True(r.Verified, r.Error));
        foreach (var id in ids)
        {
            // At least once each, and never an earlier event after a later one of the same engagement.
            var versions = got.Where(x => x.EngagementId == id).Select(x => JsonDocument.Parse(x.Body).RootElement.GetProperty("data").GetProperty("engagementVersion").GetInt64()).ToList();
            Assert.Equal(versions.Order(), versions);
            Assert.Equal(2, got.Where(x => x.EngagementId == id && x.Answered == 200).Select(x => x.Id).Distinct().Count());
        }
        var log = await LogAsync(Client(second, admin), endpointId);
        Assert.Equal(2 * Engagements, log.Count);
        Assert.All(log, d => Assert.Equal("delivered", d.GetProperty("status").GetString()));
        Assert.InRange(before, 1, 2 * Engagements - 1); // killed mid-run: some delivered, not all
    }

    /// <summary>A firm with an admin and a coach on a fresh prefix, and how to start the app on it (with more settings).</summary>
    private static Task<(string AdminToken, string CoachToken, string FirmId)> FirmAsync(Azurite azurite, string prefix, out Func<Dictionary<string, string>, AppProcess> start)
    {
        start = environment => AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, azurite.ConnectionString, prefix, environment);
        return CreateAsync();

        async Task<(string, string, string)> CreateAsync()
        {
            var storage = new StorageAccount(new StorageOptions { ConnectionString = azurite.ConnectionString, Prefix = prefix });
            await storage.EnsureCreatedAsync();
            var tenancy = new TenancyStore(storage, TimeProvider.System);
            await tenancy.EnsureCreatedAsync();
            var (firm, _, adminToken) = await tenancy.CreateFirmAsync("Host Coaching", "Hal Admin", "hal@host.example", TimeSpan.FromDays(1));
            var coach = await tenancy.AddCoachAsync(firm.FirmId, "Hana Coach", "hana@host.example", Role.Coach, null);
            return (adminToken.Token, (await tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token, firm.FirmId);
        }
    }

    private static async Task<(string Id, string Box)> RegisterAsync(HttpClient admin, WebhookReceiverProcess receiver)
    {
        var box = "crash" + Guid.NewGuid().ToString("N")[..8];
        using var created = await admin.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url(box), events = new[] { "engagement.started", "engagement.ended" } });
        var endpoint = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.StatusCode == HttpStatusCode.Created, endpoint.ToString());
        await receiver.ConfigureAsync(box, new { secret = endpoint.GetProperty("secret").GetString() });
        return (endpoint.GetProperty("id").GetString()!, box);
    }

    private static HttpClient Client(AppProcess app, string token)
    {
        var client = new HttpClient { BaseAddress = app.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
