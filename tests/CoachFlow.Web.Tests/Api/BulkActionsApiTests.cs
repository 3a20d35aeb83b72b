using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.Tests.Lifecycle;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Tests.Api;

/// <summary>
/// The app as a real process on Azurite and maildev, with firm A (an admin, a coach, a sponsor) and firm B (an admin).
/// Each test adds coaches of its own, so what a filter picks is exactly that test's engagements.
/// </summary>
public sealed class BulkFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private AppProcess? _app;

    public Maildev Maildev { get; private set; } = null!;
    public TenancyStore Tenancy { get; private set; } = null!;
    public string FirmA { get; private set; } = "";
    public HttpClient AdminA { get; private set; } = null!;
    public HttpClient SponsorA { get; private set; } = null!;
    public string SponsorAId { get; private set; } = "";
    public HttpClient AdminB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        Maildev = await Maildev.StartAsync();
        var prefix = Repository.UniquePrefix();
        var storage = new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = prefix });
        await storage.EnsureCreatedAsync();
        Tenancy = new TenancyStore(storage, TimeProvider.System);
        await Tenancy.EnsureCreatedAsync();
        var (firmA, _, adminToken) = await Tenancy.CreateFirmAsync("Firm A", "Ada Admin", "ada@a.example", TimeSpan.FromDays(1));
        FirmA = firmA.FirmId;
        var sponsor = await Tenancy.AddCoachAsync(firmA.FirmId, "Sam Sponsor", "sam@a.example", Role.Sponsor, null);
        SponsorAId = sponsor.CoachId;
        var (_, _, adminBToken) = await Tenancy.CreateFirmAsync("Firm B", "Bo Admin", "bo@b.example", TimeSpan.FromDays(1));

        _app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, _azurite.ConnectionString, prefix,
            new Dictionary<string, string> { ["CoachFlow__Smtp__Port"] = Maildev.SmtpPort.ToString(CultureInfo.InvariantCulture) });
        (await _app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();
        AdminA = Client(adminToken.Token);
        SponsorA = Client((await Tenancy.IssueTokenAsync(sponsor, TimeSpan.FromDays(1))).Token);
        AdminB = Client(adminBToken.Token);
    }

    /// <summary>A new coach of firm A, and a client signed in with their token.</summary>
    public async Task<(Coach Coach, HttpClient Api)> NewCoachAsync(string name)
    {
        var coach = await Tenancy.AddCoachAsync(FirmA, name, $"{Guid.NewGuid():N}@a.example", Role.Coach, null);
        return (coach, Client((await Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token));
    }

    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = _app!.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (Maildev is not null) await Maildev.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

public sealed class BulkActionsApiTests(BulkFixture api) : IClassFixture<BulkFixture>
{
    [Fact]
    public async Task GivenThreeClientsWaitingToSign_WhenTheAdminDryRunsAResendAndRunsIt_ThenExactlyTheCountedEngagementsGetTheContractAgain()
    {
        var (coach, coachApi) = await api.NewCoachAsync("Rita Resend");
        var counted = new[] { await StartAsync(coachApi, "Lee One"), await StartAsync(coachApi, "Lee Two"), await StartAsync(coachApi, "Lee Three") };

        var draft = await DraftAsync(api.AdminA, new { action = "resend-link", filter = new { coachId = coach.CoachId, waitingForClient = true } });
        Assert.Equal(3, draft.GetProperty("count").GetInt32());
        Assert.Equal(counted.Order(), draft.GetProperty("sample").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).Order());
        // The dry run touches nothing; an engagement started after it is not part of the run.
        var later = await StartAsync(coachApi, "Lee Later");
        foreach (var id in counted) Assert.Equal(1, await CountAsync(api.AdminA, id, "contract-sent"));

        var status = await RunToTheEndAsync(api.AdminA, draft.GetProperty("id").GetString()!);

        Assert.Equal((3, 3, 3, 0, 0), (status.GetProperty("selected").GetInt32(), status.GetProperty("done").GetInt32(), status.GetProperty("applied").GetInt32(),
            status.GetProperty("rejected").GetInt32(), status.GetProperty("skipped").GetInt32()));
        foreach (var id in counted) Assert.Equal(2, await CountAsync(api.AdminA, id, "contract-sent"));
        Assert.Equal(1, await CountAsync(api.AdminA, later, "contract-sent"));
        var emails = await UntilEmailsAsync(counted, EmailKinds.ContractInvitation, 6);
        Assert.Equal(6, emails.Count);
    }

    [Fact]
    public async Task GivenAClientWithTwoEngagements_WhenTheCoachNudges_ThenOneEmailCarriesTheMessageAndTheLink_AndASecondNudgeTheSameDayTouchesNobody()
    {
        var (_, coachApi) = await api.NewCoachAsync("Nina Nudge");
        var twice = new[] { await StartAsync(coachApi, "Pat Twice", "pat@client.test"), await StartAsync(coachApi, "Pat Twice", "pat@client.test") };
        var once = await StartAsync(coachApi, "Kim Once", sponsorId: api.SponsorAId);
        const string Message = "Hi! <b>Just checking in</b> & hoping the week went well.";

        var draft = await DraftAsync(coachApi, new { action = "nudge", message = Message });
        Assert.Equal(2, draft.GetProperty("count").GetInt32()); // Pat once, Kim once
        var status = await RunToTheEndAsync(coachApi, draft.GetProperty("id").GetString()!);
        Assert.Equal(2, status.GetProperty("applied").GetInt32());

        var nudges = await UntilEmailsAsync(twice.Append(once), EmailKinds.ClientNudge, 2);
        Assert.Equal(2, nudges.Count);
        Assert.Single(nudges, n => n.To == "pat@client.test");
        Assert.All(nudges, n =>
        {
            Assert.Contains(Message, n.Text, StringComparison.Ordinal);
            Assert.Contains("&lt;b&gt;Just checking in&lt;/b&gt;", n.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>Just", n.Html, StringComparison.Ordinal);
            Assert.Contains("/c/", n.Text, StringComparison.Ordinal); // the contract they have to sign
            Assert.Contains("the contract", n.Text, StringComparison.Ordinal);
        });
        var nudged = twice.Append(once).Sum(id => CountAsync(api.AdminA, id, "client-nudged").GetAwaiter().GetResult());
        Assert.Equal(2, nudged);
        var timeline = await api.AdminA.GetFromJsonAsync<JsonElement>($"/api/engagements/{once}");
        Assert.Contains(timeline.GetProperty("timeline").EnumerateArray(), t => t.GetProperty("summary").GetString()!.Contains("Just checking in", StringComparison.Ordinal));
        // The sponsor reads that a note went, never what it said.
        var sponsors = (await api.SponsorA.GetFromJsonAsync<JsonElement>($"/api/engagements/{once}")).GetProperty("timeline").EnumerateArray().ToList();
        Assert.Contains(sponsors, t => t.GetProperty("type").GetString() == "client-nudged");
        Assert.DoesNotContain(sponsors, t => t.GetProperty("summary").GetString()!.Contains("checking in", StringComparison.OrdinalIgnoreCase));

        // The admin asks again the same day: nobody is touched, each skipped with the reason.
        var again = await DraftAsync(api.AdminA, new { action = "nudge", message = "One more thing", filter = new { coachId = Coach(draft) } });
        var second = await RunToTheEndAsync(api.AdminA, again.GetProperty("id").GetString()!);
        Assert.Equal((0, again.GetProperty("count").GetInt32()), (second.GetProperty("applied").GetInt32(), second.GetProperty("skipped").GetInt32()));
        Assert.Contains(second.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("reason").GetString()!.Contains("last 24 hours", StringComparison.Ordinal));
        await Task.Delay(2000);
        Assert.Equal(2, (await api.Maildev.ReadAsync(new HashSet<string>([.. twice, once]))).Count(e => e.Kind == EmailKinds.ClientNudge));
    }

    [Fact]
    public async Task GivenEngagementsStillAtTheContract_WhenPausedInBulkThenEnded_ThenThePauseIsRejectedWithItsReasonAndTheEndApplies()
    {
        var (coach, coachApi) = await api.NewCoachAsync("Paula Pause");
        string[] ids = [await StartAsync(coachApi, "Ana Pause"), await StartAsync(coachApi, "Ben Pause")];

        var pause = await RunToTheEndAsync(api.AdminA, (await DraftAsync(api.AdminA, new { action = "pause", reason = "Holiday", filter = new { coachId = coach.CoachId } }))
            .GetProperty("id").GetString()!);
        Assert.Equal(2, pause.GetProperty("rejected").GetInt32());
        var reason = Assert.Single(pause.GetProperty("reasons").EnumerateArray());
        Assert.Equal(("rejected", 2), (reason.GetProperty("outcome").GetString(), reason.GetProperty("count").GetInt32()));
        Assert.Contains("only an engagement in coaching", reason.GetProperty("reason").GetString(), StringComparison.Ordinal);

        var end = await RunToTheEndAsync(coachApi, (await DraftAsync(coachApi, new { action = "end", reason = "The sponsor ended the programme", filter = new { phase = "contract" } }))
            .GetProperty("id").GetString()!);
        Assert.Equal(2, end.GetProperty("applied").GetInt32());
        foreach (var id in ids) Assert.Equal(1, await CountAsync(api.AdminA, id, "engagement-ended"));

        // Nothing is left running for this coach: a dry run on them counts nobody, which is a 400 with the reason.
        await ProblemAsync(await api.AdminA.PostAsJsonAsync("/api/bulk-actions", new { action = "resume", filter = new { coachId = coach.CoachId } }), HttpStatusCode.BadRequest);

        // The audit says who did what, when, on how many.
        var audit = await api.AdminA.GetFromJsonAsync<JsonElement>("/api/bulk-actions");
        var mine = audit.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("createdBy").GetString() == coach.CoachId).ToList();
        var entry = Assert.Single(mine);
        Assert.Equal(("end", 2, "finished"), (entry.GetProperty("action").GetString(), entry.GetProperty("selected").GetInt32(), entry.GetProperty("status").GetString()));
        var coachAudit = await coachApi.GetFromJsonAsync<JsonElement>("/api/bulk-actions");
        Assert.All(coachAudit.GetProperty("items").EnumerateArray(), i => Assert.Equal(coach.CoachId, i.GetProperty("createdBy").GetString()));
    }

    [Fact]
    public async Task GivenTwoCoaches_ThenACoachActsOnlyOnTheirOwnClients_AnotherFirmSeesNothing_AndASponsorCannotAct()
    {
        var (cleo, cleoApi) = await api.NewCoachAsync("Cleo Scope");
        var (omar, omarApi) = await api.NewCoachAsync("Omar Scope");
        var cleos = await StartAsync(cleoApi, "Cleo Client");
        await StartAsync(omarApi, "Omar Client");

        var draft = await DraftAsync(cleoApi, new { action = "resend-link" });
        Assert.Equal([cleos], draft.GetProperty("sample").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        var id = draft.GetProperty("id").GetString()!;
        await ProblemAsync(await cleoApi.PostAsJsonAsync("/api/bulk-actions", new { action = "resend-link", filter = new { coachId = omar.CoachId } }), HttpStatusCode.Forbidden);

        // Another coach of the firm, another firm: not found; a sponsor: forbidden, before anything is looked up.
        await ProblemAsync(await omarApi.GetAsync($"/api/bulk-actions/{id}"), HttpStatusCode.NotFound);
        await ProblemAsync(await omarApi.PostAsync($"/api/bulk-actions/{id}/run", null), HttpStatusCode.NotFound);
        await ProblemAsync(await api.AdminB.GetAsync($"/api/bulk-actions/{id}"), HttpStatusCode.NotFound);
        await ProblemAsync(await api.AdminB.PostAsync($"/api/bulk-actions/{id}/run", null), HttpStatusCode.NotFound);
        Assert.Empty((await api.AdminB.GetFromJsonAsync<JsonElement>("/api/bulk-actions")).GetProperty("items").EnumerateArray());
        await ProblemAsync(await api.SponsorA.PostAsJsonAsync("/api/bulk-actions", new { action = "resend-link" }), HttpStatusCode.Forbidden);
        await ProblemAsync(await api.SponsorA.PostAsync($"/api/bulk-actions/{id}/run", null), HttpStatusCode.Forbidden);
        await ProblemAsync(await api.SponsorA.GetAsync("/api/bulk-actions"), HttpStatusCode.Forbidden);

        // The firm admin sees and may run the coach's draft; a second run is refused.
        Assert.Equal("draft", (await api.AdminA.GetFromJsonAsync<JsonElement>($"/api/bulk-actions/{id}")).GetProperty("status").GetString());
        await RunToTheEndAsync(cleoApi, id);
        await ProblemAsync(await cleoApi.PostAsync($"/api/bulk-actions/{id}/run", null), HttpStatusCode.Conflict);
        _ = cleo;
    }

    public static TheoryData<string, string> BadRequests() => new()
    {
        { """{"action":"shout"}""", "no bulk action 'shout'" },
        { """{}""", "'action'" },
        { """{"action":"nudge"}""", "needs a 'message'" },
        { """{"action":"nudge","message":"   "}""", "needs a 'message'" },
        { $$"""{"action":"nudge","message":"{{new string('x', 501)}}"}""", "at most 500" },
        { """{"action":"pause"}""", "needs a 'reason'" },
        { """{"action":"resume","message":"hi"}""", "Only a nudge carries a message" },
        { """{"action":"resend-link","filter":{"phase":"dancing"}}""", "no phase 'dancing'" },
        { """{"action":"resend-link","filter":{"flag":"purple"}}""", "no flag 'purple'" },
        { """{"action":"resend-link","filter":{"coachId":"coach-nobody"}}""", "no coach 'coach-nobody'" },
        { """{"action":"resend-link","filter":{"colour":"blue"}}""", "colour" },
        { """{"action":"resend-link","filter":{"phase":"maintenance"}}""", "nothing to do" },
        { """{"action":"resend-link","filter":{"cohort":"no-such-cohort"}}""", "nothing to do" },
        { """not json""", "JSON" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task GivenBadInput_WhenABulkActionIsDrafted_ThenA400ProblemSaysWhy(string body, string says)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var problem = await ProblemAsync(await api.AdminA.PostAsync("/api/bulk-actions", content), HttpStatusCode.BadRequest);
        Assert.Contains(says, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAnUnknownBulkAction_WhenReadOrRun_ThenNotFound()
    {
        await ProblemAsync(await api.AdminA.GetAsync("/api/bulk-actions/bulk-nope"), HttpStatusCode.NotFound);
        await ProblemAsync(await api.AdminA.PostAsync("/api/bulk-actions/bulk-nope/run", null), HttpStatusCode.NotFound);
    }

    // ---- helpers ----

    private static string Coach(JsonElement draft) => draft.GetProperty("sample")[0].GetProperty("coachId").GetString()!;

    private static async Task<string> StartAsync(HttpClient coach, string name, string? email = null, string? sponsorId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/engagements")
        {
            Content = JsonContent.Create(new { clientName = name, clientEmail = email ?? $"{Guid.NewGuid():N}@client.test", programId = "career-6", sponsorId }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var response = await coach.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await ApiFixture.UntilAsync(coach, id, d => d.GetProperty("timeline").EnumerateArray().Any(t => t.GetProperty("type").GetString() == "contract-sent"), "contract sent");
        return id;
    }

    private static async Task<JsonElement> DraftAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/bulk-actions", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var draft = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("draft", draft.GetProperty("status").GetString());
        return draft;
    }

    private static async Task<JsonElement> RunToTheEndAsync(HttpClient client, string id)
    {
        using var run = await client.PostAsync($"/api/bulk-actions/{id}/run", null);
        Assert.True(run.StatusCode == HttpStatusCode.Accepted, await run.Content.ReadAsStringAsync());
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var status = await client.GetFromJsonAsync<JsonElement>($"/api/bulk-actions/{id}");
            if (status.GetProperty("finished").GetBoolean())
            {
                Assert.Equal(0, status.GetProperty("pending").GetInt32());
                return status;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Bulk action {id} did not finish within 120 s: {status}");
            await Task.Delay(250);
        }
    }

    private static async Task<int> CountAsync(HttpClient client, string engagementId, string kind) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/engagements/{engagementId}")).GetProperty("timeline").EnumerateArray()
            .Count(t => t.GetProperty("type").GetString() == kind);

    private async Task<IReadOnlyList<ReceivedEmail>> UntilEmailsAsync(IEnumerable<string> engagementIds, string kind, int count)
    {
        var engagements = engagementIds.ToHashSet();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var found = (await api.Maildev.ReadAsync(engagements)).Where(e => e.Kind == kind).ToList();
            if (found.Count >= count || DateTime.UtcNow > deadline) return found;
            await Task.Delay(250);
        }
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {expected}, got {response.StatusCode}: {text}");
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }
}
