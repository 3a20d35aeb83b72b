using System.Text;
using System.Text.RegularExpressions;
using CoachFlow.Email.SendGrid;
using CoachFlow.Email.Webhooks;
using CoachFlow.Email;
using CoachFlow.Functions.Http;
using CoachFlow.Web.Cohorts;
using CoachFlow.Web.Effects;
using CoachFlow.Web.Email;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Links;
using CoachFlow.Web.Tenancy;
using CoachFlow.Web.OutboundWebhooks;
using CoachFlow.Orchestrations;
using CoachFlow.Workflows.Engagements;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CoachFlow.Functions.Tests.Infra;

/// <summary>
/// infra/main.bicep compiled with the Bicep CLI, its Function app's app settings taken from the ARM template (Key Vault
/// references replaced by the secrets the deployment stores), and the Functions app built in Production with exactly
/// those settings: what it resolves is what a firm's deployment runs with. The Functions host itself cannot run here
/// (no Core Tools), so the host's own settings (AzureWebJobsStorage, the task hub) are checked against host.json and
/// the functions' metadata, which name them.
/// </summary>
public sealed partial class InfraConfigurationTests
{
    /// <summary>
    /// CoachFlow keys the app reads that infra leaves to their defaults, each safe in Azure. A key (or a section, ending
    /// with ':') here is not required in infra; anything else the app reads must have its app setting.
    /// </summary>
    private static readonly (string Key, string Why)[] Optional =
    [
        ("CoachFlow:Lifetime", "how long an emailed link lasts: 30 days"),
        ("CoachFlow:SendGrid:BaseUrl", "SendGrid's API, https://api.sendgrid.com (tests point it at Prism)"),
        ("CoachFlow:Storage:ConnectionString", "ignored when the service URIs are set, as infra sets them (storage by identity)"),
        ("CoachFlow:Smtp:", "SMTP is for maildev; outside Development the app refuses it"),
        ("CoachFlow:Cohorts:", "import pacing and leases, with defaults each checks itself"),
        ("CoachFlow:DataRights:", "erasure sweep timings, with defaults"),
        ("CoachFlow:Webhooks:", "outbound webhook retries and timeouts, with defaults; private networks stay refused"),
        ("CoachFlow:FirmDashboard:", "sign-in link rates, with defaults"),
        ("CoachFlow:EngineSweep:", "the local host's sweep interval (Azure's timer reads CoachFlowEngineSweepSchedule) and MinAge, 1 minute"),
    ];

    [Fact]
    public async Task GivenInfraCompiledForProduction_WhenTheFunctionsAppIsBuiltWithItsAppSettings_ThenItMailsThroughSendGridFromTheFirmsSenderWithLinksOnThePublicURL()
    {
        var infra = await InfraApp.ProductionAsync();
        var given = InfraApp.ProductionEnvironment;
        using var app = FunctionsApp.Build(Environments.Production, infra.Resolved());

        app.Services.GetRequiredService<IStartupValidator>().Validate(); // what the host runs first as it starts: no refusal
        Assert.Equal(Environments.Production, app.Services.GetRequiredService<IHostEnvironment>().EnvironmentName);

        // SendGrid, with the API key from Key Vault.
        Assert.IsType<SendGridEmailTransport>(app.Services.GetRequiredService<IEmailTransport>());
        var sendGrid = app.Services.GetRequiredService<SendGridOptions>();
        Assert.Equal(given["SENDGRID_API_KEY"], sendGrid.ApiKey);
        Assert.Equal(new Uri("https://api.sendgrid.com"), sendGrid.BaseUrl);

        // The firm's sender: the deployment's default address and name, on the domain firms may send from.
        var email = app.Services.GetRequiredService<EmailOptions>();
        Assert.Equal(EmailTransportKind.SendGrid, email.Transport);
        Assert.Equal(given["COACHFLOW_SENDER_EMAIL"], email.DefaultSenderEmail);
        Assert.Equal(given["COACHFLOW_SENDER_NAME"], email.SenderName);
        Assert.Equal(["yourfirm.example"], email.AllowedSenderDomains); // main.bicep's default: the sender's domain
        Assert.True(email.AllowsSender("ada@yourfirm.example"));
        Assert.False(email.AllowsSender("ada@elsewhere.example"));

        // Links: on the public URL, signed with the key from Key Vault.
        Assert.Equal(new Uri(given["COACHFLOW_PUBLIC_URL"]), app.Services.GetRequiredService<LinkOptions>().PublicBaseUrl);
        Assert.Equal(given["COACHFLOW_LINK_SIGNING_KEY"], app.Services.GetRequiredService<LinkSigningOptions>().SigningKey);
        var unsubscribe = ListUnsubscribe.HeadersFor(EmailKinds.ContractReminder, Recipients.Client, "engagement-1", "engagement-1/0004", DateTimeOffset.UtcNow,
            app.Services.GetRequiredService<LinkSigner>(), app.Services.GetRequiredService<LinkOptions>().PublicBaseUrl)!;
        Assert.StartsWith("<https://coaching.yourfirm.example/c/", unsubscribe["List-Unsubscribe"], StringComparison.Ordinal);

        // The Event Webhook's verification key: a batch SendGrid signs verifies with it.
        var webhookKey = app.Services.GetRequiredService<SendGridOptions>().WebhookPublicKey!;
        var body = Encoding.UTF8.GetBytes("""[{"email":"sam@client.test","event":"bounce","sg_event_id":"ev-1","timestamp":1767225600}]""");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(InfraApp.WebhookSigningKey.SignData([.. Encoding.UTF8.GetBytes(timestamp), .. body],
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence));
        Assert.True(SendGridEventWebhook.Verify(webhookKey, signature, timestamp, body));

        // Storage by identity: the account's service URIs, no connection string, the app's user-assigned identity.
        var storage = app.Services.GetRequiredService<StorageAccount>();
        var account = infra.AppSettings["AzureWebJobsStorage__accountName"];
        Assert.Equal(new Uri($"https://{account}.table.core.windows.net/"), storage.Tables.Uri);
        Assert.Equal(new Uri($"https://{account}.blob.core.windows.net/"), storage.Blobs.Uri);
        Assert.Equal($"https://{account}.queue.core.windows.net/", infra.AppSettings["CoachFlow__Storage__QueueUri"]);
        Assert.Equal("coachflow", storage.Prefix);
        Assert.DoesNotContain(infra.AppSettings.Keys, k => k.Equals("AzureWebJobsStorage", StringComparison.OrdinalIgnoreCase) || k.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) && k != "APPLICATIONINSIGHTS_CONNECTION_STRING");
        Assert.Equal("managedidentity", infra.AppSettings["AzureWebJobsStorage__credential"]);
        Assert.Equal(infra.Deployment.IdentityClientId, infra.AppSettings["AzureWebJobsStorage__clientId"]);
        Assert.Equal(infra.Deployment.IdentityClientId, infra.AppSettings["AZURE_CLIENT_ID"]); // DefaultAzureCredential's identity
        foreach (var service in new[] { "blob", "queue", "table" })
            Assert.Equal($"https://{account}.{service}.core.windows.net/", infra.AppSettings[$"AzureWebJobsStorage__{service}ServiceUri"]);

        // The task hub and the queues the triggers read, by the names host.json and the functions' metadata give them.
        Assert.Equal("coachflow", infra.AppSettings["CoachFlowTaskHub"]);
        Assert.Equal(CohortStore.QueueName(storage.Prefix), infra.AppSettings["CoachFlowCohortQueue"]);
        Assert.Equal(WebhookStore.QueueName(storage.Prefix), infra.AppSettings["CoachFlowWebhookQueue"]);
        var hostSettings = SettingReferences().Matches(File.ReadAllText(Path.Combine(FunctionsApp.BuildOutput, "host.json")) + File.ReadAllText(Path.Combine(FunctionsApp.BuildOutput, "functions.metadata")))
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("CoachFlowTaskHub", hostSettings);
        Assert.All(hostSettings, name => Assert.True(infra.AppSettings.ContainsKey(name), $"host.json or a trigger reads %{name}%, which infra does not set"));
        Assert.Equal(infra.Deployment.ApplicationInsightsConnectionString, infra.AppSettings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);

        // The secrets come from Key Vault, never as values in the app settings.
        foreach (var secret in new[] { "CoachFlow__SendGrid__ApiKey", "CoachFlow__SendGrid__WebhookPublicKey", "CoachFlow__Links__SigningKey" })
            Assert.Matches(InfraApp.KeyVaultReference(), infra.AppSettings[secret]);
    }

    [Fact]
    public async Task GivenInfraCompiledForProduction_WhenTheAppIsBuiltAndItsServicesResolved_ThenEveryCoachFlowSettingItReadsIsSetByInfraAndEveryOneInfraSetsIsRead()
    {
        var infra = await InfraApp.ProductionAsync();
        var read = ReadWhileResolving(infra);

        var missing = NotSetByInfra(read.Union(BoundByOptions()).ToHashSet(StringComparer.OrdinalIgnoreCase), infra.CoachFlowKeys);
        Assert.True(missing.Count == 0, $"The app reads {string.Join(", ", missing)}, which infra/modules/functionapp.bicep does not set (add the app setting, or to Optional with why its default is safe in Azure).");
        Assert.All(infra.CoachFlowKeys, key => Assert.True(read.Contains(key), $"infra sets {key}, which the app never reads")); // as CoachFlow:SendGrid:SenderEmail was
    }

    [Fact]
    public async Task GivenTheAppReadsACoachFlowKeyInfraDoesNotSet_WhenTheSettingsAreCompared_ThenThatKeyIsNamed()
    {
        var infra = await InfraApp.ProductionAsync();
        // A new option in a section infra sets, and a key of a section it does not.
        var read = ReadWhileResolving(infra, services => services.AddOptions<Unheard>().BindConfiguration(EmailOptions.Section),
            s => (_, _) = (s.GetRequiredService<IOptions<Unheard>>().Value, s.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["CoachFlow:Unheard:Key"]));

        Assert.Equal(["CoachFlow:Email:Setting", "CoachFlow:Unheard:Key"], NotSetByInfra(read, infra.CoachFlowKeys));
    }

    [Fact]
    public async Task GivenTheDevParametersWithoutACustomDomain_WhenInfraIsCompiled_ThenLinksAreOnTheAppsAzurewebsitesAddressAndTheAppStartsInProduction()
    {
        var infra = await InfraApp.CompileAsync("infra/main.dev.bicepparam", new Dictionary<string, string>());
        Assert.Equal($"https://{infra.AppName}.azurewebsites.net", infra.AppSettings["CoachFlow__PublicBaseUrl"]);
        Assert.Equal("", infra.AppSettings["CoachFlow__Email__SenderName"]); // none: each firm's mail is from the firm's name

        using var app = FunctionsApp.Build(Environments.Production, infra.Resolved());
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(new Uri($"https://{infra.AppName}.azurewebsites.net"), app.Services.GetRequiredService<LinkOptions>().PublicBaseUrl);
    }

    /// <summary>
    /// Builds the app with infra's settings and a <see cref="ReadKeys"/> observer, runs the start-up validation and
    /// resolves what serves requests and runs engagements: every key the app reads on the way.
    /// </summary>
    private static IReadOnlySet<string> ReadWhileResolving(InfraApp infra, Action<IServiceCollection>? services = null, Action<IServiceProvider>? resolve = null)
    {
        var read = new ReadKeys();
        using var app = FunctionsApp.Build(Environments.Production, infra.Resolved(), services, read);
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        using var invocation = app.Services.CreateScope();
        _ = invocation.ServiceProvider.GetRequiredService<HttpDispatch>(); // every endpoint mapped
        _ = invocation.ServiceProvider.GetRequiredService<EngagementEngine>();
        _ = invocation.ServiceProvider.GetRequiredService<IEmailTransport>();
        _ = invocation.ServiceProvider.GetRequiredService<EmailEffects>();
        _ = invocation.ServiceProvider.GetRequiredService<TenancyStore>();
        resolve?.Invoke(invocation.ServiceProvider);
        return read.CoachFlow;
    }

    /// <summary>The options classes ProductionSettings.AddCoachFlowOptions binds, each from its <c>Section</c>.</summary>
    private static readonly Type[] OptionsClasses =
        [typeof(LinkOptions), typeof(EmailOptions), typeof(SendGridOptions), typeof(Email.Smtp.SmtpOptions), typeof(StorageOptions), typeof(LinkSigningOptions)];

    private static string SectionOf(Type options) => (string)options.GetField("Section")!.GetValue(null)!;

    /// <summary>
    /// Every settable property of the options classes CoachFlow binds (ProductionSettings), as its configuration key. The
    /// binder reads only the properties of a section that has keys, so these name the properties of a section infra
    /// leaves out altogether, which the reads alone would show only as the section's key.
    /// </summary>
    private static IEnumerable<string> BoundByOptions() =>
        OptionsClasses.SelectMany(type => type.GetProperties().Where(p => p.SetMethod is { IsPublic: true }).Select(p => $"{SectionOf(type)}:{p.Name}"));

    /// <summary>
    /// A computed property of an options class (no setter, e.g. <see cref="EmailOptions.DefaultSenderEmail"/>): the binder
    /// looks its key up, but it is no setting.
    /// </summary>
    private static bool IsComputed(string key) =>
        OptionsClasses.Any(type => type.GetProperties().Any(p => p.SetMethod is null && key.Equals($"{SectionOf(type)}:{p.Name}", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The keys read that infra sets neither itself nor below (a list binds from <c>key:0</c>, <c>key:1</c>…), less <see cref="Optional"/>.</summary>
    private static List<string> NotSetByInfra(IReadOnlySet<string> read, IReadOnlySet<string> set) =>
    [
        .. read.Where(key => !set.Contains(key) && !set.Any(s => s.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase)) && !IsComputed(key))
            .Where(key => !Optional.Any(o => o.Key.EndsWith(':')
                ? key.StartsWith(o.Key, StringComparison.OrdinalIgnoreCase) || key.Equals(o.Key[..^1], StringComparison.OrdinalIgnoreCase)
                : key.Equals(o.Key, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal),
    ];

    private sealed class Unheard
    {
        public string? Setting { get; set; }
    }

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex SettingReferences();
}
