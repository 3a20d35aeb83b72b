using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CoachFlow.Web.Tests.Api;

public sealed class CoachApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static object NewEngagement(string name = "Dana Client", string? sponsorId = null) => new
    {
        clientName = name,
        clientEmail = $"dana.{Guid.NewGuid():N}@example.com",
        programId = "career-6",
        overallGoals = new[] { "A leadership role in renewable energy within 12–18 months with at least 15% higher total pay" },
        sponsorId,
    };

    private async Task<string> StartAsync(HttpClient client, object? body = null)
    {
        using var response = await client.PostAsJsonAsync("/api/engagements", body ?? NewEngagement());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    [Fact]
    public async Task GivenACoachToken_WhenAskingWhoIAm_ThenTheCoachAndFirmComeBack()
    {
        var me = await api.CoachA.GetFromJsonAsync<JsonElement>("/api/me");

        Assert.Equal(("Cleo Coach", "coach", "Firm A"), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString(), me.GetProperty("firmName").GetString()));
    }

    [Fact]
    public async Task GivenNoAWrongARevokedOrAnExpiredToken_Then401WithAMessageThatSaysWhatToDo()
    {
        var revoked = await api.Tenancy.IssueTokenAsync(api.CoachAIdentity, TimeSpan.FromDays(1));
        await api.Tenancy.RevokeAsync(api.CoachAIdentity.FirmId, revoked.TokenId);
        var expired = await api.Tenancy.IssueTokenAsync(api.CoachAIdentity, TimeSpan.FromSeconds(-1));

        var cases = new (HttpClient Client, string Says)[]
        {
            (api.Anonymous, "Bearer"),
            (api.Client("cfp_not-a-real-token"), "not known"),
            (api.Client(revoked.Token), "revoked"),
            (api.Client(expired.Token), "expired"),
        };
        foreach (var (client, says) in cases)
        {
            using var response = await client.GetAsync("/api/engagements");
            var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Contains(says, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GivenANewClient_WhenTheCoachStartsAnEngagement_ThenItWaitsForTheSignatureAndARetryWithTheSameKeyReturnsTheSameOne()
    {
        var body = NewEngagement();
        using var request1 = new HttpRequestMessage(HttpMethod.Post, "/api/engagements") { Content = JsonContent.Create(body) };
        request1.Headers.Add("Idempotency-Key", "start-dana-1");
        using var first = await api.CoachA.SendAsync(request1);
        using var request2 = new HttpRequestMessage(HttpMethod.Post, "/api/engagements") { Content = JsonContent.Create(body) };
        request2.Headers.Add("Idempotency-Key", "start-dana-1");
        using var second = await api.CoachA.SendAsync(request2);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>();
        var b = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("id").GetString(), b.GetProperty("id").GetString());
        Assert.Equal(("contract", "client-signature"), (a.GetProperty("phase").GetString(), a.GetProperty("waitingFor").GetString()));
        var detail = await api.CoachA.GetFromJsonAsync<JsonElement>($"/api/engagements/{a.GetProperty("id").GetString()}");
        Assert.Equal(["engagement-started", "contract-sent"], detail.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task GivenFirmAEngagement_WhenFirmBOrAnotherCoachTouchesIt_Then404AndNoExistenceLeak()
    {
        var id = await StartAsync(api.CoachA);
        var missing = "eng-" + new string('0', 20);

        foreach (var client in new[] { api.CoachB, api.OtherCoachA })
        {
            using var get = await client.GetAsync($"/api/engagements/{id}");
            using var getMissing = await client.GetAsync($"/api/engagements/{missing}");
            using var schedule = await client.PostAsJsonAsync($"/api/engagements/{id}/sessions", new { number = 1, startAt = DateTimeOffset.UtcNow.AddDays(3), timeZoneId = "Europe/Berlin" });
            using var chart = await client.GetAsync($"/api/engagements/{id}/charts/wheel.svg");
            await ProblemAsync(get, HttpStatusCode.NotFound);
            await ProblemAsync(schedule, HttpStatusCode.NotFound);
            await ProblemAsync(chart, HttpStatusCode.NotFound);
            var problem = await ProblemAsync(getMissing, HttpStatusCode.NotFound);
            Assert.Equal((await ProblemAsync(await client.GetAsync($"/api/engagements/{id}"), HttpStatusCode.NotFound)).GetProperty("title").GetString(), problem.GetProperty("title").GetString());
        }
        var listB = await api.CoachB.GetFromJsonAsync<JsonElement>("/api/engagements");
        Assert.DoesNotContain(id, listB.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await api.AdminA.GetAsync($"/api/engagements/{id}")).StatusCode);
    }

    [Fact]
    public async Task GivenASponsor_ThenTheySeeProgressButNoAnswersOrActionTextsAndCannotChangeAnything()
    {
        var id = await StartAsync(api.CoachA, NewEngagement(sponsorId: api.SponsorAIdentity.CoachId));

        var detail = await api.SponsorA.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        using var write = await api.SponsorA.PostAsJsonAsync($"/api/engagements/{id}/pause", new { reason = "curious" });
        using var start = await api.SponsorA.PostAsJsonAsync("/api/engagements", NewEngagement());
        using var startNamingThemselves = await api.SponsorA.PostAsJsonAsync("/api/engagements", NewEngagement(sponsorId: api.SponsorAIdentity.CoachId));

        Assert.Equal(JsonValueKind.Null, detail.GetProperty("intake").ValueKind);
        Assert.Equal("contract", detail.GetProperty("phase").GetString());
        await ProblemAsync(write, HttpStatusCode.Forbidden);
        await ProblemAsync(start, HttpStatusCode.Forbidden);
        await ProblemAsync(startNamingThemselves, HttpStatusCode.Forbidden);
        var coachView = await api.CoachA.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        Assert.Equal(JsonValueKind.Object, coachView.GetProperty("intake").ValueKind);
    }

    [Fact]
    public async Task GivenEngagementsWithAndWithoutASponsor_ThenTheSponsorSeesOnlyThoseThatNameThem()
    {
        var sponsored = await StartAsync(api.CoachA, NewEngagement("Sponsored Client", api.SponsorAIdentity.CoachId));
        var unsponsored = await StartAsync(api.CoachA, NewEngagement("Private Client"));

        var listed = await api.SponsorA.GetFromJsonAsync<JsonElement>("/api/engagements?pageSize=500");
        var ids = listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();
        var detail = await api.SponsorA.GetFromJsonAsync<JsonElement>($"/api/engagements/{sponsored}");
        var hidden = await api.SponsorA.GetAsync($"/api/engagements/{unsponsored}");
        var hiddenDocument = await api.SponsorA.GetAsync($"/api/engagements/{unsponsored}/documents/contract-v1");
        var hiddenChart = await api.SponsorA.GetAsync($"/api/engagements/{unsponsored}/charts/wheel.svg");

        Assert.Contains(sponsored, ids);
        Assert.DoesNotContain(unsponsored, ids);
        Assert.Equal("contract", detail.GetProperty("phase").GetString());
        await ProblemAsync(hidden, HttpStatusCode.NotFound);
        await ProblemAsync(hiddenDocument, HttpStatusCode.NotFound);
        await ProblemAsync(hiddenChart, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await api.CoachA.GetAsync($"/api/engagements/{unsponsored}")).StatusCode);
    }

    [Theory]
    [InlineData("no-such-user", "There is no sponsor 'no-such-user' in your firm.")]
    [InlineData("../../tenancy", "There is no sponsor '../../tenancy' in your firm.")]
    [InlineData("", "sponsor id")]
    public async Task Given_a_sponsor_id_that_is_not_a_sponsor_of_the_firm_When_starting_Then_it_is_refused_with_a_reason(string sponsorId, string reason)
    {
        using var response = await api.CoachA.PostAsJsonAsync("/api/engagements", NewEngagement(sponsorId: sponsorId));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenACoach_WhenListingSponsors_ThenOnlyTheFirmsSponsorsComeBackWithoutEmails()
    {
        var listed = await api.CoachA.GetFromJsonAsync<JsonElement>("/api/sponsors");
        var otherFirm = await api.CoachB.GetFromJsonAsync<JsonElement>("/api/sponsors");
        using var asSponsor = await api.SponsorA.GetAsync("/api/sponsors");

        var sponsor = Assert.Single(listed.EnumerateArray());
        Assert.Equal((api.SponsorAIdentity.CoachId, "Sam Sponsor"), (sponsor.GetProperty("id").GetString(), sponsor.GetProperty("name").GetString()));
        Assert.False(sponsor.TryGetProperty("email", out _));
        Assert.Empty(otherFirm.EnumerateArray());
        await ProblemAsync(asSponsor, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task GivenEngagements_WhenListingByACohortNoneBelongsTo_ThenNoneComeBack()
    {
        await StartAsync(api.CoachA);

        var all = await api.CoachA.GetFromJsonAsync<JsonElement>("/api/engagements?pageSize=500");
        var inCohort = await api.CoachA.GetFromJsonAsync<JsonElement>("/api/engagements?cohort=no-such-cohort");

        Assert.NotEmpty(all.GetProperty("items").EnumerateArray());
        Assert.Empty(inCohort.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task GivenACoachNamedAsSponsor_WhenStarting_ThenItIsRefused()
    {
        using var response = await api.CoachA.PostAsJsonAsync("/api/engagements", NewEngagement(sponsorId: api.CoachAIdentity.CoachId));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("no sponsor", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", "JSON")]
    [InlineData("{\"clientName\": 42, \"clientEmail\": \"x@y.example\", \"programId\": \"career-6\"}", "JSON")]
    [InlineData("{\"clientEmail\": \"x@y.example\", \"programId\": \"career-6\"}", "client name")]
    [InlineData("{\"clientName\": \"X\", \"clientEmail\": \"not-an-email\", \"programId\": \"career-6\"}", "not an email address")]
    [InlineData("{\"clientName\": \"X\", \"clientEmail\": \"x@y.example\", \"programId\": \"astrology\"}", "career-6")]
    [InlineData("{\"clientName\": \"X\", \"clientEmail\": \"x@y.example\", \"programId\": \"career-6\", \"fee\": -5}", "fee")]
    public async Task Given_a_bad_start_request_Then_400_with_a_message_naming_the_problem_and_nothing_is_created(string body, string says)
    {
        var before = (await api.CoachA.GetFromJsonAsync<JsonElement>("/api/engagements?pageSize=500")).GetProperty("items").GetArrayLength();

        using var response = await api.CoachA.PostAsync("/api/engagements", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(says, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        await Task.Delay(200);
        Assert.Equal(before, (await api.CoachA.GetFromJsonAsync<JsonElement>("/api/engagements?pageSize=500")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task GivenABodyOverOneMegabyte_Then413AndNothingIsCreated()
    {
        var huge = JsonSerializer.Serialize(new { clientName = new string('x', 1_100_000), clientEmail = "x@y.example", programId = "career-6" });

        // Expect: 100-continue, so the client waits for the answer before it sends the body: the server refuses on the
        // declared length, and a client still writing when the connection closes would see a broken pipe, not the 413.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/engagements") { Content = new StringContent(huge, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        using var response = await api.CoachA.SendAsync(request);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task GivenBadSessionAndAgreementRequests_ThenEachIsRefusedWithAReasonAndTheEngagementIsUnchanged()
    {
        var id = await StartAsync(api.CoachA);
        var version = (await api.CoachA.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}")).GetProperty("version").GetInt64();

        using var zone = await api.CoachA.PostAsJsonAsync($"/api/engagements/{id}/sessions", new { number = 1, startAt = DateTimeOffset.UtcNow.AddDays(3), timeZoneId = "Mars/Olympus" });
        using var noStart = await api.CoachA.PostAsJsonAsync($"/api/engagements/{id}/sessions", new { number = 1, timeZoneId = "Europe/Berlin" });
        using var fourGoals = await api.CoachA.PutAsJsonAsync($"/api/engagements/{id}/sessions/1/agreement", new
        {
            grow = new { goal = "g", reality = "r", options = "o", will = "w" },
            goals = Enumerable.Range(1, 4).Select(i => new { description = $"goal {i}", measure = "m" }),
        });
        using var beforeSigning = await api.CoachA.PostAsJsonAsync($"/api/engagements/{id}/sessions", new { number = 1, startAt = DateTimeOffset.UtcNow.AddDays(3), timeZoneId = "Europe/Berlin" });

        Assert.Contains("time zone", (await ProblemAsync(zone, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("startAt", (await ProblemAsync(noStart, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("1 to 3", (await ProblemAsync(fourGoals, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(beforeSigning.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict, $"scheduling before the contract is signed answered {beforeSigning.StatusCode}");
        var after = await api.CoachA.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        Assert.Equal("contract", after.GetProperty("phase").GetString());
        Assert.Equal(version, after.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task GivenAScriptInAClientName_ThenItIsStoredAndReturnedAsPlainText()
    {
        const string payload = "<script>alert('x')</script> Dana";
        var id = await StartAsync(api.CoachA, NewEngagement(payload));

        using var response = await api.CoachA.GetAsync($"/api/engagements/{id}");
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("<script>", raw, StringComparison.Ordinal); // JSON escapes angle brackets
        Assert.Equal(payload, JsonDocument.Parse(raw).RootElement.GetProperty("clientName").GetString());
    }

    [Fact]
    public async Task GivenAnEngagement_ThenItsChartsAreAccessibleSvg()
    {
        var id = await StartAsync(api.CoachA);

        using var wheel = await api.CoachA.GetAsync($"/api/engagements/{id}/charts/wheel.svg");
        using var trend = await api.CoachA.GetAsync($"/api/engagements/{id}/charts/trend.svg");

        foreach (var chart in new[] { wheel, trend })
        {
            Assert.Equal("image/svg+xml", chart.Content.Headers.ContentType?.MediaType);
            var svg = await chart.Content.ReadAsStringAsync();
            Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
            Assert.Contains("role=\"img\"", svg, StringComparison.Ordinal);
            Assert.Contains("<title", svg, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GivenTheApp_ThenItServesItsOpenAPIDocumentWithTheCoachEndpoints()
    {
        var doc = await api.Anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/engagements", paths);
        Assert.Contains("/api/engagements/{id}/sessions/{number}/agreement", paths);
    }

    [Fact]
    public async Task GivenAFirmAdmin_ThenListingFiltersByPhaseAndTheBadgeCountsWhatNeedsTheCoach()
    {
        var id = await StartAsync(api.CoachA);
        await Task.Delay(300); // index rows are written just after the step

        var contract = await api.AdminA.GetFromJsonAsync<JsonElement>("/api/engagements?phase=contract&pageSize=500");
        var sessions = await api.AdminA.GetFromJsonAsync<JsonElement>("/api/engagements?phase=sessions");
        var badge = await api.CoachA.GetFromJsonAsync<JsonElement>("/api/badge");
        using var badPhase = await api.AdminA.GetAsync("/api/engagements?status=dancing");

        Assert.Contains(id, contract.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.DoesNotContain(id, sessions.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(0, badge.GetProperty("count").GetInt32()); // contracts are out, none overdue or flagged yet
        await ProblemAsync(badPhase, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task GivenAnEngagement_ThenItsContractDocumentIsReadableByItsFirmAndHiddenFromOthers()
    {
        var id = await StartAsync(api.CoachA, NewEngagement(sponsorId: api.SponsorAIdentity.CoachId));
        HttpResponseMessage? contract = null;
        for (var i = 0; i < 50 && contract?.StatusCode != HttpStatusCode.OK; i++) // the document is written just after the step
        {
            await Task.Delay(100);
            contract = await api.CoachA.GetAsync($"/api/engagements/{id}/documents/contract-v1");
        }

        Assert.Equal(HttpStatusCode.OK, contract!.StatusCode);
        Assert.Equal("text/html", contract.Content.Headers.ContentType?.MediaType);
        var html = await contract.Content.ReadAsStringAsync();
        Assert.Contains("Coaching agreement", html, StringComparison.Ordinal);
        Assert.Contains("sponsored by Sam Sponsor", html, StringComparison.Ordinal); // the client signs knowing who else sees progress
        Assert.Equal(HttpStatusCode.OK, (await api.SponsorA.GetAsync($"/api/engagements/{id}/documents/contract-v1")).StatusCode);
        await ProblemAsync(await api.CoachB.GetAsync($"/api/engagements/{id}/documents/contract-v1"), HttpStatusCode.NotFound);
        await ProblemAsync(await api.CoachA.GetAsync($"/api/engagements/{id}/documents/no-such-document"), HttpStatusCode.NotFound);
        await ProblemAsync(await api.CoachA.GetAsync($"/api/engagements/{id}/documents/..%2F..%2Fsecrets"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GivenAnEngagementWithItsContract_WhenAFirmAdminErasesItWithItsIdTypedAgain_ThenNothingOfItIsLeft()
    {
        var id = await StartAsync(api.CoachA);
        HttpResponseMessage? contract = null;
        for (var i = 0; i < 100 && contract?.StatusCode != HttpStatusCode.OK; i++) // the document is written just after the step
        {
            await Task.Delay(100);
            contract = await api.CoachA.GetAsync($"/api/engagements/{id}/documents/contract-v1");
        }
        Assert.Equal(HttpStatusCode.OK, contract!.StatusCode);

        // Only a firm admin, only with the id typed again, only in their firm.
        await ProblemAsync(await api.CoachA.DeleteAsync($"/api/engagements/{id}?confirm={id}"), HttpStatusCode.Forbidden);
        await ProblemAsync(await api.CoachB.DeleteAsync($"/api/engagements/{id}?confirm={id}"), HttpStatusCode.NotFound); // firm B's admin: not theirs
        var unconfirmed = await ProblemAsync(await api.AdminA.DeleteAsync($"/api/engagements/{id}"), HttpStatusCode.BadRequest);
        Assert.Contains($"confirm={id}", unconfirmed.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await api.CoachA.GetAsync($"/api/engagements/{id}")).StatusCode);

        using var erased = await api.AdminA.DeleteAsync($"/api/engagements/{id}?confirm={id}");
        Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        await ProblemAsync(await api.CoachA.GetAsync($"/api/engagements/{id}"), HttpStatusCode.NotFound);
        await ProblemAsync(await api.CoachA.GetAsync($"/api/engagements/{id}/documents/contract-v1"), HttpStatusCode.NotFound);
        var listed = await api.AdminA.GetFromJsonAsync<JsonElement>("/api/engagements?pageSize=500");
        Assert.DoesNotContain(id, listed.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        await ProblemAsync(await api.AdminA.DeleteAsync($"/api/engagements/{id}?confirm={id}"), HttpStatusCode.NotFound);
    }
}
