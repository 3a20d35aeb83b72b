using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.Tests.Lifecycle;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Tests.Api;

/// <summary>
/// The app as a real process (Development, as every local run) on Azurite and maildev, with a deployment's default
/// sender and the one domain firms may send from. Each test makes its own firm.
/// </summary>
public sealed class SenderFixture : IAsyncLifetime
{
    public const string DefaultSender = "coaching@deploy.example";
    public const string DefaultName = "Deploy Coaching";
    public const string AllowedDomain = "deploy.example";

    private Azurite? _azurite;
    private AppProcess? _app;

    public Maildev Maildev { get; private set; } = null!;
    public TenancyStore Tenancy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        Maildev = await Maildev.StartAsync();
        var prefix = Repository.UniquePrefix();
        var storage = new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = prefix });
        await storage.EnsureCreatedAsync();
        Tenancy = new TenancyStore(storage, TimeProvider.System); // creates firms as the CLI does: no sender of their own
        await Tenancy.EnsureCreatedAsync();
        _app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, _azurite.ConnectionString, prefix, new Dictionary<string, string>
        {
            ["CoachFlow__Smtp__Port"] = Maildev.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["CoachFlow__Email__SenderEmail"] = DefaultSender,
            ["CoachFlow__Email__SenderName"] = DefaultName,
            ["CoachFlow__Email__AllowedSenderDomains__0"] = AllowedDomain,
        });
        (await _app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();
    }

    /// <summary>A new firm: its admin's client, and a coach's client and address.</summary>
    public async Task<(HttpClient Admin, HttpClient Coach, string CoachEmail)> NewFirmAsync()
    {
        var (firm, _, adminToken) = await Tenancy.CreateFirmAsync("Acme Coaching", "Ada Admin", $"ada-{Guid.NewGuid():N}@acme.example", TimeSpan.FromDays(1));
        var coach = await Tenancy.AddCoachAsync(firm.FirmId, "Cleo Coach", $"cleo-{Guid.NewGuid():N}@acme.example", Role.Coach, null);
        return (Client(adminToken.Token), Client((await Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token), coach.Email);
    }

    private HttpClient Client(string token) => Lifecycle.CrashStack.Api(_app!, token);

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (Maildev is not null) await Maildev.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

public sealed class SenderTests(SenderFixture fx) : IClassFixture<SenderFixture>
{
    [Fact]
    public async Task GivenAFirmWithNoSenderOfItsOwn_WhenAnEngagementStarts_ThenTheContractEmailIsFromTheDeploymentsDefaultSender_AndRepliesGoToTheCoach()
    {
        var (admin, coach, coachEmail) = await fx.NewFirmAsync();
        var sender = await admin.GetFromJsonAsync<JsonElement>("/api/sender");
        Assert.Equal((SenderFixture.DefaultName, SenderFixture.DefaultSender), (sender.GetProperty("name").GetString(), sender.GetProperty("email").GetString()));

        var headers = await ContractEmailHeadersAsync(coach);

        Assert.Equal($"{SenderFixture.DefaultName} <{SenderFixture.DefaultSender}>", Unquoted(headers["From"]));
        Assert.Contains($"<{coachEmail}>", headers["Reply-To"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAFirmAdmin_WhenTheySetTheFirmsSenderOnAnAllowedDomain_ThenTheFirmsNextEmailIsFromIt_AndRepliesStillGoToTheCoach()
    {
        var (admin, coach, coachEmail) = await fx.NewFirmAsync();

        using var set = await admin.PutAsJsonAsync("/api/sender", new { name = "Acme Coaching Team", email = "acme@deploy.example" });
        Assert.True(set.StatusCode == HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        var headers = await ContractEmailHeadersAsync(coach);

        Assert.Equal("Acme Coaching Team <acme@deploy.example>", Unquoted(headers["From"]));
        Assert.Contains($"<{coachEmail}>", headers["Reply-To"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acme@elsewhere.example", "deploy.example")] // off the domains this deployment may send from
    [InlineData("not-an-address", "is not an email address")]
    public async Task GivenASenderTheDeploymentCannotSendFrom_WhenAnAdminSetsIt_ThenItIsRefusedWith400Saying_AndTheSenderIsUnchanged(string email, string saying)
    {
        var (admin, _, _) = await fx.NewFirmAsync();

        using var refused = await admin.PutAsJsonAsync("/api/sender", new { name = "Acme", email });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(saying, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var sender = await admin.GetFromJsonAsync<JsonElement>("/api/sender");
        Assert.Equal(SenderFixture.DefaultSender, sender.GetProperty("email").GetString());
    }

    [Fact]
    public async Task GivenACoach_WhenTheySetTheFirmsSender_ThenItIsRefusedWith403()
    {
        var (_, coach, _) = await fx.NewFirmAsync();
        using var refused = await coach.PutAsJsonAsync("/api/sender", new { name = "Cleo", email = "cleo@deploy.example" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    /// <summary>Starts an engagement and reads the headers of its contract invitation as maildev received it.</summary>
    private async Task<Dictionary<string, string>> ContractEmailHeadersAsync(HttpClient coach)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/engagements")
        {
            Content = JsonContent.Create(new { clientName = "Sam Rivera", clientEmail = $"{Guid.NewGuid():N}@client.test", programId = "career-6" }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var response = await coach.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var deadline = DateTime.UtcNow.AddSeconds(60);
        ReceivedEmail? email;
        while ((email = (await fx.Maildev.ReadAsync(new HashSet<string> { id })).FirstOrDefault(e => e.Kind == EmailKinds.ContractInvitation)) is null)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No contract invitation for {id} within 60 s.");
            await Task.Delay(250);
        }
        var source = await fx.Maildev.SourceAsync(email.Id);
        // The header block, unfolded: a continuation line starts with white space.
        var block = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n")[0].Replace("\n ", " ", StringComparison.Ordinal).Replace("\n\t", " ", StringComparison.Ordinal);
        return block.Split('\n').Where(l => l.Contains(':', StringComparison.Ordinal)).Select(l => l.Split(':', 2))
            .GroupBy(p => p[0].Trim(), StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>A display name as MIME may quote it: <c>"Acme Coaching" &lt;a@b&gt;</c> is <c>Acme Coaching &lt;a@b&gt;</c>.</summary>
    private static string Unquoted(string address) => address.Replace("\"", "", StringComparison.Ordinal);
}
