using System.Net.Http.Headers;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.Hosting;

namespace CoachFlow.Web.Tests.Api;

/// <summary>
/// The built app as a real process on Azurite, with two firms: firm A (an admin, two coaches, a sponsor)
/// and firm B (one coach). Each test makes its own engagements.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private AppProcess? _app;

    public HttpClient CoachA { get; private set; } = null!;
    public HttpClient OtherCoachA { get; private set; } = null!;
    public HttpClient AdminA { get; private set; } = null!;
    public HttpClient SponsorA { get; private set; } = null!;
    public HttpClient CoachB { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;
    public TenancyStore Tenancy { get; private set; } = null!;
    public Coach CoachAIdentity { get; private set; } = null!;
    public Coach SponsorAIdentity { get; private set; } = null!;
    public Uri BaseAddress => _app!.Client.BaseAddress!;

    /// <summary>Stands for SendGrid's signing key; the app is configured with its public half.</summary>
    public System.Security.Cryptography.ECDsa WebhookKey { get; } = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        var prefix = Repository.UniquePrefix();
        var storage = new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = prefix });
        await storage.EnsureCreatedAsync();
        Tenancy = new TenancyStore(storage, TimeProvider.System);
        await Tenancy.EnsureCreatedAsync();

        var (firmA, adminA, adminToken) = await Tenancy.CreateFirmAsync("Firm A", "Ada Admin", "ada@a.example", TimeSpan.FromDays(1));
        CoachAIdentity = await Tenancy.AddCoachAsync(firmA.FirmId, "Cleo Coach", "cleo@a.example", Role.Coach, null);
        var otherCoach = await Tenancy.AddCoachAsync(firmA.FirmId, "Omar Coach", "omar@a.example", Role.Coach, null);
        var sponsor = SponsorAIdentity = await Tenancy.AddCoachAsync(firmA.FirmId, "Sam Sponsor", "sam@a.example", Role.Sponsor, null);
        var (_, _, coachBToken) = await Tenancy.CreateFirmAsync("Firm B", "Bo Admin", "bo@b.example", TimeSpan.FromDays(1));

        _app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, _azurite.ConnectionString, prefix,
            new Dictionary<string, string> { ["CoachFlow__SendGrid__WebhookPublicKey"] = Convert.ToBase64String(WebhookKey.ExportSubjectPublicKeyInfo()) });
        await _app.WaitForHealthAsync(TimeSpan.FromSeconds(30));

        AdminA = Client(adminToken.Token);
        CoachA = Client((await Tenancy.IssueTokenAsync(CoachAIdentity, TimeSpan.FromDays(1))).Token);
        OtherCoachA = Client((await Tenancy.IssueTokenAsync(otherCoach, TimeSpan.FromDays(1))).Token);
        SponsorA = Client((await Tenancy.IssueTokenAsync(sponsor, TimeSpan.FromDays(1))).Token);
        CoachB = Client(coachBToken.Token);
        Anonymous = Client(null);
    }

    /// <summary>
    /// Reads the engagement through <paramref name="client"/> until <paramref name="condition"/> holds: an input handed
    /// over without waiting (a webhook's bounce, say) is recorded by the engine a moment later.
    /// </summary>
    public static async Task<System.Text.Json.JsonElement> UntilAsync(HttpClient client, string engagementId, Func<System.Text.Json.JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var detail = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(client, $"/api/engagements/{engagementId}");
            if (condition(detail)) return detail;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Engagement {engagementId} did not reach '{what}' within 60 s: {detail}");
            await Task.Delay(200);
        }
    }

    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}
