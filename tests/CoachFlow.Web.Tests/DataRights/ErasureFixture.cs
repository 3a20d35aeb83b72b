using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.Tests.Lifecycle;
using CoachFlow.Web.OutboundWebhooks;

namespace CoachFlow.Web.Tests.DataRights;

/// <summary>
/// Azurite, maildev and the app as a process of their own (nothing else writes to this Azurite, so searching all of it
/// means something), with firm A (an admin, a coach, a sponsor) and firm B (an admin). The data-rights sweep runs every
/// second, a month of retention lasts three seconds, and an erasure nobody moves on for ten seconds is taken over.
/// </summary>
public sealed class ErasureFixture : IAsyncLifetime
{
    public static readonly TimeSpan Month = TimeSpan.FromSeconds(3);

    private Azurite? _azurite;
    private AppProcess? _app;

    public Maildev Maildev { get; private set; } = null!;
    public string ConnectionString => _azurite!.ConnectionString;
    public TenancyStore Tenancy { get; private set; } = null!;
    public EngagementStore Engagements { get; private set; } = null!;
    public WebhookStore Webhooks { get; private set; } = null!;
    public Firm FirmA { get; private set; } = null!;
    public Coach CoachA { get; private set; } = null!;
    public Coach SponsorAIdentity { get; private set; } = null!;
    public string CoachAToken { get; private set; } = "";
    public HttpClient AdminA { get; private set; } = null!;
    public HttpClient CoachAApi { get; private set; } = null!;
    public HttpClient SponsorA { get; private set; } = null!;
    public HttpClient AdminB { get; private set; } = null!;
    public Uri BaseAddress => _app!.Client.BaseAddress!;
    public string Output => _app!.Output;

    public async Task InitializeAsync()
    {
        var azurite = Azurite.StartAsync();
        var maildev = Maildev.StartAsync();
        _azurite = await azurite;
        Maildev = await maildev;
        var prefix = Repository.UniquePrefix();
        var storage = new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = prefix });
        await storage.EnsureCreatedAsync();
        Tenancy = new TenancyStore(storage, TimeProvider.System);
        await Tenancy.EnsureCreatedAsync();
        Engagements = new EngagementStore(storage.Tables, prefix);
        Webhooks = new WebhookStore(storage);

        var (firmA, _, adminToken) = await Tenancy.CreateFirmAsync("Northwind Coaching", "Avery Admin", "avery@northwind.test", TimeSpan.FromDays(1));
        FirmA = firmA;
        CoachA = await Tenancy.AddCoachAsync(firmA.FirmId, "Casey Coach", "casey@northwind.test", Role.Coach, null);
        SponsorAIdentity = await Tenancy.AddCoachAsync(firmA.FirmId, "Sasha Sponsor", "sasha@employer.test", Role.Sponsor, null);
        var (_, _, adminBToken) = await Tenancy.CreateFirmAsync("Firm B", "Bo Admin", "bo@b.test", TimeSpan.FromDays(1));

        _app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, _azurite.ConnectionString, prefix, Environment(Maildev));
        (await _app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();
        AdminA = Client(adminToken.Token);
        CoachAToken = (await Tenancy.IssueTokenAsync(CoachA, TimeSpan.FromDays(1))).Token;
        CoachAApi = Client(CoachAToken);
        SponsorA = Client((await Tenancy.IssueTokenAsync(SponsorAIdentity, TimeSpan.FromDays(1))).Token);
        AdminB = Client(adminBToken.Token);
    }

    /// <summary>What the app is started with: this maildev, a sweep every second, a three-second month, takeover after ten seconds, webhook endpoints on this machine allowed.</summary>
    public static Dictionary<string, string> Environment(Maildev maildev) => new()
    {
        ["CoachFlow__Smtp__Port"] = maildev.SmtpPort.ToString(CultureInfo.InvariantCulture),
        ["CoachFlow__DataRights__SweepInterval"] = "00:00:01",
        ["CoachFlow__DataRights__MonthLength"] = Month.ToString("c", CultureInfo.InvariantCulture),
        ["CoachFlow__DataRights__ResumeAfter"] = "00:00:10",
        ["CoachFlow__Webhooks__AllowPrivateNetworks"] = "true", // a test's endpoint is on this machine
    };

    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Starts an engagement of firm A through the coach API (its first step recorded); returns its id and the client's opaque id.</summary>
    public async Task<(string Id, string ClientId)> StartAsync(HttpClient coach, string clientName, string clientEmail, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/engagements")
        {
            Content = JsonContent.Create(new { clientName, clientEmail, programId = "demo-accelerated", overallGoals = new[] { "Increase sales by 10% within six months" } }),
        };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        using var response = await coach.SendAsync(request);
        Assert.True(response.StatusCode is HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        return (id, Web.Engagements.EngagementService.ClientIdOf(FirmA.FirmId, clientEmail));
    }

    /// <summary>The firm's listing rows, tombstones included.</summary>
    public async Task<List<IndexEntry>> IndexAsync(string firmId, IndexFilter? where = null)
    {
        var entries = new List<IndexEntry>();
        await foreach (var e in Engagements.ListAllAsync(firmId, where ?? new IndexFilter(IncludeErased: true))) entries.Add(e);
        return entries;
    }

    /// <summary>Polls <paramref name="condition"/> every 200 ms until it holds or <paramref name="within"/> passes.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not within {(within ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s: {what}.\n{Output}");
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (Maildev is not null) await Maildev.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}
