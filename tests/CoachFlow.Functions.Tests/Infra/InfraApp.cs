using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace CoachFlow.Functions.Tests.Infra;

/// <summary>
/// The Function app as infra/ deploys it: infra/main.bicep compiled by the Bicep CLI with a parameters file, and the
/// site's app settings evaluated from the ARM template as Resource Manager would (<see cref="ArmTemplate"/>).
/// </summary>
/// <param name="AppSettings">The site's app settings as infra writes them (Key Vault references as references).</param>
/// <param name="Deployment">What the deployment created: the Key Vault secrets' values among them.</param>
/// <param name="AppName">The site's name (its default host is &lt;name&gt;.azurewebsites.net).</param>
internal sealed partial record InfraApp(IReadOnlyDictionary<string, string> AppSettings, ArmDeployment Deployment, string AppName)
{
    /// <summary>The Event Webhook's signing key, as SendGrid holds it (declared first: the environment below reads it); its public half is what a firm copies from SendGrid.</summary>
    public static ECDsa WebhookSigningKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>What a firm exports before deploying with infra/main.prod.bicepparam (docs/deploy.md), here test values.</summary>
    public static IReadOnlyDictionary<string, string> ProductionEnvironment { get; } = new Dictionary<string, string>
    {
        ["AZURE_ENV_NAME"] = "coachflow-prod",
        ["SENDGRID_API_KEY"] = "SG.infra-test-api-key",
        ["COACHFLOW_LINK_SIGNING_KEY"] = "infra-test-link-signing-key-0123456789-abcdefghij",
        ["SENDGRID_WEBHOOK_PUBLIC_KEY"] = WebhookPublicKey,
        ["COACHFLOW_PUBLIC_URL"] = "https://coaching.yourfirm.example",
        ["COACHFLOW_SENDER_EMAIL"] = "coaching@yourfirm.example",
        ["COACHFLOW_SENDER_NAME"] = "Your Firm Coaching",
    };

    private static string WebhookPublicKey => Convert.ToBase64String(WebhookSigningKey.ExportSubjectPublicKeyInfo());

    private static readonly Lazy<Task<InfraApp>> Production = new(() => CompileAsync("infra/main.prod.bicepparam", ProductionEnvironment));

    /// <summary>infra/main.prod.bicepparam with <see cref="ProductionEnvironment"/>, compiled once for the test run.</summary>
    public static Task<InfraApp> ProductionAsync() => Production.Value;

    public static async Task<InfraApp> CompileAsync(string parametersFile, IReadOnlyDictionary<string, string> environment)
    {
        var (template, parameters) = await BicepCli.BuildParamsAsync(parametersFile, environment);
        var deployment = new ArmDeployment();
        var functionApp = new ArmTemplate(template, parameters, deployment).Module("functionapp");
        var site = functionApp.Resource("Microsoft.Web/sites");
        var settings = (List<object?>)functionApp.Evaluate(site["properties"]!["siteConfig"]!["appSettings"])!;
        var byName = settings.Cast<Dictionary<string, object?>>().ToDictionary(s => (string)s["name"]!, s => (string)s["value"]!, StringComparer.Ordinal);
        Assert.Equal(settings.Count, byName.Count); // no setting written twice
        return new InfraApp(byName, deployment, (string)functionApp.Evaluate(site["name"])!);
    }

    /// <summary>
    /// The app settings as the app reads them in Azure: each Key Vault reference replaced by the value the deployment
    /// stored in that secret, as App Service resolves it with the app's identity.
    /// </summary>
    public IReadOnlyDictionary<string, string> Resolved() => AppSettings.ToDictionary(s => s.Key,
        s => KeyVaultReference().Match(s.Value) is { Success: true } reference ? Deployment.SecretValue(reference.Groups[1].Value) : s.Value, StringComparer.Ordinal);

    /// <summary>The configuration keys infra sets for CoachFlow's own options (<c>CoachFlow__A__B</c> is <c>CoachFlow:A:B</c>).</summary>
    public IReadOnlySet<string> CoachFlowKeys => AppSettings.Keys.Where(k => k.StartsWith("CoachFlow__", StringComparison.Ordinal))
        .Select(k => k.Replace("__", ":", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"^@Microsoft\.KeyVault\(SecretUri=([^)]+)\)$")]
    public static partial Regex KeyVaultReference();
}

/// <summary>
/// A configuration source asked first for every key the app looks up, that answers none: it records which keys the
/// app reads (an options class binding its section reads each property's key; a <c>configuration["…"]</c> reads one).
/// </summary>
internal sealed class ReadKeys : IConfigurationSource, IConfigurationProvider
{
    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConfigurationReloadToken _reload = new();

    /// <summary>Every <c>CoachFlow:…</c> key read so far.</summary>
    public IReadOnlySet<string> CoachFlow => _keys.Keys.Where(k => k.StartsWith("CoachFlow:", StringComparison.OrdinalIgnoreCase)).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public bool TryGet(string key, out string? value)
    {
        _keys.TryAdd(key, 0);
        value = null;
        return false;
    }

    public void Set(string key, string? value) { }

    public IChangeToken GetReloadToken() => _reload;

    public void Load() { }

    public IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath) => earlierKeys;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;
}
