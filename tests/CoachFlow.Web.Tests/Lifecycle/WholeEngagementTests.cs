using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>Azurite, maildev and the local host as a process (the real Durable Task engine), shared by the lifecycle tests.</summary>
public sealed class LifecycleFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private Maildev? _maildev;
    private AppProcess? _app;

    public Maildev Maildev => _maildev ?? throw new InvalidOperationException("Not started.");
    public AppProcess App => _app ?? throw new InvalidOperationException("Not started.");
    public TenancyStore Tenancy { get; private set; } = null!;
    public StorageAccount Storage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var azurite = Azurite.StartAsync();
        var maildev = Maildev.StartAsync();
        _azurite = await azurite;
        _maildev = await maildev;
        var prefix = Repository.UniquePrefix();
        Storage = new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = prefix });
        await Storage.EnsureCreatedAsync();
        Tenancy = new TenancyStore(Storage, TimeProvider.System);
        await Tenancy.EnsureCreatedAsync();
        _app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, _azurite.ConnectionString, prefix,
            new Dictionary<string, string> { ["CoachFlow__Smtp__Port"] = _maildev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        (await _app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_maildev is not null) await _maildev.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

/// <summary>
/// A whole engagement on the accelerated program (durations are program data: a week is ten seconds) through the
/// local host on the real Durable Task engine: the coach through the API, the client through the emailed links and
/// the very pages a client sees, the sponsor by email; every email read back from maildev.
/// </summary>
public sealed partial class WholeEngagementTests(LifecycleFixture fixture) : IClassFixture<LifecycleFixture>
{
    [Fact]
    public async Task GivenASponsoredEngagementOnTheFastProgram_WhenCoachAndClientFollowItToTheEnd_ThenEveryEmailWentOutOnceInOrderAndEveryDocumentIsStored()
    {
        var prefix = Repository.UniquePrefix();
        var (firm, _, _) = await fixture.Tenancy.CreateFirmAsync("Northwind Coaching", "Avery Admin", $"admin-{prefix}@northwind.test", TimeSpan.FromDays(1));
        var coach = await fixture.Tenancy.AddCoachAsync(firm.FirmId, "Casey Coach", $"coach-{prefix}@northwind.test", Role.Coach, null);
        var sponsor = await fixture.Tenancy.AddCoachAsync(firm.FirmId, "Sasha Sponsor", $"sponsor-{prefix}@employer.test", Role.Sponsor, null);
        var token = (await fixture.Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token;
        var clientEmail = $"jordan-{prefix}@client.test";

        using var log = new StringWriter();
        var inbox = new Uri($"http://127.0.0.1:{fixture.Maildev.WebPort}");
        var (exit, id) = await DemoCommand.DriveAsync(fixture.App.Client.BaseAddress!, token, inbox, TimeSpan.FromMinutes(8), clientEmail, sponsor.CoachId, log);
        Assert.True(exit == 0, $"The engagement did not close:\n{log}\n{fixture.App.Output}");
        Assert.DoesNotContain(" → 4", log.ToString(), StringComparison.Ordinal); // no step of the coach or the client was refused
        Assert.DoesNotContain(" → 5", log.ToString(), StringComparison.Ordinal);

        using var api = new HttpClient { BaseAddress = fixture.App.Client.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var detail = await api.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        Assert.Equal(("completed", "closed"), (detail.GetProperty("status").GetString(), detail.GetProperty("phase").GetString()));
        Assert.Equal(6, detail.GetProperty("sessions").EnumerateArray().Count(s => s.GetProperty("held").GetBoolean()));
        Assert.Equal(2, detail.GetProperty("reassessments").GetArrayLength());

        // Each email once: one message per effect (the Message-ID is the effect's id), and none refused by the transport.
        var emails = await fixture.Maildev.ReadAsync(new HashSet<string> { id! });
        Assert.Equal(emails.Count, emails.Select(e => e.MessageId).Distinct().Count());
        Assert.All(emails, e => Assert.NotNull(e.Kind));

        // In the order of the program: each milestone after the one before it, as many times as the program calls for.
        var kinds = emails.Select(e => e.Kind!).ToList();
        string[] milestones =
        [
            EmailKinds.ContractInvitation, EmailKinds.IntakeInvitation, EmailKinds.PreSessionBrief,
            .. Enumerable.Repeat(new[] { EmailKinds.SessionConfirmation, EmailKinds.SessionSummary }, 6).SelectMany(k => k),
            EmailKinds.MaintenancePlanReview, EmailKinds.Graduation, EmailKinds.MaintenanceComplete,
        ];
        Assert.Equal(milestones, kinds.Where(milestones.Contains).ToList());
        Assert.Equal(2, kinds.Count(k => k == EmailKinds.ReassessmentInvitation));
        Assert.Equal(6, kinds.Count(k => k == EmailKinds.SessionReminder));
        Assert.True(kinds.Count(k => k == EmailKinds.MaintenanceCheckIn) >= 2, string.Join(", ", kinds));
        Assert.True(kinds.IndexOf(EmailKinds.Graduation) < kinds.IndexOf(EmailKinds.MaintenanceCheckIn), "maintenance check-ins come after graduation");

        // The sponsor: a link to the progress report after each reassessment, nothing else, and none of the client's words.
        var toSponsor = emails.Where(e => e.To == sponsor.Email).ToList();
        Assert.Equal([EmailKinds.ProgressReport, EmailKinds.ProgressReport], toSponsor.Select(e => e.Kind));
        Assert.All(emails.Where(e => e.Kind == EmailKinds.ProgressReport), e => Assert.Equal(sponsor.Email, e.To));
        Assert.All(toSponsor, e =>
        {
            Assert.Contains("Hi Sasha,", e.Text, StringComparison.Ordinal);
            Assert.Matches(LinkRegex(), e.Text);
            Assert.DoesNotContain("Asking went better", e.Text, StringComparison.Ordinal);
        });
        // Emails carry links, never answers.
        Assert.All(emails, e => Assert.DoesNotContain("cut month-end close", e.Text, StringComparison.Ordinal));

        string[] documents =
        [
            "contract-v1", "contract-v1-signature", "intake-answers", "pre-session-brief",
            .. Enumerable.Range(1, 6).SelectMany(n => new[] { $"session-{n}-pre-session", $"session-{n}-agreement", $"session-{n}-coach-notes", $"session-{n}-summary" }),
            "reassessment-1-report", "reassessment-2-report", "progress-report-reassessment-1", "progress-report-reassessment-2",
            "maintenance-plan-draft-1", "maintenance-plan",
        ];
        var stored = detail.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToList();
        Assert.All(documents, name => Assert.Contains(name, stored));
        Assert.Contains(stored, n => n.StartsWith("maintenance-checkin-", StringComparison.Ordinal) && n.EndsWith("-answers", StringComparison.Ordinal));
        foreach (var name in stored)
        {
            var html = await api.GetStringAsync($"/api/engagements/{id}/documents/{name}");
            var isPrivate = name.EndsWith("-coach-notes", StringComparison.Ordinal);
            Assert.True(isPrivate == html.Contains("Watch for perfectionism", StringComparison.Ordinal), $"{name} and the coach's private notes");
            // Written for people: no engagement id, no ISO timestamp, no true/false.
            var text = TagRegex().Replace(StyleRegex().Replace(html, " "), " ");
            Assert.DoesNotContain(id!, text, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\b(true|false)\b", text);
        }
        var signature = await api.GetStringAsync($"/api/engagements/{id}/documents/contract-v1-signature?format=json");
        var contractHtml = await api.GetStringAsync($"/api/engagements/{id}/documents/contract-v1");
        Assert.Contains(Documents.DocumentStore.Sha256(contractHtml), signature, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"https?://[^\s""'<>]+/c/[A-Za-z0-9._~-]+")]
    private static partial Regex LinkRegex();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagRegex();

    [GeneratedRegex("<style.*?</style>", RegexOptions.Singleline)]
    private static partial Regex StyleRegex();
}
