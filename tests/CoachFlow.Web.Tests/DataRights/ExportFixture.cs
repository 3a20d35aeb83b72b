using CoachFlow.Testing;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.Tests.Lifecycle;

namespace CoachFlow.Web.Tests.DataRights;

/// <summary>
/// Azurite, maildev and the built local host as a process, with two firms. Firm A: an admin, two coaches (Cleo and
/// Omar), a sponsor. Firm B: an admin. As soon as the app is up, a whole engagement of Cleo's on the accelerated
/// program (sponsored, with answers, agreements, shared and private notes) is driven to its end in the background,
/// as <c>WholeEngagementTests</c> drives one; the tests that need it await <see cref="WholeEngagementAsync"/>.
/// </summary>
public sealed partial class ExportFixture : IAsyncLifetime
{
    /// <summary>What the demo client and coach write (DemoCommand), distinctive enough to search the ZIP for.</summary>
    public const string IntakeAnswer = "Led the migration of our reporting platform; cut month-end close from 9 to 4 days.";
    public const string Learning = "Asking went better than I feared; one colleague introduced me the same day.";
    public const string SharedNotes = "Good energy today; the client chose the action themselves.";
    public const string PrivateNotes = "Watch for perfectionism around outreach.";

    /// <summary>The app signs links with this key, so a test can sign one that has already expired.</summary>
    public const string SigningKey = "export-tests-link-signing-key-0123456789abcdef";

    private Azurite? _azurite;
    private Maildev? _maildev;
    private AppProcess? _app;
    private Task<string>? _whole;
    private readonly StringWriter _driveLog = new();

    public Maildev Maildev => _maildev!;
    public AppProcess App => _app!;
    public StorageAccount Storage { get; private set; } = null!;
    public string ConnectionString => _azurite!.ConnectionString;
    public string Prefix { get; } = Repository.UniquePrefix();
    public string FirmA { get; private set; } = "";
    public string FirmAName => "Northwind Coaching";
    public Coach Cleo { get; private set; } = null!;
    public Coach Omar { get; private set; } = null!;
    public Coach SponsorSam { get; private set; } = null!;
    public HttpClient AdminA { get; private set; } = null!;
    public HttpClient CleoApi { get; private set; } = null!;
    public HttpClient OmarApi { get; private set; } = null!;
    public HttpClient SponsorA { get; private set; } = null!;
    public HttpClient AdminB { get; private set; } = null!;

    /// <summary>The whole engagement's client: Cleo's engagement and, started by <see cref="SecondEngagementAsync"/>, one of Omar's.</summary>
    public string ClientEmail { get; } = $"jordan-{Guid.NewGuid():N}@client.test";

    public async Task InitializeAsync()
    {
        var azurite = Azurite.StartAsync();
        var maildev = Maildev.StartAsync();
        _azurite = await azurite;
        _maildev = await maildev;
        Storage = new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = Prefix });
        await Storage.EnsureCreatedAsync();
        var tenancy = new TenancyStore(Storage, TimeProvider.System);
        await tenancy.EnsureCreatedAsync();

        var (firmA, _, adminToken) = await tenancy.CreateFirmAsync(FirmAName, "Avery Admin", "avery@northwind.test", TimeSpan.FromDays(1));
        FirmA = firmA.FirmId;
        Cleo = await tenancy.AddCoachAsync(FirmA, "Cleo Coach", "cleo@northwind.test", Role.Coach, null);
        Omar = await tenancy.AddCoachAsync(FirmA, "Omar Coach", "omar@northwind.test", Role.Coach, null);
        SponsorSam = await tenancy.AddCoachAsync(FirmA, "Sam Sponsor", "sam@employer.test", Role.Sponsor, null);
        var (_, _, adminBToken) = await tenancy.CreateFirmAsync("Firm B", "Bo Admin", "bo@b.test", TimeSpan.FromDays(1));

        _app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, _azurite.ConnectionString, Prefix,
            new Dictionary<string, string>
            {
                ["CoachFlow__Smtp__Port"] = _maildev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["CoachFlow__Links__SigningKey"] = SigningKey,
            });
        (await _app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();

        var cleoToken = (await tenancy.IssueTokenAsync(Cleo, TimeSpan.FromDays(1))).Token;
        AdminA = Client(adminToken.Token);
        CleoApi = Client(cleoToken);
        OmarApi = Client((await tenancy.IssueTokenAsync(Omar, TimeSpan.FromDays(1))).Token);
        SponsorA = Client((await tenancy.IssueTokenAsync(SponsorSam, TimeSpan.FromDays(1))).Token);
        AdminB = Client(adminBToken.Token);

        var inbox = new Uri($"http://127.0.0.1:{_maildev.WebPort}");
        _whole = Task.Run(async () =>
        {
            var (exit, id) = await DemoCommand.DriveAsync(_app.Client.BaseAddress!, cleoToken, inbox, TimeSpan.FromMinutes(10), ClientEmail, SponsorSam.CoachId, _driveLog);
            return exit == 0 && id is not null ? id : throw new InvalidOperationException($"The whole engagement did not close:\n{_driveLog}\n{_app.Output}");
        });
    }

    /// <summary>Cleo's whole engagement, closed after maintenance.</summary>
    public Task<string> WholeEngagementAsync() => _whole!;

    /// <summary>What the demo coach and client did in the whole engagement, a line per step with the answer's status.</summary>
    public string DriveLog => _driveLog.ToString();

    private Task<string>? _second;

    /// <summary>
    /// A second engagement of the same client, Omar's, started (its contract out) once the whole engagement is over: the
    /// demo client answers every link emailed to its address, so earlier it would sign this one too.
    /// </summary>
    public Task<string> SecondEngagementAsync() => _second ??= Task.Run(async () =>
    {
        await WholeEngagementAsync();
        return await StartAsync(OmarApi, ClientEmail, "Jordan Demo");
    });

    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = _app!.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A browser-like client for the client pages: keeps cookies (antiforgery), does not follow redirects.</summary>
    public HttpClient Browser() => new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true })
    {
        BaseAddress = _app!.Client.BaseAddress,
        Timeout = TimeSpan.FromMinutes(2),
    };

    /// <summary>Starts an engagement on career-6 and waits until its contract document is stored (the first step ran).</summary>
    public async Task<string> StartAsync(HttpClient coach, string clientEmail, string clientName = "Dana Client")
    {
        using var started = await coach.PostAsJsonAsync("/api/engagements", new
        {
            clientName, clientEmail, programId = "career-6", overallGoals = new[] { "Increase sales by 10% within six months" },
        });
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await UntilAsync(async () => (await coach.GetAsync($"/api/engagements/{id}/documents/contract-v1")).StatusCode == HttpStatusCode.OK, $"the contract of {id}");
        return id;
    }

    /// <summary>Polls <paramref name="condition"/> every 200 ms for up to 60 s.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited 60 s for {what}.");
            await Task.Delay(200);
        }
    }

    /// <summary>The one email of <paramref name="kind"/> for the engagement, waited for in maildev.</summary>
    public async Task<ReceivedEmail> EmailAsync(string engagementId, string kind, int count = 1)
    {
        IReadOnlyList<ReceivedEmail> found = [];
        await UntilAsync(async () => (found = [.. (await Maildev.ReadAsync(new HashSet<string> { engagementId })).Where(e => e.Kind == kind)]).Count >= count,
            $"{count} {kind} email(s) for {engagementId}");
        return found[count - 1];
    }

    /// <summary>GETs (or sends) an export and reads the ZIP; asserts it is one.</summary>
    public static async Task<ExportZip> ZipAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".zip", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        return new ExportZip(body);
    }

    /// <summary>A 4xx problem: its status and its reason (the detail).</summary>
    public static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail), text);
        return detail!;
    }

    public static string Csrf(string html) => CsrfField().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("No antiforgery field in:\n" + html);

    public static string LinkIn(string text) => ClientLink().Match(text) is { Success: true } m ? m.Value : throw new InvalidOperationException("No client link in:\n" + text);

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/c/[A-Za-z0-9_\-.]+")]
    private static partial Regex ClientLink();

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_maildev is not null) await _maildev.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
[RunsForMinutes]
public sealed class ExportCollection : ICollectionFixture<ExportFixture>
{
    public const string Name = "Export";
}

/// <summary>An export's ZIP, read back: its entries as text and JSON.</summary>
public sealed class ExportZip
{
    private readonly Dictionary<string, byte[]> _entries = new(StringComparer.Ordinal);

    public ExportZip(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            _entries.Add(entry.FullName, copy.ToArray());
        }
        Names = [.. archive.Entries.Select(e => e.FullName)];
    }

    /// <summary>The entries in the order the ZIP holds them.</summary>
    public IReadOnlyList<string> Names { get; }

    public string Text(string name) => _entries.TryGetValue(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : throw new KeyNotFoundException($"No {name} in the ZIP: {string.Join(", ", Names)}");

    public JsonElement Json(string name) => JsonDocument.Parse(Text(name)).RootElement;

    public JsonElement Manifest => Json("manifest.json");

    /// <summary>Every entry as text, for searching the whole copy.</summary>
    public IEnumerable<(string Name, string Text)> All => Names.Select(n => (n, Text(n)));

    /// <summary>The document names stored for an engagement (each has an .html and a .json).</summary>
    public IReadOnlyList<string> Documents(string engagementId) =>
        [.. Names.Where(n => n.StartsWith($"engagements/{engagementId}/documents/", StringComparison.Ordinal) && n.EndsWith(".html", StringComparison.Ordinal))
            .Select(n => n[$"engagements/{engagementId}/documents/".Length..^".html".Length])];
}
