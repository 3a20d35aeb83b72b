using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.Tests.Lifecycle;

namespace CoachFlow.Web.Tests.FirmDashboard;

/// <summary>
/// Azurite, maildev and the local host as a process, with two firms. Firm A: an admin, two coaches, two sponsors and
/// engagements in several phases (one started through the coach API, the others as index rows written with the
/// columns the engine's <c>RecordStep</c> writes, so every phase, flag and milestone is there without driving each
/// engagement through its lifecycle); cohorts named in <c>{prefix}cohorts</c> as the import writes them. Firm B: an
/// admin, a sponsor and one cohort.
/// </summary>
public sealed partial class FirmDashboardFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private Maildev? _maildev;
    private AppProcess? _app;

    public Maildev Maildev => _maildev!;
    public AppProcess App => _app!;
    public StorageAccount Storage { get; private set; } = null!;
    public Coach AdminA { get; private set; } = null!;
    public Coach Cleo { get; private set; } = null!;
    public Coach SponsorSam { get; private set; } = null!;
    public Coach SponsorSue { get; private set; } = null!;
    public Coach SponsorRita { get; private set; } = null!;
    public Coach AdminB { get; private set; } = null!;
    public string FirmA { get; private set; } = "";
    public string FirmB { get; private set; } = "";
    public string RealEngagementId { get; private set; } = "";
    public const string RealGoal = "Increase sales by 10% within six months";
    public const string CohortBId = "cohort-b-leaders";
    public const int LinksPerWindow = 5;

    public async Task InitializeAsync()
    {
        var azurite = Azurite.StartAsync();
        var maildev = Maildev.StartAsync();
        _azurite = await azurite;
        _maildev = await maildev;
        var prefix = Repository.UniquePrefix();
        Storage = new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = prefix });
        await Storage.EnsureCreatedAsync();
        var tenancy = new TenancyStore(Storage, TimeProvider.System);
        await tenancy.EnsureCreatedAsync();

        var (firmA, adminA, _) = await tenancy.CreateFirmAsync("Firm A", "Ada Admin", "ada@a.example", TimeSpan.FromDays(1));
        FirmA = firmA.FirmId;
        AdminA = adminA;
        Cleo = await tenancy.AddCoachAsync(FirmA, "Cleo Coach", "cleo@a.example", Role.Coach, null);
        var omar = await tenancy.AddCoachAsync(FirmA, "Omar Coach", "omar@a.example", Role.Coach, null);
        SponsorSam = await tenancy.AddCoachAsync(FirmA, "Sam Sponsor", "sam@a.example", Role.Sponsor, null);
        SponsorSue = await tenancy.AddCoachAsync(FirmA, "Sue Sponsor", "sue@a.example", Role.Sponsor, null);
        SponsorRita = await tenancy.AddCoachAsync(FirmA, "Rita Ratelimit", "rita@a.example", Role.Sponsor, null);
        var (firmB, adminB, _) = await tenancy.CreateFirmAsync("Firm B", "Bo Admin", "bo@b.example", TimeSpan.FromDays(1));
        FirmB = firmB.FirmId;
        AdminB = adminB;
        var ben = await tenancy.AddCoachAsync(FirmB, "Ben Sponsor", "ben@b.example", Role.Sponsor, null);

        _app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, _azurite.ConnectionString, prefix,
            new Dictionary<string, string>
            {
                ["CoachFlow__Smtp__Port"] = _maildev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // The tests sign some people in several times within one window.
                ["CoachFlow__FirmDashboard__LinksPerWindow"] = LinksPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        (await _app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();

        // One engagement started for real, by Cleo, sponsored by Sam: it is in phase "contract", waiting for the signature.
        using var coach = new HttpClient { BaseAddress = _app.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        coach.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await tenancy.IssueTokenAsync(Cleo, TimeSpan.FromDays(1))).Token);
        var started = await coach.PostAsJsonAsync("/api/engagements", new
        {
            clientName = "Rene Real", clientEmail = "rene@client.example", programId = "career-6", overallGoals = new[] { RealGoal }, sponsorId = SponsorSam.CoachId,
        });
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        RealEngagementId = (await started.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;

        var index = Storage.Tables.GetTableClient(prefix + "index");
        var now = DateTimeOffset.UtcNow;
        await Row(index, FirmA, "eng-t-overdue", "Olga Overdue", Cleo, SponsorSam, "contract", "running", "client-signature", now.AddDays(-2), [], "cohort-spring", null);
        await Row(index, FirmA, "eng-t-stalled", "Stan Stalled", Cleo, SponsorSam, "intake", "running", "client-intake", now.AddDays(5), ["stalled"], "cohort-spring", (true, false, 0, 0, false, null));
        await Row(index, FirmA, "eng-t-bouncing", "Bea Bounce", omar, SponsorSue, "sessions", "running", "session-scheduled", now.AddDays(3), ["client-email-bouncing"], "cohort-spring", (true, true, 2, 1, false, 1.5));
        await Row(index, FirmA, "eng-t-closed", "Gil Graduate", omar, null, "closed", "completed", null, null, [], "cohort-autumn", (true, true, 6, 2, true, 3.2));
        await Row(index, FirmA, "eng-t-flat", "Fay Flat", Cleo, SponsorSam, "reassessment", "running", "client-reassessment", now.AddDays(1), ["stalled-progress"], null, (true, true, 3, 1, false, -0.5));
        await Row(index, FirmB, "eng-t-firm-b", "Bruno B", adminB, ben, "intake", "running", "client-intake", now.AddDays(4), [], CohortBId, (true, false, 0, 0, false, null));

        var cohorts = Storage.Tables.GetTableClient(prefix + "cohorts");
        await cohorts.CreateIfNotExistsAsync();
        await cohorts.AddEntityAsync(new TableEntity(FirmA, "cohort-spring") { ["Name"] = "Spring leaders", ["ProgramId"] = "career-6" });
        await cohorts.AddEntityAsync(new TableEntity(FirmA, "cohort-autumn") { ["Name"] = "Autumn managers", ["ProgramId"] = "career-6" });
        await cohorts.AddEntityAsync(new TableEntity(FirmB, CohortBId) { ["Name"] = "Firm B leaders", ["ProgramId"] = "career-6" });
    }

    /// <summary>An index row with exactly the columns <c>EngagementStore</c> writes after a step.</summary>
    private static Task Row(TableClient index, string firm, string id, string client, Coach coach, Coach? sponsor, string phase, string status, string? waitingFor,
        DateTimeOffset? due, string[] flags, string? cohort, (bool Signed, bool Intake, int Sessions, int Reassessments, bool Graduated, double? Progress)? m)
    {
        var row = new TableEntity(firm, id)
        {
            ["Status"] = status, ["Version"] = 5L, ["CoachId"] = coach.CoachId, ["SponsorId"] = sponsor?.CoachId, ["Phase"] = phase, ["WaitingFor"] = waitingFor,
            ["DueAt"] = due, ["Flags"] = string.Join(',', flags), ["Label"] = client, ["Category"] = "career-6", ["UpdatedAt"] = DateTimeOffset.UtcNow,
            ["CohortId"] = cohort, ["ClientId"] = "client-" + id, ["CreatedAt"] = DateTimeOffset.UtcNow,
        };
        if (m is { } x)
        {
            row["Signed"] = x.Signed; row["IntakeCompleted"] = x.Intake; row["SessionsHeld"] = x.Sessions;
            row["ReassessmentsCompleted"] = x.Reassessments; row["Graduated"] = x.Graduated; row["Progress"] = x.Progress;
        }
        foreach (var flag in flags) row["F_" + flag.Replace('-', '_')] = true;
        return index.UpsertEntityAsync(row, TableUpdateMode.Replace);
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects.</summary>
    public HttpClient Browser() => new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true })
    {
        BaseAddress = _app!.Client.BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>The sign-in emails maildev received for an address, oldest first.</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> SignInEmailsAsync(string address) =>
        [.. (await Maildev.ReadAsync(new HashSet<string> { "firm-sign-in" })).Where(e => e.To.Equals(address, StringComparison.OrdinalIgnoreCase))];

    public static string Csrf(string html) => CsrfField().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("No antiforgery field in:\n" + html);

    public static string LinkIn(string text) => SignInLink().Match(text) is { Success: true } m ? m.Value : throw new InvalidOperationException("No sign-in link in:\n" + text);

    /// <summary>Asks for a link on the sign-in page as a browser would.</summary>
    public static async Task<HttpResponseMessage> AskForLinkAsync(HttpClient browser, string email, bool withCsrf = true)
    {
        var form = await browser.GetStringAsync(new Uri("/firm/sign-in", UriKind.Relative));
        var fields = new Dictionary<string, string> { ["email"] = email };
        if (withCsrf) fields["__csrf"] = Csrf(form);
        return await browser.PostAsync(new Uri("/firm/sign-in", UriKind.Relative), new FormUrlEncodedContent(fields));
    }

    /// <summary>Opens the emailed link's page and presses its button.</summary>
    public static async Task<HttpResponseMessage> UseLinkAsync(HttpClient browser, string link)
    {
        var landing = await browser.GetAsync(new Uri(link));
        var html = await landing.Content.ReadAsStringAsync();
        var token = TokenField().Match(html).Groups[1].Value;
        return await browser.PostAsync(new Uri("/firm/session", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = Csrf(html), ["token"] = WebUtility.HtmlDecode(token) }));
    }

    /// <summary>Signs in through the email: asks for a link, waits for it in maildev, uses it. Returns the signed-in client.</summary>
    public async Task<HttpClient> SignInAsync(string email)
    {
        var before = (await SignInEmailsAsync(email)).Count;
        var browser = Browser();
        (await AskForLinkAsync(browser, email)).EnsureSuccessStatusCode();
        var mail = await WaitForEmailAsync(email, before + 1);
        var session = await UseLinkAsync(browser, LinkIn(mail[^1].Text));
        Assert.Equal(HttpStatusCode.SeeOther, session.StatusCode);
        return browser;
    }

    public async Task<IReadOnlyList<ReceivedEmail>> WaitForEmailAsync(string address, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var found = await SignInEmailsAsync(address);
            if (found.Count >= count) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{count} sign-in email(s) to {address} did not arrive; {found.Count} did.");
            await Task.Delay(100);
        }
    }

    public TableClient Access => Storage.Table("firmaccess");

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/firm/sign-in/cfl_[A-Za-z0-9_\-]+")]
    private static partial Regex SignInLink();

    [GeneratedRegex("name=\"token\" value=\"([^\"]*)\"")]
    private static partial Regex TokenField();

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_maildev is not null) await _maildev.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}
