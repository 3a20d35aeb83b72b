using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tests.Lifecycle;

namespace CoachFlow.Web.Tests.DataRights;

/// <summary>
/// The host killed with SIGKILL in the middle of erasing a client with many engagements: after a restart the sweep finishes
/// the erasure, so nothing of the client is left, and each engagement leaves exactly one tombstone.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class ErasureCrashTests
{
    private const int Engagements = 12;

    [Fact]
    public async Task GivenAClientWithTwelveEngagements_WhenTheHostIsKilledWhileErasingThemAndRestarted_ThenTheErasureFinishesWithOneTombstoneEach()
    {
        await using var stack = await CrashStack.StartAsync();
        foreach (var (setting, value) in ErasureFixture.Environment(stack.Maildev)) stack.Environment[setting] = value;
        var firm = stack.Firm;
        var index = new EngagementStore(stack.Storage.Tables, stack.Prefix);
        static HttpClient Api(AppProcess app, string token) => CrashStack.Api(app, token, TimeSpan.FromSeconds(120));
        async Task<List<IndexEntry>> ListingAsync()
        {
            var all = new List<IndexEntry>();
            await foreach (var e in index.ListAllAsync(firm.FirmId, new IndexFilter(IncludeErased: true))) all.Add(e);
            return all;
        }

        // One client, twelve engagements (the same email: the same client of the firm).
        const string name = "Kasimir Crashwell";
        var email = $"kasimir.{Guid.NewGuid():N}@client.test";
        var clientId = EngagementService.ClientIdOf(firm.FirmId, email);
        var first = await stack.StartHostAsync();
        using (var coachApi = Api(first, stack.CoachToken))
            for (var i = 0; i < Engagements; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/engagements")
                {
                    Content = JsonContent.Create(new { clientName = name, clientEmail = email, programId = "demo-accelerated" }),
                };
                request.Headers.Add("Idempotency-Key", $"engagement-{i}");
                using var started = await coachApi.SendAsync(request);
                Assert.Equal(HttpStatusCode.Created, started.StatusCode);
            }
        Assert.Equal(Engagements, (await ListingAsync()).Count(e => e.ClientId == clientId));

        // The erasure starts; the host dies once the first engagement has gone.
        using var adminFirst = Api(first, stack.AdminToken);
        var erasing = adminFirst.PostAsJsonAsync($"/api/clients/{clientId}/erase", new { confirmEmail = email });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await ListingAsync()).All(e => e.Status != EngagementStatus.Erased) && DateTime.UtcNow < deadline) await Task.Delay(50);
        await first.DisposeAsync(); // SIGKILL
        try { (await erasing).Dispose(); } catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { }
        var atKill = await ListingAsync();
        Assert.True(atKill.Any(e => e.Status == EngagementStatus.Erased), "the erasure began before the kill");
        Assert.True(atKill.Count(e => e.ClientId == clientId) > 0, "the host was killed before the erasure finished");

        // After a restart the sweep takes over the erasure nobody moves on, and finishes it.
        await using var second = await stack.StartHostAsync();
        using var admin = Api(second, stack.AdminToken);
        JsonElement erasure = default;
        deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var items = (await admin.GetFromJsonAsync<JsonElement>("/api/erasures")).GetProperty("items").EnumerateArray().ToList();
            if (items is [{ } only] && only.GetProperty("status").GetString() == "completed") { erasure = only; break; }
            await Task.Delay(250);
        }
        Assert.True(erasure.ValueKind == JsonValueKind.Object, $"The erasure did not finish after the restart:\n{second.Output}");
        Assert.Equal(Engagements, erasure.GetProperty("engagements").GetInt32());

        var listing = await ListingAsync();
        Assert.DoesNotContain(listing, e => e.ClientId == clientId);
        var tombstones = listing.Where(e => e.Status == EngagementStatus.Erased).Select(e => e.EngagementId).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(erasure.GetProperty("tombstones").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal), tombstones);
        Assert.Equal(Engagements, tombstones.Count);
        IReadOnlyList<string> left = [];
        deadline = DateTime.UtcNow.AddSeconds(60);
        while ((left = await AzuriteSearch.FindAsync(stack.Azurite.ConnectionString, [name, email])).Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(500);
        Assert.Empty(left);
    }
}
