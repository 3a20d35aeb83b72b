using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static CoachFlow.Web.Tests.OutboundWebhooks.WebhookFixture;

namespace CoachFlow.Web.Tests.OutboundWebhooks;

/// <summary>
/// The webhook API through the real host: who may use it, what it refuses and why, and deliveries as the independent
/// receiver sees them (signatures verified by the npm library) when endpoints fail, recover, answer 410 and are resent.
/// </summary>
public sealed class WebhookApiTests(WebhookFixture api) : IClassFixture<WebhookFixture>
{
    [Fact]
    public async Task GivenAnEndpointOfFirmA_WhenACoachASponsorAndAnotherFirmsAdminReachForIt_ThenCoachAndSponsorAre403WithAReason_AndTheOtherFirmFindsNothing()
    {
        var (id, box) = await api.RegisterAsync(api.AdminA, "engagement.started");
        var create = new { url = api.Receiver.Url(box), events = new[] { "engagement.started" } };

        foreach (var (who, client) in new[] { ("coach", api.CoachA), ("sponsor", api.SponsorA) })
        {
            using var posted = await client.PostAsJsonAsync("/api/webhooks", create);
            await AssertProblemAsync(posted, HttpStatusCode.Forbidden, who == "coach" ? "managed by the firm's admins" : "A sponsor reads the progress");
            using var listed = await client.GetAsync("/api/webhooks");
            await AssertProblemAsync(listed, HttpStatusCode.Forbidden, "firm's admins");
            using var read = await client.GetAsync($"/api/webhooks/{id}/deliveries");
            await AssertProblemAsync(read, HttpStatusCode.Forbidden, "firm's admins");
        }

        using (var other = await api.AdminB.GetAsync($"/api/webhooks/{id}")) await AssertProblemAsync(other, HttpStatusCode.NotFound, "no webhook endpoint");
        using (var other = await api.AdminB.PatchAsJsonAsync($"/api/webhooks/{id}", new { enabled = false })) await AssertProblemAsync(other, HttpStatusCode.NotFound, "no webhook endpoint");
        using (var other = await api.AdminB.GetAsync($"/api/webhooks/{id}/deliveries")) await AssertProblemAsync(other, HttpStatusCode.NotFound, "no webhook endpoint");
        using (var other = await api.AdminB.PostAsync($"/api/webhooks/{id}/deliveries/msg_x_1/resend", null)) await AssertProblemAsync(other, HttpStatusCode.NotFound, "no webhook endpoint");
        using (var other = await api.AdminB.DeleteAsync($"/api/webhooks/{id}")) await AssertProblemAsync(other, HttpStatusCode.NotFound, "no webhook endpoint");
        var theirs = await api.AdminB.GetFromJsonAsync<JsonElement>("/api/webhooks");
        Assert.DoesNotContain(theirs.GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetString() == id);
        Assert.Equal("enabled", (await EndpointAsync(api.AdminA, id)).GetProperty("status").GetString()); // untouched
    }

    [Fact]
    public async Task GivenAnAdmin_WhenTheyRegisterReadChangeAndRemoveAnEndpoint_ThenTheSecretIsShownOnce_ChangesHold_AndRemovingItTakesItsLogToo()
    {
        var (_, admin, adminApi, coachApi) = await api.NewFirmAsync("Lifecycle Coaching");
        using var created = await adminApi.PostAsJsonAsync("/api/webhooks", new { url = api.Receiver.Url("lifecycle"), events = new[] { "engagement.ended", "engagement.started", "engagement.started" }, description = "CRM" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var endpoint = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = endpoint.GetProperty("id").GetString()!;
        Assert.Equal($"/api/webhooks/{id}", created.Headers.Location?.OriginalString);
        Assert.StartsWith("whsec_", endpoint.GetProperty("secret").GetString(), StringComparison.Ordinal);
        Assert.Equal(["engagement.started", "engagement.ended"], endpoint.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(admin.CoachId, endpoint.GetProperty("createdBy").GetString());

        var read = await EndpointAsync(adminApi, id);
        Assert.False(read.TryGetProperty("secret", out _));
        Assert.DoesNotContain("whsec_", await adminApi.GetStringAsync("/api/webhooks"), StringComparison.Ordinal);

        using var changed = await adminApi.PatchAsJsonAsync($"/api/webhooks/{id}", new { events = new[] { "contract.signed" }, description = "", enabled = false });
        var after = await changed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((HttpStatusCode.OK, "disabled", "contract.signed", JsonValueKind.Null), (changed.StatusCode, after.GetProperty("status").GetString(),
            after.GetProperty("events")[0].GetString(), after.GetProperty("description").ValueKind));
        Assert.Contains(admin.CoachId, after.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);

        // A disabled endpoint keeps its deliveries: they wait. Then it goes, and its log with it.
        await adminApi.PatchAsJsonAsync($"/api/webhooks/{id}", new { events = new[] { "engagement.started" } });
        var engagement = await StartAsync(coachApi, "Lee Lifecycle");
        var kept = Assert.Single(await UntilAsync(() => LogAsync(adminApi, id), log => log.Count == 1, "the delivery kept for the disabled endpoint"));
        Assert.Equal(("pending", 0, engagement), (kept.GetProperty("status").GetString(), kept.GetProperty("attempts").GetInt32(), kept.GetProperty("engagementId").GetString()));
        using (var removed = await adminApi.DeleteAsync($"/api/webhooks/{id}")) Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using (var gone = await adminApi.GetAsync($"/api/webhooks/{id}")) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using (var gone = await adminApi.GetAsync($"/api/webhooks/{id}/deliveries")) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var rows = 0;
        await foreach (var _ in api.Storage.Table("webhookdeliveries").QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"Stream eq {engagement}"))) rows++;
        Assert.Equal(0, rows);
    }

    public static TheoryData<string, string, string> BadRegistrations() => new()
    {
        { "{}", "Give the endpoint's 'url'", "no url" },
        { """{"url": "not a url", "events": ["engagement.started"]}""", "is not an absolute http(s) URL", "not a URL" },
        { """{"url": "ftp://files.example.com/in", "events": ["engagement.started"]}""", "is not an absolute http(s) URL", "not http(s)" },
        { """{"url": "https://me:pw@hooks.example.com/x", "events": ["engagement.started"]}""", "user name or password", "credentials in the URL" },
        { """{"url": "https://hooks.example.com/x#part", "events": ["engagement.started"]}""", "fragment", "a fragment" },
        { $$"""{"url": "https://hooks.example.com/{{new string('a', 2000)}}", "events": ["engagement.started"]}""", "at most 2000 characters", "a long URL" },
        { """{"url": "https://hooks.example.com/x"}""", "Say which events", "no events" },
        { """{"url": "https://hooks.example.com/x", "events": []}""", "at least one event type", "empty events" },
        { """{"url": "https://hooks.example.com/x", "events": ["engagement.paused"]}""", "no event type 'engagement.paused'", "an unknown event" },
        { $$"""{"url": "https://hooks.example.com/x", "events": ["flag.raised"], "description": "{{new string('d', 501)}}"}""", "at most 500 characters", "a long description" },
        { """{"url": "https://hooks.example.com/x", "events": ["flag.raised"], "description": "two\nlines"}""", "without control characters", "a control character" },
        { """{"url": "https://hooks.example.com/x", "events": ["flag.raised"], "colour": "blue"}""", "could not be read", "an unknown field" },
        { """{"url": "https://hooks.example.com/x", "events": "flag.raised"}""", "could not be read", "events not a list" },
        { """{"url": """, "could not be read", "broken JSON" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task GivenABadRegistration_WhenAnAdminPostsIt_ThenA400SaysWhy(string body, string reason, string what)
    {
        using var response = await api.AdminA.PostAsync("/api/webhooks", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, reason, what);
    }

    [Fact]
    public async Task GivenAnEndpoint_WhenTheAdminSendsBadChangesOrBadLogQueries_ThenEachIsA400ThatSaysWhy_AndUnknownDeliveriesAre404()
    {
        var (id, _) = await api.RegisterAsync(api.AdminA, "engagement.started");
        (string Method, string Path, string? Body, HttpStatusCode Status, string Reason)[] cases =
        [
            ("PATCH", $"/api/webhooks/{id}", "{}", HttpStatusCode.BadRequest, "Nothing to change"),
            ("PATCH", $"/api/webhooks/{id}", """{"events": ["session.cancelled"]}""", HttpStatusCode.BadRequest, "no event type 'session.cancelled'"),
            ("PATCH", $"/api/webhooks/{id}", """{"url": "mailto:ops@example.com"}""", HttpStatusCode.BadRequest, "not an absolute http(s) URL"),
            ("PATCH", $"/api/webhooks/{id}", """{"enabled": "yes"}""", HttpStatusCode.BadRequest, "could not be read"),
            ("GET", $"/api/webhooks/{id}/deliveries?status=lost", null, HttpStatusCode.BadRequest, "no delivery status 'lost'"),
            ("GET", $"/api/webhooks/{id}/deliveries?pageSize=0", null, HttpStatusCode.BadRequest, "pageSize is a whole number from 1 to 200"),
            ("GET", $"/api/webhooks/{id}/deliveries?pageSize=201", null, HttpStatusCode.BadRequest, "pageSize is a whole number from 1 to 200"),
            ("GET", $"/api/webhooks/{id}/deliveries?pageSize=ten", null, HttpStatusCode.BadRequest, "pageSize is a whole number from 1 to 200"),
            ("GET", $"/api/webhooks/{id}/deliveries?continuationToken=%21%21%21", null, HttpStatusCode.BadRequest, "continuationToken is not one this API gave out"),
            ("GET", $"/api/webhooks/{id}/deliveries?engagementId=a%2Fb", null, HttpStatusCode.BadRequest, "An engagementId is"),
            ("GET", $"/api/webhooks/{id}/deliveries/msg_eng-nothing_1", null, HttpStatusCode.NotFound, "no delivery 'msg_eng-nothing_1'"),
            ("POST", $"/api/webhooks/{id}/deliveries/not-a-delivery/resend", null, HttpStatusCode.NotFound, "no delivery 'not-a-delivery'"),
            ("GET", "/api/webhooks/wh-nothing-here", null, HttpStatusCode.NotFound, "no webhook endpoint 'wh-nothing-here'"),
        ];
        foreach (var (method, path, body, status, reason) in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await api.AdminA.SendAsync(request);
            await AssertProblemAsync(response, status, reason, $"{method} {path} {body}");
        }
    }

    [Fact]
    public async Task GivenAFirmWithTwentyEndpoints_WhenItsAdminRegistersOneMore_ThenA400SaysHowManyAFirmMayHave()
    {
        var (_, _, adminApi, _) = await api.NewFirmAsync("Many Hooks Coaching");
        for (var i = 0; i < 20; i++)
        {
            using var created = await adminApi.PostAsJsonAsync("/api/webhooks", new { url = api.Receiver.Url($"many{i}"), events = new[] { "flag.raised" } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        using var refused = await adminApi.PostAsJsonAsync("/api/webhooks", new { url = api.Receiver.Url("many20"), events = new[] { "flag.raised" } });
        await AssertProblemAsync(refused, HttpStatusCode.BadRequest, "at most 20 webhook endpoints");
        Assert.Equal(20, (await adminApi.GetFromJsonAsync<JsonElement>("/api/webhooks")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task GivenAnEndpointThatFailsTwice_WhenAnEngagementStarts_ThenTheThirdAttemptDeliversWithTheSameWebhookId_AndTheLogShowsTheAttemptsAndTheLastError()
    {
        var (_, _, adminApi, coachApi) = await api.NewFirmAsync("Retry Coaching");
        var (id, box) = await api.RegisterAsync(adminApi, "engagement.started");
        await api.Receiver.ConfigureAsync(box, new { failNext = 2 });

        var engagement = await StartAsync(coachApi, "Rory Retry");

        var got = await UntilAsync(() => api.Receiver.ReceivedAsync(box), r => r.Any(x => x.Answered == 200), "the delivery to go through");
        Assert.Equal([500, 500, 200], got.Select(r => r.Answered));
        Assert.All(got, r => Assert.True(r.Verified, r.Error));
        Assert.Equal([$"msg_{engagement}_1"], got.Select(r => r.Id).Distinct()); // the same webhook-id on every attempt
        Assert.Equal(got.Select(r => long.Parse(r.Timestamp, System.Globalization.CultureInfo.InvariantCulture)).Order(), got.Select(r => long.Parse(r.Timestamp, System.Globalization.CultureInfo.InvariantCulture)));

        var logged = Assert.Single(await LogAsync(adminApi, id));
        Assert.Equal(($"msg_{engagement}_1", "engagement.started", "delivered", 3, 200), (logged.GetProperty("id").GetString(), logged.GetProperty("type").GetString(),
            logged.GetProperty("status").GetString(), logged.GetProperty("attempts").GetInt32(), logged.GetProperty("lastStatusCode").GetInt32()));
        Assert.Equal("HTTP 500 Internal Server Error", logged.GetProperty("lastError").GetString());
        var one = await adminApi.GetFromJsonAsync<JsonElement>($"/api/webhooks/{id}/deliveries/msg_{engagement}_1");
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(got[0].Body).RootElement, one.GetProperty("body")), "the body kept is the body sent");
        Assert.Equal(engagement, one.GetProperty("body").GetProperty("data").GetProperty("engagementId").GetString());
        var endpoint = await EndpointAsync(adminApi, id);
        Assert.Equal((JsonValueKind.Null, 0), (endpoint.GetProperty("failingSince").ValueKind, endpoint.GetProperty("consecutiveFailures").GetInt32()));
    }

    [Fact]
    public async Task GivenOneEngagementsDeliveriesFailing_WhenItAndAnotherEngagementGoOn_ThenItsLaterEventWaitsBehindIt_TheOtherEngagementsArrive_AndAllArriveInOrderOnceItRecovers()
    {
        var (_, _, adminApi, coachApi) = await api.NewFirmAsync("Order Coaching");
        var (id, box) = await api.RegisterAsync(adminApi, "engagement.started", "engagement.ended");
        await api.Receiver.ConfigureAsync(box, new { failAll = true });
        var failing = await StartAsync(coachApi, "Ann Order");
        await UntilAsync(() => api.Receiver.ReceivedAsync(box), r => r.Any(x => x.EngagementId == failing), "the first failed attempt");
        await api.Receiver.ConfigureAsync(box, new { failAll = false, failEngagement = failing });

        await EndAsync(coachApi, failing, "Moved abroad");
        var other = await StartAsync(coachApi, "Ben Order");
        await EndAsync(coachApi, other, "Found a new role");

        // The other engagement's events arrive, in order; the failing one's end waits behind its start, never attempted.
        var got = await UntilAsync(() => api.VerifiedAsync(box), r => r.Count(x => x.EngagementId == other && x.Answered == 200) == 2, "the other engagement's two events");
        Assert.Equal(["engagement.started", "engagement.ended"], got.Where(x => x.EngagementId == other).Select(x => x.Type));
        var waiting = await UntilAsync(() => LogAsync(adminApi, id, $"&engagementId={failing}"), log => log.Count == 2 && log[0].GetProperty("attempts").GetInt32() >= 2,
            "the failing engagement's start to be tried again");
        Assert.Equal(("pending", "engagement.ended", 0), (waiting[1].GetProperty("status").GetString(), waiting[1].GetProperty("type").GetString(), waiting[1].GetProperty("attempts").GetInt32()));
        Assert.DoesNotContain(await api.Receiver.ReceivedAsync(box), x => x.EngagementId == failing && x.Type == "engagement.ended");

        await api.Receiver.ConfigureAsync(box, new { failEngagement = (string?)null });
        got = await UntilAsync(() => api.VerifiedAsync(box), r => r.Count(x => x.EngagementId == failing && x.Answered == 200) == 2, "the recovered engagement's two events");
        var recovered = got.Where(x => x.EngagementId == failing).ToList();
        Assert.Equal("engagement.ended", recovered[^1].Type);
        Assert.True(recovered.FindLastIndex(x => x.Type == "engagement.started") < recovered.FindIndex(x => x.Type == "engagement.ended"), "its start came before its end, every time");
        Assert.All(await LogAsync(adminApi, id), d => Assert.Equal("delivered", d.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task GivenAnEndpointThatAnswers410_WhenAnEventGoesToIt_ThenItIsSwitchedOffAtOnceAndTheAdminEmailed_AResendIs409_AndSwitchingItOnDeliversWhatWaitedInOrder()
    {
        var (firmId, admin, adminApi, coachApi) = await api.NewFirmAsync("Gone Coaching");
        var (id, box) = await api.RegisterAsync(adminApi, "engagement.started", "engagement.ended");
        await api.Receiver.ConfigureAsync(box, new { gone = true });
        var engagement = await StartAsync(coachApi, "Gail Gone");

        var endpoint = await UntilAsync(() => EndpointAsync(adminApi, id), e => e.GetProperty("status").GetString() == "disabled", "the endpoint to be switched off");
        Assert.Contains("410 Gone", endpoint.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);
        Assert.Single(await api.Receiver.ReceivedAsync(box)); // at once: no retry of a 410
        var emails = await UntilAsync(() => api.Maildev.ReadAsync(new HashSet<string> { "webhook-endpoint-disabled" }), m => m.Any(e => e.To == admin.Email), "the email to the firm's admin");
        var email = Assert.Single(emails, e => e.To == admin.Email);
        Assert.Equal("webhook-endpoint-disabled", email.Kind);
        Assert.Contains(api.Receiver.Url(box).AbsoluteUri, email.Text, StringComparison.Ordinal);
        Assert.Contains(id, email.Text, StringComparison.Ordinal);
        Assert.Contains("HTTP 410", email.Text, StringComparison.Ordinal);
        Assert.Contains($"./coachflow webhooks enable --firm {firmId} --endpoint {id}", email.Text, StringComparison.Ordinal);
        Assert.Contains("{\"enabled\": true}", email.Text, StringComparison.Ordinal);

        await EndAsync(coachApi, engagement, "Not the right time");
        await UntilAsync(() => LogAsync(adminApi, id), log => log.Count == 2, "the end kept for the switched-off endpoint");
        using (var resend = await adminApi.PostAsync($"/api/webhooks/{id}/deliveries/msg_{engagement}_1/resend", null))
            await AssertProblemAsync(resend, HttpStatusCode.Conflict, "is switched off");
        Assert.Single(await api.Receiver.ReceivedAsync(box));

        await api.Receiver.ConfigureAsync(box, new { gone = false });
        using (var on = await adminApi.PatchAsJsonAsync($"/api/webhooks/{id}", new { enabled = true }))
        {
            var back = await on.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("enabled", JsonValueKind.Null, 0), (back.GetProperty("status").GetString(), back.GetProperty("disabledReason").ValueKind, back.GetProperty("consecutiveFailures").GetInt32()));
        }
        var got = await UntilAsync(() => api.VerifiedAsync(box), r => r.Count(x => x.Answered == 200) == 2, "what waited to go out");
        Assert.Equal(["engagement.started", "engagement.ended"], got.Where(x => x.Answered == 200).Select(x => x.Type));
        Assert.Single(await api.Maildev.ReadAsync(new HashSet<string> { "webhook-endpoint-disabled" }), e => e.To == admin.Email); // one email
    }

    [Fact]
    public async Task GivenDeliveredEvents_WhenTheAdminPagesAndFiltersTheLogAndResendsOne_ThenTheReceiverGetsTheSameWebhookIdAgain_AndTheLogCountsTheAttempt()
    {
        var (_, _, adminApi, coachApi) = await api.NewFirmAsync("Resend Coaching");
        var (id, box) = await api.RegisterAsync(adminApi, "engagement.started", "engagement.ended");
        var first = await StartAsync(coachApi, "Rae Resend");
        await EndAsync(coachApi, first, "Finished early");
        var second = await StartAsync(coachApi, "Sol Resend");
        await UntilAsync(() => api.VerifiedAsync(box), r => r.Count == 3, "three deliveries");

        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await adminApi.GetFromJsonAsync<JsonElement>($"/api/webhooks/{id}/deliveries?pageSize=1{(token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}")}");
            Assert.Equal(1, page.GetProperty("items").GetArrayLength());
            ids.Add(page.GetProperty("items")[0].GetProperty("id").GetString()!);
            token = page.GetProperty("continuationToken").GetString();
        }
        while (token is not null);
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(2, (await LogAsync(adminApi, id, $"&engagementId={first}")).Count);
        Assert.Single(await LogAsync(adminApi, id, $"&engagementId={second}"));
        Assert.Equal(3, (await LogAsync(adminApi, id, "&status=delivered")).Count);
        Assert.Empty(await LogAsync(adminApi, id, "&status=failed"));

        using var resent = await adminApi.PostAsync($"/api/webhooks/{id}/deliveries/msg_{first}_1/resend", null);
        var result = await resent.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((HttpStatusCode.OK, true, 200, 2, "delivered"), (resent.StatusCode, result.GetProperty("delivered").GetBoolean(), result.GetProperty("statusCode").GetInt32(),
            result.GetProperty("delivery").GetProperty("attempts").GetInt32(), result.GetProperty("delivery").GetProperty("status").GetString()));
        var got = await api.VerifiedAsync(box);
        Assert.Equal(4, got.Count);
        Assert.Equal($"msg_{first}_1", got[^1].Id);
        Assert.Equal(got.First(x => x.Id == $"msg_{first}_1").Body, got[^1].Body);
    }

    [Fact]
    public async Task GivenDeliveriesOfTwoEngagementsOnTwoEndpoints_WhenOneEngagementIsExportedThenErased_ThenItsDeliveriesAndStreamRowsGoFromEveryEndpoint_AndTheOthersStay()
    {
        var (firmId, _, adminApi, coachApi) = await api.NewFirmAsync("Erasure Coaching");
        var (first, firstBox) = await api.RegisterAsync(adminApi, "engagement.started", "engagement.ended");
        var (second, secondBox) = await api.RegisterAsync(adminApi, "engagement.ended");
        var erased = await StartAsync(coachApi, "Eve Erased");
        await EndAsync(coachApi, erased, "Asked to be forgotten");
        var kept = await StartAsync(coachApi, "Kai Kept");
        await UntilAsync(() => api.VerifiedAsync(firstBox), r => r.Count == 3, "three deliveries to the first endpoint");
        await UntilAsync(() => api.VerifiedAsync(secondBox), r => r.Count == 1, "one to the second");
        var store = new Web.OutboundWebhooks.WebhookStore(api.Storage);

        var exported = await store.DeliveriesOfEngagementAsync(firmId, erased, CancellationToken.None);
        (string, string)[] expected = [(first, "engagement.started"), (first, "engagement.ended"), (second, "engagement.ended")];
        Assert.Equal(expected.Order(), exported.Select(d => (d.EndpointId, d.Type)).Order());
        Assert.All(exported, d => Assert.Equal((erased, "delivered", 1), (JsonDocument.Parse(d.Body).RootElement.GetProperty("data").GetProperty("engagementId").GetString(), d.Status, d.Attempts)));

        Assert.Equal(3, await store.EraseEngagementAsync(firmId, erased, CancellationToken.None));
        Assert.Empty(await store.DeliveriesOfEngagementAsync(firmId, erased, CancellationToken.None));
        var left = 0;
        await foreach (var row in store.Deliveries.QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey gt {firmId + "|"} and PartitionKey lt {firmId + "}"}")))
        {
            Assert.DoesNotContain(erased, row.RowKey, StringComparison.Ordinal); // its stream rows too
            left++;
        }
        Assert.Equal(2, left); // the kept engagement's delivery and its stream row
        Assert.Single(await store.DeliveriesOfEngagementAsync(firmId, kept, CancellationToken.None));
        Assert.Equal(0, await store.EraseEngagementAsync(firmId, erased, CancellationToken.None)); // a repeat finds nothing
        Assert.Empty(await LogAsync(adminApi, second));
    }

    [Fact]
    public async Task GivenTheCommandLine_WhenAnEndpointIsAddedListedSwitchedOffAndOnAndRemoved_ThenEachStepSaysWhatItDid_AndTheSecretItPrintedSignsTheDeliveries()
    {
        var (firmId, _, _, coachApi) = await api.NewFirmAsync("Command Line Coaching");
        var box = "cli" + Guid.NewGuid().ToString("N")[..8];
        var added = await CliAsync(0, "add", "--firm", firmId, "--url", api.Receiver.Url(box).AbsoluteUri, "--events", "engagement.started,engagement.ended", "--description", "From the CLI");
        var id = Value(added, "endpoint");
        var secret = Value(added, "secret");
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        await api.Receiver.ConfigureAsync(box, new { secret });
        Assert.Contains($"{id}  enabled  {api.Receiver.Url(box).AbsoluteUri}  engagement.started,engagement.ended  (From the CLI)", await CliAsync(0, "list", "--firm", firmId), StringComparison.Ordinal);

        var engagement = await StartAsync(coachApi, "Cal Cli");
        var got = await UntilAsync(() => api.VerifiedAsync(box), r => r.Count == 1, "the delivery signed with the secret the CLI printed");
        Assert.Equal($"msg_{engagement}_1", got[0].Id);
        Assert.Contains($"msg_{engagement}_1  engagement.started  delivered  attempts 1", await CliAsync(0, "deliveries", "--firm", firmId, "--endpoint", id), StringComparison.Ordinal);
        Assert.Contains("delivered: HTTP 200", await CliAsync(0, "resend", "--firm", firmId, "--endpoint", id, "--delivery", $"msg_{engagement}_1"), StringComparison.Ordinal);

        Assert.Contains($"{id}: disabled", await CliAsync(0, "disable", "--firm", firmId, "--endpoint", id), StringComparison.Ordinal);
        Assert.Contains("is switched off", await CliAsync(3, "resend", "--firm", firmId, "--endpoint", id, "--delivery", $"msg_{engagement}_1"), StringComparison.Ordinal);
        Assert.Contains($"{id}: enabled", await CliAsync(0, "enable", "--firm", firmId, "--endpoint", id), StringComparison.Ordinal);
        Assert.Contains("no event type 'engagement.paused'", await CliAsync(2, "add", "--firm", firmId, "--url", api.Receiver.Url(box).AbsoluteUri, "--events", "engagement.paused"), StringComparison.Ordinal);
        Assert.Contains("There is no firm 'firm-nope'", await CliAsync(2, "list", "--firm", "firm-nope"), StringComparison.Ordinal);
        Assert.Contains($"removed: {id}", await CliAsync(0, "remove", "--firm", firmId, "--endpoint", id), StringComparison.Ordinal);
        Assert.DoesNotContain(id, await CliAsync(0, "list", "--firm", firmId), StringComparison.Ordinal);
    }

    private async Task<string> CliAsync(int exitCode, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet", [Repository.CliDll, "webhooks", .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(Repository.CliDll)!,
        };
        info.Environment["CoachFlow__Storage__ConnectionString"] = api.ConnectionString;
        info.Environment["CoachFlow__Storage__Prefix"] = api.Prefix;
        info.Environment["CoachFlow__Webhooks__AllowPrivateNetworks"] = "true";
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == exitCode, $"webhooks {string.Join(' ', args)} exited {process.ExitCode}, not {exitCode}:\n{output}");
        return output;
    }

    private static string Value(string output, string key) =>
        output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(key + ": ", StringComparison.Ordinal))[(key.Length + 2)..];

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason, string? what = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{what}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
