using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Testing;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Tests.Email;

/// <summary>
/// Azurite, Prism serving SendGrid's Mail Send spec with request validation, the recording relay in front of it, and the
/// local host (the real Durable Task engine) sending with the SendGrid transport (<c>CoachFlow:Email:Transport=sendgrid</c>)
/// to the relay: every email goes through SendGrid's package, over HTTP, to a server that enforces the spec.
/// </summary>
public sealed class SendGridWireFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private PrismProcess? _prism;
    private SendGridRelay? _relay;
    private AppProcess? _app;

    public PrismProcess Prism => _prism ?? throw new InvalidOperationException("Not started.");
    public SendGridRelay Relay => _relay ?? throw new InvalidOperationException("Not started.");
    public AppProcess App => _app ?? throw new InvalidOperationException("Not started.");
    public TenancyStore Tenancy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var azurite = Azurite.StartAsync();
        _prism = await PrismProcess.StartAsync();
        _relay = await SendGridRelay.StartAsync(_prism.BaseUrl);
        _azurite = await azurite;
        var prefix = Repository.UniquePrefix();
        var storage = new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = prefix });
        await storage.EnsureCreatedAsync();
        Tenancy = new TenancyStore(storage, TimeProvider.System);
        await Tenancy.EnsureCreatedAsync();
        _app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, _azurite.ConnectionString, prefix,
            new Dictionary<string, string>
            {
                ["CoachFlow__Email__Transport"] = "sendgrid",
                ["CoachFlow__SendGrid__BaseUrl"] = _relay.BaseUrl.AbsoluteUri,
                ["CoachFlow__SendGrid__ApiKey"] = "SG.test-key-for-prism",
            });
        (await _app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();
    }

    /// <summary>A firm with a coach and the coach's API token, of a test's own.</summary>
    public async Task<(Coach Coach, Coach Sponsor, string Token)> FirmAsync()
    {
        var prefix = Repository.UniquePrefix();
        var (firm, _, _) = await Tenancy.CreateFirmAsync("Northwind Coaching", "Avery Admin", $"admin-{prefix}@northwind.test", TimeSpan.FromDays(1));
        var coach = await Tenancy.AddCoachAsync(firm.FirmId, "Casey Coach", $"coach-{prefix}@northwind.test", Role.Coach, null);
        var sponsor = await Tenancy.AddCoachAsync(firm.FirmId, "Sasha Sponsor", $"sponsor-{prefix}@employer.test", Role.Sponsor, null);
        return (coach, sponsor, (await Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token);
    }

    public HttpClient Api(string token)
    {
        var api = new HttpClient { BaseAddress = App.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return api;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_relay is not null) await _relay.DisposeAsync();
        if (_prism is not null) await _prism.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

/// <summary>SendGrid on the wire: the SendGrid transport's requests as Prism, enforcing SendGrid's OpenAPI spec, takes them.</summary>
[RunsForMinutes]
public sealed class SendGridWireTests(SendGridWireFixture fixture) : IClassFixture<SendGridWireFixture>
{
    [Fact]
    public async Task GivenPrismWithValidation_WhenABodyBreaksTheSpec_ThenItIsRefusedWithTheViolation()
    {
        using var prism = new HttpClient { BaseAddress = fixture.Prism.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v3/mail/send")
        {
            // No personalizations, and a from without an address: what the spec requires.
            Content = new StringContent("""{"from":{"name":"Northwind"},"subject":"Hello","content":[{"type":"text/plain","value":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "SG.test-key-for-prism");

        using var response = await prism.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var violations = string.Join(' ', response.Headers.GetValues("sl-violations"));
        Assert.Contains("personalizations", violations, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheSendGridTransportOnPrism_WhenAWholeEngagementRuns_ThenPrismAcceptedEveryEmailAndRefusedNone()
    {
        var (_, sponsor, token) = await fixture.FirmAsync();
        var clientEmail = $"jordan-{Guid.NewGuid():N}@client.test";

        using var log = new StringWriter();
        var (exit, id) = await DemoCommand.DriveAsync(fixture.App.Client.BaseAddress!, token, fixture.Relay.BaseUrl, TimeSpan.FromMinutes(8), clientEmail, sponsor.CoachId, log);
        Assert.True(exit == 0, $"The engagement did not close:\n{log}\n{fixture.App.Output}");
        Assert.DoesNotContain(" → 4", log.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(" → 5", log.ToString(), StringComparison.Ordinal);

        // Every request the transport made for this engagement went to Mail Send and was accepted: none broke the spec.
        var sent = fixture.Relay.Requests.Where(r => r.EngagementId == id).ToList();
        var refused = sent.Where(r => !r.Accepted).Select(r => $"{r.Kind}: {r.Status} {r.Violations}").ToList();
        Assert.True(refused.Count == 0, "Prism refused: " + string.Join("; ", refused));
        Assert.All(sent, r => Assert.Equal(("POST", "/v3/mail/send", 202), (r.Method, r.Path, r.Status)));
        Assert.Equal(sent.Count, sent.Select(r => r.Header("Message-ID")).Distinct().Count());

        // The whole engagement's mail: every milestone, in order, and the reminders and check-ins between.
        var kinds = sent.Select(r => r.Kind!).ToList();
        string[] milestones =
        [
            EmailKinds.ContractInvitation, EmailKinds.IntakeInvitation, EmailKinds.PreSessionBrief,
            .. Enumerable.Repeat(new[] { EmailKinds.SessionConfirmation, EmailKinds.SessionSummary }, 6).SelectMany(k => k),
            EmailKinds.MaintenancePlanReview, EmailKinds.Graduation, EmailKinds.MaintenanceComplete,
        ];
        Assert.Equal(milestones, kinds.Where(milestones.Contains).ToList());
        Assert.Equal(6, kinds.Count(k => k == EmailKinds.SessionReminder));
        Assert.Equal(2, kinds.Count(k => k == EmailKinds.ProgressReport));
        Assert.True(kinds.Count(k => k == EmailKinds.MaintenanceCheckIn) >= 2, string.Join(", ", kinds));
        Assert.Contains(sent, r => r.Body?["attachments"] is System.Text.Json.Nodes.JsonArray); // the sessions' .ics went too

        // Reminders and nudges carry the one-click unsubscribe; nothing else does.
        foreach (var r in sent)
        {
            var reminder = r.To == clientEmail && EmailKinds.RemindersAndNudges.Contains(r.Kind!);
            Assert.True(reminder == (r.Header("List-Unsubscribe") is not null), $"{r.Kind} to {r.To}: List-Unsubscribe {r.Header("List-Unsubscribe")}");
            if (reminder)
            {
                Assert.Matches(@"^<http://127\.0\.0\.1:\d+/c/[A-Za-z0-9_.-]+/unsubscribe>$", r.Header("List-Unsubscribe")!);
                Assert.Equal("List-Unsubscribe=One-Click", r.Header("List-Unsubscribe-Post"));
            }
        }
    }

    [Fact]
    public async Task GivenAReminderEmail_WhenTheMailProviderPostsItsOneClickUnsubscribe_ThenTheNextReminderIsWithheldWhileOtherEmailStillGoes()
    {
        var (_, _, token) = await fixture.FirmAsync();
        using var api = fixture.Api(token);
        var clientEmail = $"sam-{Guid.NewGuid():N}@client.test";
        using var started = await api.PostAsJsonAsync("/api/engagements", new
        {
            clientName = "Sam Rivera",
            clientEmail,
            programId = "demo-accelerated",
            overallGoals = new[] { "A leadership role in renewable energy" },
        });
        started.EnsureSuccessStatusCode();
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // The contract goes unsigned, so its reminder comes (ten seconds on the demo clock), with the header.
        var reminder = await EventuallyAsync(() => fixture.Relay.Requests.FirstOrDefault(r => r.EngagementId == id && r.Kind == EmailKinds.ContractReminder), "the first contract reminder");
        var url = reminder.Header("List-Unsubscribe")!.Trim('<', '>');
        Assert.Null(fixture.Relay.Requests.First(r => r.EngagementId == id && r.Kind == EmailKinds.ContractInvitation).Header("List-Unsubscribe"));

        // What Gmail and others send (RFC 8058): a POST of the one-click body, no cookie, no antiforgery token.
        using var anonymous = new HttpClient();
        using var oneClick = await anonymous.PostAsync(new Uri(url), new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        Assert.Contains("Reminders are off", await oneClick.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The next reminder comes due and is withheld (the timeline says so); the contract stands and can still be sent.
        var timeline = await EventuallyAsync(async () =>
        {
            var types = await TimelineAsync(api, id);
            return types.Contains("reminder-withheld") ? types : null;
        }, "a withheld reminder on the timeline");
        Assert.True(timeline.IndexOf("reminders-stopped") < timeline.IndexOf("reminder-withheld"), string.Join(", ", timeline));
        Assert.Equal(1, fixture.Relay.Requests.Count(r => r.EngagementId == id && r.Kind == EmailKinds.ContractReminder));

        using var resend = await api.PostAsync($"/api/engagements/{id}/resend", null);
        Assert.True(resend.IsSuccessStatusCode, $"{(int)resend.StatusCode} {await resend.Content.ReadAsStringAsync()}");
        await EventuallyAsync(() => fixture.Relay.Requests.Count(r => r.EngagementId == id && r.Kind == EmailKinds.ContractInvitation) == 2 ? "" : null, "the contract sent again");
        var detail = await api.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        Assert.Equal("contract", detail.GetProperty("phase").GetString());
        Assert.All(fixture.Relay.Requests.Where(r => r.EngagementId == id), r => Assert.True(r.Accepted, $"{r.Kind}: {r.Status} {r.Violations}"));

        // A person opening the same link in their mail client: the page says reminders are off and offers them back (its form antiforgery-checked).
        using var person = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() });
        var page = await person.GetStringAsync(new Uri(url));
        Assert.Contains("Reminders are off", page, StringComparison.Ordinal);
        Assert.Contains("Northwind Coaching", page, StringComparison.Ordinal);
        var action = Regex.Match(page, "<form method=\"post\" action=\"([^\"]+)\"").Groups[1].Value;
        var csrf = Regex.Match(page, "name=\"__csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        using var withoutToken = await person.PostAsync(new Uri(new Uri(url), WebUtility.HtmlDecode(action)), new FormUrlEncodedContent([new("action", "resume")]));
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        using var resumed = await person.PostAsync(new Uri(new Uri(url), WebUtility.HtmlDecode(action)),
            new FormUrlEncodedContent([new("__csrf", WebUtility.HtmlDecode(csrf)), new("action", "resume")]));
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Contains("Reminders are back on", await resumed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("reminders-resumed", await TimelineAsync(api, id));
    }

    [Fact]
    public async Task GivenTheUnsubscribeLink_WhenItIsForgedOrTheBodyIsNotOneClick_ThenItIsRefusedWithA4xxAndNothingChanges()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.App.Client.BaseAddress };
        using var forged = await anonymous.PostAsync("/c/eyJmb3JnZWQiOnRydWV9.c2lnbmF0dXJl/unsubscribe", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        using var garbled = await anonymous.GetAsync("/c/not-a-token/unsubscribe");

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbled.StatusCode);
    }

    private static async Task<List<string>> TimelineAsync(HttpClient api, string id)
    {
        var detail = await api.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        return [.. detail.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("type").GetString()!)];
    }

    private static Task<T> EventuallyAsync<T>(Func<T?> probe, string what) where T : class => EventuallyAsync(() => Task.FromResult(probe()), what);

    /// <summary>Polls <paramref name="probe"/> until it returns something, for up to 90 s (a loaded CI machine).</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No {what} within 90 s.");
            await Task.Delay(250);
        }
    }
}
