using CoachFlow.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.Tests.DataRights;

/// <summary>
/// Erasure (GDPR Art. 17) and retention through the real host on the real engine: what goes, what stays (a tombstone and
/// the audit), who may do it, and the firm's retention on a fast clock.
/// </summary>
[RunsForMinutes]
public sealed class ErasureTests(ErasureFixture fx) : IClassFixture<ErasureFixture>
{
    [Fact]
    public async Task GivenAClientWhoWentThroughAWholeEngagement_WhenAFirmAdminErasesThem_ThenNoTableQueueOrBlobHoldsTheirNameEmailOrAnswers()
    {
        const string name = "Quillon Erasmo";
        var email = $"quillon.erasmo.{Guid.NewGuid():N}@client.test";
        const string answer = "cut month-end close from 9 to 4 days"; // what the demo client types into the intake and check-ins
        const string privateNote = "Watch for perfectionism around outreach"; // the coach's private notes of each session
        // Another client of the firm, who stays.
        const string kept = "Philippa Keepwell";
        var (keptId, _) = await fx.StartAsync(fx.CoachAApi, kept, $"philippa.{Guid.NewGuid():N}@client.test");
        // The client is in a cohort file too: a valid row, and a rejected one (a mistyped email).
        var csv = $"client name,client email,coach\n{name},{email},casey@northwind.test\n{name},quillon-at-client.test,casey@northwind.test\n";
        using (var upload = await fx.AdminA.PostAsync("/api/cohorts?name=Erasure%20cohort&program=career-6", new StringContent(csv, Encoding.UTF8, "text/csv")))
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());

        // The firm's systems are told of each step (an endpoint that never answers: its deliveries wait, retried).
        using (var hook = await fx.AdminA.PostAsJsonAsync("/api/webhooks", new { url = "http://127.0.0.1:9/hook", events = new[] { "engagement.started", "contract.signed", "session.held", "engagement.closed" } }))
            Assert.True(hook.StatusCode == HttpStatusCode.Created, await hook.Content.ReadAsStringAsync());

        using var log = new StringWriter();
        var (exit, id) = await DemoCommand.DriveAsync(fx.BaseAddress, fx.CoachAToken, new Uri($"http://127.0.0.1:{fx.Maildev.WebPort}"), TimeSpan.FromMinutes(8),
            email, fx.SponsorAIdentity.CoachId, log, name);
        Assert.True(exit == 0, $"The engagement did not close:\n{log}\n{fx.Output}");
        var clientId = EngagementService.ClientIdOf(fx.FirmA.FirmId, email);

        // The search finds them while they are there: in the read model, the documents, the engine's histories, the cohort file.
        string[] traces = [name, email, answer, privateNote];
        var before = await AzuriteSearch.FindAsync(fx.ConnectionString, traces);
        Assert.All(traces, t => Assert.Contains(before, hit => hit.StartsWith($"'{t}'", StringComparison.Ordinal)));
        // Their copy, taken before: it holds what the firm's systems were sent about them.
        using (var export = await fx.AdminA.GetAsync($"/api/clients/{clientId}/export"))
        {
            Assert.True(export.StatusCode == HttpStatusCode.OK, await export.Content.ReadAsStringAsync());
            var zip = await ExportFixture.ZipAsync(export);
            var sent = zip.Json($"engagements/{id}/webhook-deliveries.json").GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("type").GetString()).ToList();
            Assert.Contains("engagement.started", sent);
            Assert.Contains("engagement.closed", sent);
        }
        Assert.NotEmpty(await fx.Webhooks.DeliveriesOfEngagementAsync(fx.FirmA.FirmId, id!, CancellationToken.None));

        // Confirmed with the client's email typed again (letter case aside).
        using var response = await fx.AdminA.PostAsJsonAsync($"/api/clients/{clientId}/erase", new { confirmEmail = email.ToUpperInvariant() });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var erasure = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("completed", "client", "request", 1), (erasure.GetProperty("status").GetString(), erasure.GetProperty("kind").GetString(),
            erasure.GetProperty("reason").GetString(), erasure.GetProperty("engagements").GetInt32()));
        var tombstoneId = Assert.Single(erasure.GetProperty("tombstones").EnumerateArray()).GetString()!;
        Assert.True(erasure.GetProperty("removed").GetProperty("orchestrations").GetInt32() >= 10); // the engagement and its parts
        Assert.True(erasure.GetProperty("removed").GetProperty("documents").GetInt32() > 20);
        Assert.Equal(2, erasure.GetProperty("removed").GetProperty("cohortRows").GetInt32());
        Assert.True(erasure.GetProperty("removed").GetProperty("webhookDeliveries").GetInt32() >= 4);
        Assert.Empty(await fx.Webhooks.DeliveriesOfEngagementAsync(fx.FirmA.FirmId, id!, CancellationToken.None));

        // Nothing of them anywhere (messages for the purged orchestrations that were in flight are dropped as the engine reads them).
        IReadOnlyList<string> after = [];
        await fx.UntilAsync(async () => (after = await AzuriteSearch.FindAsync(fx.ConnectionString, traces)).Count == 0,
            "no trace of the client left", TimeSpan.FromSeconds(60));
        Assert.Empty(after);
        Assert.NotEmpty(await AzuriteSearch.FindAsync(fx.ConnectionString, [kept])); // the other client is all there
        Assert.Equal(HttpStatusCode.OK, (await fx.CoachAApi.GetAsync($"/api/engagements/{keptId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fx.CoachAApi.GetAsync($"/api/engagements/{id}")).StatusCode);

        // What stays: a tombstone in the firm's listing (its program and dates, nothing of the client) and the audit.
        var tombstone = Assert.Single(await fx.IndexAsync(fx.FirmA.FirmId), e => e.EngagementId == tombstoneId);
        Assert.Equal((EngagementStatus.Erased, EngagementStatus.Erased, "demo-accelerated"), (tombstone.Status, tombstone.Phase, tombstone.Category));
        Assert.Null(tombstone.Label);
        Assert.Null(tombstone.ClientId);
        Assert.Null(tombstone.CoachId);
        Assert.Equal(TimeSpan.Zero, tombstone.CreatedAt!.Value.TimeOfDay); // a day, not a moment
        Assert.NotNull(tombstone.FinishedAt);
        var erasedListing = await fx.AdminA.GetFromJsonAsync<JsonElement>("/api/engagements?status=erased&pageSize=500");
        Assert.Contains(erasedListing.GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetString() == tombstoneId);
        var listing = await fx.AdminA.GetFromJsonAsync<JsonElement>("/api/engagements?pageSize=500");
        Assert.DoesNotContain(listing.GetProperty("items").EnumerateArray(), e => e.GetProperty("status").GetString() == EngagementStatus.Erased);
        var audit = await fx.AdminA.GetStringAsync("/api/erasures");
        Assert.Contains(erasure.GetProperty("id").GetString()!, audit, StringComparison.Ordinal);
        Assert.DoesNotContain(clientId, audit, StringComparison.Ordinal);
        Assert.DoesNotContain(id!, audit, StringComparison.Ordinal);

        // Erased is erased: asked again, there is no such client.
        using var again = await fx.AdminA.PostAsJsonAsync($"/api/clients/{clientId}/erase", new { confirmEmail = email });
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task GivenAClientNudgedByABulkAction_WhenTheyAreErased_ThenTheActionCountsStayAndNameATombstoneAndTheNudgeClaimIsGone()
    {
        var coach = await fx.Tenancy.AddCoachAsync(fx.FirmA.FirmId, "Noor Coach", $"noor.{Guid.NewGuid():N}@northwind.test", Role.Coach, null);
        using var coachApi = fx.Client((await fx.Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token);
        var email = $"nudged.{Guid.NewGuid():N}@client.test";
        var (id, clientId) = await fx.StartAsync(coachApi, "Nadia Nudged", email);
        var draft = await (await coachApi.PostAsJsonAsync("/api/bulk-actions", new { action = "nudge", message = "Just checking in on the contract.", filter = new { coachId = coach.CoachId } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var actionId = draft.GetProperty("id").GetString()!;
        using (var run = await coachApi.PostAsync($"/api/bulk-actions/{actionId}/run", null)) Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        JsonElement status = default;
        await fx.UntilAsync(async () => (status = await coachApi.GetFromJsonAsync<JsonElement>($"/api/bulk-actions/{actionId}")).GetProperty("finished").GetBoolean(), "the bulk nudge finished");
        Assert.Equal(1, status.GetProperty("applied").GetInt32());
        var bulk = fx.Engagements.Table("bulkactions");
        Assert.True((await bulk.GetEntityIfExistsAsync<TableEntity>($"nudge|{fx.FirmA.FirmId}", clientId)).HasValue);

        var erasure = await (await fx.AdminA.PostAsJsonAsync($"/api/clients/{clientId}/erase", new { confirmEmail = email })).Content.ReadFromJsonAsync<JsonElement>();
        var tombstoneId = Assert.Single(erasure.GetProperty("tombstones").EnumerateArray()).GetString();

        var after = await coachApi.GetFromJsonAsync<JsonElement>($"/api/bulk-actions/{actionId}");
        Assert.Equal((1, 1), (after.GetProperty("selected").GetInt32(), after.GetProperty("applied").GetInt32()));
        var selection = new List<TableEntity>();
        await foreach (var row in bulk.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {fx.FirmA.FirmId + "|" + actionId}"))) selection.Add(row);
        var item = Assert.Single(selection);
        Assert.Equal(tombstoneId, item.GetString("EngagementId"));
        Assert.False(item.ContainsKey("ClientId"));
        Assert.False((await bulk.GetEntityIfExistsAsync<TableEntity>($"nudge|{fx.FirmA.FirmId}", clientId)).HasValue);
        // Messages for the purged orchestrations that were in flight are dropped as the engine reads them.
        IReadOnlyList<string> left = [];
        await fx.UntilAsync(async () => (left = await AzuriteSearch.FindAsync(fx.ConnectionString, [email, "Nadia Nudged", id])).Count == 0,
            "no trace of the client left", TimeSpan.FromSeconds(60));
        Assert.Empty(left);
    }

    [Fact]
    public async Task GivenAnEngagement_WhenAFirmAdminErasesItById_ThenATombstoneAndAnEngagementErasureStayAndTheClientIsGone()
    {
        var email = $"single.{Guid.NewGuid():N}@client.test";
        var (id, _) = await fx.StartAsync(fx.CoachAApi, "Sol Single", email);
        using (var erased = await fx.AdminA.DeleteAsync($"/api/engagements/{id}?confirm={id}")) Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);

        var audit = await fx.AdminA.GetFromJsonAsync<JsonElement>("/api/erasures");
        var latest = audit.GetProperty("items").EnumerateArray().First();
        Assert.Equal(("engagement", "request", "completed"), (latest.GetProperty("kind").GetString(), latest.GetProperty("reason").GetString(), latest.GetProperty("status").GetString()));
        var tombstoneId = Assert.Single(latest.GetProperty("tombstones").EnumerateArray()).GetString();
        Assert.Contains(await fx.IndexAsync(fx.FirmA.FirmId), e => e.EngagementId == tombstoneId && e.Status == EngagementStatus.Erased);
        var one = await fx.AdminA.GetFromJsonAsync<JsonElement>($"/api/erasures/{latest.GetProperty("id").GetString()}");
        Assert.Equal(latest.GetProperty("id").GetString(), one.GetProperty("id").GetString());
        await fx.UntilAsync(async () => (await AzuriteSearch.FindAsync(fx.ConnectionString, [email, "Sol Single"])).Count == 0, "no trace of the client left");
    }

    [Fact]
    public async Task GivenErasureAndRetentionRequests_WhenTheyComeFromTheWrongPersonOrSayTooLittle_ThenEachIsRefusedWithAReasonAndNothingIsErased()
    {
        var email = $"guarded.{Guid.NewGuid():N}@client.test";
        var (id, clientId) = await fx.StartAsync(fx.CoachAApi, "Gita Guarded", email);
        var erase = $"/api/clients/{clientId}/erase";

        await Problem(await fx.CoachAApi.PostAsJsonAsync(erase, new { confirmEmail = email }), HttpStatusCode.Forbidden, "firm admin");
        await Problem(await fx.SponsorA.PostAsJsonAsync(erase, new { confirmEmail = email }), HttpStatusCode.Forbidden, "firm admin");
        await Problem(await fx.AdminB.PostAsJsonAsync(erase, new { confirmEmail = email }), HttpStatusCode.NotFound, "no client"); // another firm's client does not exist for them
        await Problem(await fx.AdminA.PostAsJsonAsync(erase, new { }), HttpStatusCode.BadRequest, "confirmEmail");
        await Problem(await fx.AdminA.PostAsJsonAsync(erase, new { confirmEmail = "someone.else@client.test" }), HttpStatusCode.BadRequest, "not this client");
        await Problem(await fx.AdminA.PostAsync(erase, new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "JSON");
        await Problem(await fx.AdminA.PostAsJsonAsync($"/api/clients/client-0000000000000000/erase", new { confirmEmail = email }), HttpStatusCode.NotFound, "no client");
        await Problem(await fx.AdminA.PostAsJsonAsync($"/api/clients/{new string('x', 300)}/erase", new { confirmEmail = email }), HttpStatusCode.NotFound, "no client");
        Assert.Equal(HttpStatusCode.OK, (await fx.CoachAApi.GetAsync($"/api/engagements/{id}")).StatusCode); // still there

        await Problem(await fx.CoachAApi.GetAsync("/api/erasures"), HttpStatusCode.Forbidden, "firm admin");
        await Problem(await fx.AdminA.GetAsync("/api/erasures/erasure-nope"), HttpStatusCode.NotFound, "no erasure");
        await Problem(await fx.AdminB.GetAsync("/api/erasures/erasure-nope"), HttpStatusCode.NotFound, "no erasure");

        await Problem(await fx.CoachAApi.PutAsJsonAsync("/api/retention", new { months = 12 }), HttpStatusCode.Forbidden, "firm admin");
        await Problem(await fx.AdminB.PutAsJsonAsync("/api/retention", new { months = 0 }), HttpStatusCode.BadRequest, "between 1 and 240");
        await Problem(await fx.AdminB.PutAsJsonAsync("/api/retention", new { months = 1000 }), HttpStatusCode.BadRequest, "between 1 and 240");
        await Problem(await fx.AdminB.PutAsJsonAsync("/api/retention", new { }), HttpStatusCode.BadRequest, "months");
        await Problem(await fx.AdminB.PutAsync("/api/retention", new StringContent("{\"months\":\"soon\"}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "JSON");
        Assert.Equal(JsonValueKind.Null, (await fx.AdminB.GetFromJsonAsync<JsonElement>("/api/retention")).GetProperty("months").ValueKind); // unchanged: off
        Assert.Equal(JsonValueKind.Null, (await fx.CoachAApi.GetFromJsonAsync<JsonElement>("/api/retention")).GetProperty("months").ValueKind); // a coach may read it
    }

    [Fact]
    public async Task GivenAFirmThatKeepsEngagementsOneMonth_WhenOneHasEndedAMonthAgo_ThenTheSweepErasesItAndLeavesTheRunningOne()
    {
        var (firm, _, adminToken) = await fx.Tenancy.CreateFirmAsync("Brief Keepers", "Rae Admin", $"rae.{Guid.NewGuid():N}@brief.test", TimeSpan.FromDays(1));
        var coach = await fx.Tenancy.AddCoachAsync(firm.FirmId, "Kit Coach", $"kit.{Guid.NewGuid():N}@brief.test", Role.Coach, null);
        using var admin = fx.Client(adminToken.Token);
        using var coachApi = fx.Client((await fx.Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token);
        using (var set = await admin.PutAsJsonAsync("/api/retention", new { months = 1 })) Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(1, (await coachApi.GetFromJsonAsync<JsonElement>("/api/retention")).GetProperty("months").GetInt32());

        var endedEmail = $"ended.{Guid.NewGuid():N}@client.test";
        var ended = await Start(coachApi, "Edda Ended", endedEmail);
        var running = await Start(coachApi, "Rory Running", $"running.{Guid.NewGuid():N}@client.test");
        using (var end = await coachApi.PostAsJsonAsync($"/api/engagements/{ended}/end", new { reason = "The client took a new role." }))
            Assert.Equal(HttpStatusCode.OK, end.StatusCode);

        // A month (three seconds here) after it ended, the sweep erases it as any erasure would.
        await fx.UntilAsync(async () => (await coachApi.GetAsync($"/api/engagements/{ended}")).StatusCode == HttpStatusCode.NotFound, "the ended engagement erased",
            TimeSpan.FromSeconds(60));
        // The engagement reads as gone once its snapshot is, while the erasure goes on to its documents and rows: wait for it.
        JsonElement audit = default;
        await fx.UntilAsync(async () => (audit = await admin.GetFromJsonAsync<JsonElement>("/api/erasures")).GetProperty("items").EnumerateArray()
            .Any(e => e.GetProperty("status").GetString() != "running"), "the retention erasure finished", TimeSpan.FromSeconds(60));
        var erasure = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal(("engagement", "retention", "completed", "retention"), (erasure.GetProperty("kind").GetString(), erasure.GetProperty("reason").GetString(),
            erasure.GetProperty("status").GetString(), erasure.GetProperty("requestedBy").GetString()));
        Assert.Contains(await fx.IndexAsync(firm.FirmId), e => e.Status == EngagementStatus.Erased && e.Category == "demo-accelerated");
        await fx.UntilAsync(async () => (await AzuriteSearch.FindAsync(fx.ConnectionString, [endedEmail, "Edda Ended"])).Count == 0, "no trace of the ended client left");

        // The running one, older than a month by now, stays: retention counts from when an engagement is over.
        await Task.Delay(ErasureFixture.Month * 2);
        Assert.Equal(HttpStatusCode.OK, (await coachApi.GetAsync($"/api/engagements/{running}")).StatusCode);
        using (var off = await admin.PutAsJsonAsync("/api/retention", new { months = (int?)null })) Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await admin.GetFromJsonAsync<JsonElement>("/api/retention")).GetProperty("months").ValueKind);
    }

    private static async Task<string> Start(HttpClient coach, string name, string email)
    {
        using var response = await coach.PostAsJsonAsync("/api/engagements", new { clientName = name, clientEmail = email, programId = "demo-accelerated" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task Problem(HttpResponseMessage response, HttpStatusCode status, string saying)
    {
        using var _ = response;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} instead of {(int)status}: {body}");
        Assert.Contains(saying, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
