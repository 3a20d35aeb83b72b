using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CoachFlow.Testing;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.Tests.Lifecycle;

namespace CoachFlow.Web.Tests.OutboundWebhooks;

/// <summary>
/// The app as a real process on Azurite and maildev, with the independent webhook receiver beside it: firm A (an admin,
/// a coach, a sponsor) and firm B (an admin). Retries come after a second or two, not minutes; private networks are
/// allowed (the receiver is on loopback). Each test registers endpoints and mailboxes of its own.
/// </summary>
public class WebhookFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private AppProcess? _app;

    public Maildev Maildev { get; private set; } = null!;
    public WebhookReceiverProcess Receiver { get; private set; } = null!;
    public TenancyStore Tenancy { get; private set; } = null!;
    public StorageAccount Storage { get; private set; } = null!;
    public string ConnectionString => _azurite!.ConnectionString;
    public string Prefix { get; } = Repository.UniquePrefix();
    public AppProcess App => _app!;
    public string FirmA { get; private set; } = "";
    public Coach AdminAIdentity { get; private set; } = null!;
    public HttpClient AdminA { get; private set; } = null!;
    public HttpClient CoachA { get; private set; } = null!;
    public HttpClient SponsorA { get; private set; } = null!;
    public HttpClient AdminB { get; private set; } = null!;

    /// <summary>Stands for SendGrid's signing key, so a test can report a bounce (a flag raised).</summary>
    public System.Security.Cryptography.ECDsa SendGridKey { get; } = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

    /// <summary>How long an endpoint may fail before it is switched off, for this fixture's app.</summary>
    protected virtual string DisableAfter => "00:10:00";

    /// <summary>Eight attempts over about 53 s: retries come quickly, and a test has time to look while one waits.</summary>
    public const string RetrySchedule = "00:00:01,00:00:02,00:00:03,00:00:05,00:00:08,00:00:13,00:00:21";

    public static Dictionary<string, string> Settings(string disableAfter) => new()
    {
        ["CoachFlow__Webhooks__AllowPrivateNetworks"] = "true",
        ["CoachFlow__Webhooks__RetrySchedule"] = RetrySchedule,
        ["CoachFlow__Webhooks__DisableAfter"] = disableAfter,
        ["CoachFlow__Webhooks__PollInterval"] = "00:00:00.2",
    };

    public async Task InitializeAsync()
    {
        var azurite = Azurite.StartAsync();
        var maildev = Maildev.StartAsync();
        var receiver = WebhookReceiverProcess.StartAsync();
        _azurite = await azurite;
        Maildev = await maildev;
        Receiver = await receiver;
        Storage = new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = Prefix });
        await Storage.EnsureCreatedAsync();
        Tenancy = new TenancyStore(Storage, TimeProvider.System);
        await Tenancy.EnsureCreatedAsync();
        var (firmA, adminA, adminToken) = await Tenancy.CreateFirmAsync("Firm A", "Ada Admin", $"ada-{Prefix}@a.example", TimeSpan.FromDays(1));
        (FirmA, AdminAIdentity) = (firmA.FirmId, adminA);
        var coach = await Tenancy.AddCoachAsync(firmA.FirmId, "Cleo Coach", $"cleo-{Prefix}@a.example", Role.Coach, null);
        var sponsor = await Tenancy.AddCoachAsync(firmA.FirmId, "Sam Sponsor", $"sam-{Prefix}@a.example", Role.Sponsor, null);
        var (_, _, adminBToken) = await Tenancy.CreateFirmAsync("Firm B", "Bo Admin", $"bo-{Prefix}@b.example", TimeSpan.FromDays(1));

        var environment = Settings(DisableAfter);
        environment["CoachFlow__Smtp__Port"] = Maildev.SmtpPort.ToString(CultureInfo.InvariantCulture);
        environment["CoachFlow__SendGrid__WebhookPublicKey"] = Convert.ToBase64String(SendGridKey.ExportSubjectPublicKeyInfo());
        _app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, _azurite.ConnectionString, Prefix, environment);
        (await _app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();
        AdminA = Client(adminToken.Token);
        CoachA = Client((await Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token);
        SponsorA = Client((await Tenancy.IssueTokenAsync(sponsor, TimeSpan.FromDays(1))).Token);
        AdminB = Client(adminBToken.Token);
    }

    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = _app!.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A firm of the test's own (so no other test's events reach its endpoints): its admin's and a coach's clients.</summary>
    public async Task<(string FirmId, Coach Admin, HttpClient AdminApi, HttpClient CoachApi)> NewFirmAsync(string name)
    {
        var (firm, admin, token) = await Tenancy.CreateFirmAsync(name, "Avery Admin", $"avery-{Guid.NewGuid():N}@firm.example", TimeSpan.FromDays(1));
        var coach = await Tenancy.AddCoachAsync(firm.FirmId, "Casey Coach", $"casey-{Guid.NewGuid():N}@firm.example", Role.Coach, null);
        return (firm.FirmId, admin, Client(token.Token), Client((await Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token));
    }

    /// <summary>A new coach of firm A and a client signed in with their token (their own engagements, their own bulk actions).</summary>
    public async Task<(Coach Coach, HttpClient Api)> NewCoachAsync(string name)
    {
        var coach = await Tenancy.AddCoachAsync(FirmA, name, $"{Guid.NewGuid():N}@a.example", Role.Coach, null);
        return (coach, Client((await Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token));
    }

    /// <summary>Registers an endpoint (as <paramref name="admin"/>) at a new mailbox of the receiver, which is given its secret: the endpoint's id and the box.</summary>
    public async Task<(string Id, string Box)> RegisterAsync(HttpClient admin, params string[] events)
    {
        var box = "box" + Guid.NewGuid().ToString("N")[..10];
        using var created = await admin.PostAsJsonAsync("/api/webhooks", new { url = Receiver.Url(box), events, description = $"test {box}" });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == System.Net.HttpStatusCode.Created, body);
        var endpoint = JsonDocument.Parse(body).RootElement;
        await Receiver.ConfigureAsync(box, new { secret = endpoint.GetProperty("secret").GetString() });
        return (endpoint.GetProperty("id").GetString()!, box);
    }

    /// <summary>Starts an engagement on the fast program through the coach API; its id.</summary>
    public static async Task<string> StartAsync(HttpClient coach, string clientName, string? clientEmail = null)
    {
        using var response = await coach.PostAsJsonAsync("/api/engagements", new
        {
            clientName,
            clientEmail = clientEmail ?? $"{Guid.NewGuid():N}@client.test",
            programId = "demo-accelerated",
            overallGoals = new[] { "Increase sales by 10% within six months" },
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Ends an engagement as the coach, through the API.</summary>
    public static async Task EndAsync(HttpClient coach, string engagementId, string reason)
    {
        using var ended = await coach.PostAsJsonAsync($"/api/engagements/{engagementId}/end", new { reason });
        Assert.True(ended.IsSuccessStatusCode, await ended.Content.ReadAsStringAsync());
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds (what it last read), or fails after <paramref name="within"/> saying what it waited for.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {(within ?? TimeSpan.FromSeconds(90)).TotalSeconds:0} s for {what}; last read: {Show(value)}");
            await Task.Delay(250);
        }
    }

    /// <summary>Every request a box got that its signature verified, in arrival order.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> VerifiedAsync(string box) => [.. (await Receiver.ReceivedAsync(box)).Where(r => r.Verified)];

    /// <summary>The endpoint's delivery log (first page of 200).</summary>
    public static async Task<IReadOnlyList<JsonElement>> LogAsync(HttpClient admin, string endpointId, string query = "")
    {
        var page = await admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{endpointId}/deliveries?pageSize=200{query}");
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    public static async Task<JsonElement> EndpointAsync(HttpClient admin, string endpointId) => await admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{endpointId}");

    private static string Show<T>(T value) => value switch
    {
        System.Collections.IEnumerable list and not string => $"[{string.Join(", ", list.Cast<object>().Select(o => o is ReceivedWebhook r ? $"{r.Type}/{r.Id}/{r.Answered}" : o?.ToString()))}]",
        _ => value?.ToString() ?? "null",
    };

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (Receiver is not null) await Receiver.DisposeAsync();
        if (Maildev is not null) await Maildev.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

/// <summary>The same, with an app that switches an endpoint off after 4 seconds of failing.</summary>
public sealed class QuickToDisableWebhookFixture : WebhookFixture
{
    protected override string DisableAfter => "00:00:04";
}
