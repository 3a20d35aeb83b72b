using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.Tests.Lifecycle;

namespace CoachFlow.Web.Tests.Cohorts;

/// <summary>
/// Azurite, maildev and the local host as a process (its cohort worker and the real engine), with two firms: firm A (an
/// admin, two coaches, a sponsor) and firm B (an admin and a coach). Each test imports cohorts of its own names and clients.
/// </summary>
public sealed class CohortFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private Maildev? _maildev;

    public AppProcess App { get; private set; } = null!;
    public Maildev Maildev => _maildev ?? throw new InvalidOperationException("Not started.");
    public string ConnectionString => _azurite!.ConnectionString;
    public string Prefix { get; } = Repository.UniquePrefix();
    public TenancyStore Tenancy { get; private set; } = null!;
    public Firm FirmA { get; private set; } = null!;
    public Coach CoachA { get; private set; } = null!;
    public Coach OtherCoachA { get; private set; } = null!;
    public Coach SponsorA { get; private set; } = null!;
    public Coach CoachB { get; private set; } = null!;
    public HttpClient AdminA { get; private set; } = null!;
    public HttpClient CoachAClient { get; private set; } = null!;
    public HttpClient SponsorAClient { get; private set; } = null!;
    public HttpClient AdminB { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var azurite = Azurite.StartAsync();
        var maildev = Maildev.StartAsync();
        _azurite = await azurite;
        _maildev = await maildev;
        var storage = new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = Prefix });
        await storage.EnsureCreatedAsync();
        Tenancy = new TenancyStore(storage, TimeProvider.System);
        await Tenancy.EnsureCreatedAsync();

        var (firmA, _, adminA) = await Tenancy.CreateFirmAsync("Firm A", "Ada Admin", "ada@a.example", TimeSpan.FromDays(1));
        FirmA = firmA;
        CoachA = await Tenancy.AddCoachAsync(firmA.FirmId, "Cleo Coach", "cleo@a.example", Role.Coach, null);
        OtherCoachA = await Tenancy.AddCoachAsync(firmA.FirmId, "Omar Coach", "omar@a.example", Role.Coach, null);
        SponsorA = await Tenancy.AddCoachAsync(firmA.FirmId, "Sam Sponsor", "sam@a.example", Role.Sponsor, null);
        var (firmB, _, adminB) = await Tenancy.CreateFirmAsync("Firm B", "Bo Admin", "bo@b.example", TimeSpan.FromDays(1));
        CoachB = await Tenancy.AddCoachAsync(firmB.FirmId, "Bea Coach", "bea@b.example", Role.Coach, null);

        App = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, _azurite.ConnectionString, Prefix, Environment(_maildev.SmtpPort));
        (await App.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();

        AdminA = Client(adminA.Token);
        CoachAClient = Client((await Tenancy.IssueTokenAsync(CoachA, TimeSpan.FromDays(1))).Token);
        SponsorAClient = Client((await Tenancy.IssueTokenAsync(SponsorA, TimeSpan.FromDays(1))).Token);
        AdminB = Client(adminB.Token);
        Anonymous = Client(null);
    }

    /// <summary>The app's settings for these tests: email to maildev, a quick cohort pace, short leases so a crash is over sooner.</summary>
    public static Dictionary<string, string> Environment(int smtpPort) => new()
    {
        ["CoachFlow__Smtp__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
        ["CoachFlow__Cohorts__StartsPerSecond"] = "50",
        ["CoachFlow__Cohorts__Lease"] = "00:00:10",
        ["CoachFlow__Engine__LeaseInterval"] = "00:00:10",
        ["CoachFlow__Engine__MessageVisibilityTimeout"] = "00:00:10",
    };

    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = App.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary><c>POST /api/cohorts?name=…&amp;program=…</c> with <paramref name="csv"/> as a text/csv body.</summary>
    public static Task<HttpResponseMessage> UploadAsync(HttpClient client, string name, string csv, string program = "career-6", string contentType = "text/csv") =>
        client.PostAsync($"/api/cohorts?name={Uri.EscapeDataString(name)}&program={Uri.EscapeDataString(program)}", new StringContent(csv, Encoding.UTF8, contentType));

    /// <summary>Reads the cohort until it has completed (60 s at most).</summary>
    public static async Task<JsonElement> UntilCompletedAsync(HttpClient client, string cohortId, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var cohort = await client.GetFromJsonAsync<JsonElement>($"/api/cohorts/{cohortId}");
            if (cohort.GetProperty("status").GetString() == "completed") return cohort;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Cohort {cohortId} did not complete in time: {cohort}");
            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        if (_maildev is not null) await _maildev.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}
