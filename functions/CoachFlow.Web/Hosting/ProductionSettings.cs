using System.Net;
using CoachFlow.Email.SendGrid;
using CoachFlow.Email.Smtp;
using CoachFlow.Web.Email;
using CoachFlow.Web.Links;
using Microsoft.Extensions.Options;
using LinkOptions = CoachFlow.Web.Email.LinkOptions;

namespace CoachFlow.Web.Hosting;

/// <summary>
/// CoachFlow's options sections, each bound from its class's <c>Section</c> of the host's configuration and checked
/// as the host starts (<c>ValidateOnStart</c>). Outside Development the local-only defaults are refused (a loopback or
/// http public URL, SMTP, no SendGrid key, no webhook key, no link-signing key, no default sender), each with the
/// setting to set, as an app setting (<c>CoachFlow__…</c>) and as a configuration key.
/// </summary>
public static class ProductionSettings
{
    /// <summary>Binds and validates every section; each options class is also a singleton, for the services that take it.</summary>
    public static IServiceCollection AddCoachFlowOptions(this IServiceCollection services, IConfiguration configuration)
    {
        Add<LinkOptions>(services, configuration, (o, v) => v.Links(o));
        Add<EmailOptions>(services, configuration, (o, v) => v.Email(o));
        Add<SendGridOptions>(services, configuration, (o, v) => v.SendGrid(o));
        Add<SmtpOptions>(services, configuration, (_, _) => []);
        Add<StorageOptions>(services, configuration, (o, v) => v.Storage(o));
        Add<LinkSigningOptions>(services, configuration, (o, v) => v.Signing(o));
        return services;
    }

    private static string SectionOf(Type options) => (string)options.GetField("Section")!.GetValue(null)!;

    private static void Add<T>(IServiceCollection services, IConfiguration configuration, Func<T, Checks, IEnumerable<string>> check) where T : class
    {
        // Bound from the configuration given (not the container's): the command line builds services without one.
        services.AddOptions<T>().Bind(configuration.GetSection(SectionOf(typeof(T)))).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(sp => new Validator<T>(check, new Checks(sp.GetService<IHostEnvironment>(), sp)));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
    }

    /// <summary>"CoachFlow__PublicBaseUrl (CoachFlow:PublicBaseUrl)": the app setting and the configuration key.</summary>
    public static string Setting(string key) => $"{key.Replace(":", "__", StringComparison.Ordinal)} ({key})";

    private sealed class Validator<T>(Func<T, Checks, IEnumerable<string>> check, Checks checks) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var failures = check(options, checks).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    /// <param name="environment">The host's; none for the command line's services (the commands run next to a local host).</param>
    /// <param name="services">Where the email options come from when SendGrid's are checked: asked then, not when the
    /// validators are made, since the email options' own factory makes theirs.</param>
    private sealed class Checks(IHostEnvironment? environment, IServiceProvider services)
    {
        private EmailOptions EmailSettings => services.GetRequiredService<IOptionsMonitor<EmailOptions>>().CurrentValue;

        private bool Production => environment is not null && !environment.IsDevelopment();
        private string Outside => $"(environment {environment?.EnvironmentName}; only Development runs without it)";

        public IEnumerable<string> Links(LinkOptions o)
        {
            if (!o.PublicBaseUrl.IsAbsoluteUri)
                yield return $"{Setting(LinkOptions.Section + ":PublicBaseUrl")} must be an absolute URL, e.g. https://coaching.yourfirm.example.";
            else if (Production && (o.PublicBaseUrl.Scheme != Uri.UriSchemeHttps || IsLoopback(o.PublicBaseUrl)))
                yield return $"Set {Setting(LinkOptions.Section + ":PublicBaseUrl")} to the app's public https address (its custom domain, or https://<app>.azurewebsites.net): "
                    + $"it is {o.PublicBaseUrl.GetLeftPart(UriPartial.Authority)}, so every emailed link would point there {Outside}.";
            if (o.Lifetime <= TimeSpan.Zero)
                yield return $"{Setting(LinkOptions.Section + ":Lifetime")} must be a positive time span, e.g. 30.00:00:00.";
        }

        public IEnumerable<string> Email(EmailOptions o)
        {
            if (Production && o.Transport != EmailTransportKind.SendGrid)
                yield return $"Set {Setting(EmailOptions.Section + ":Transport")} to sendgrid: it is {o.Transport.ToString().ToLowerInvariant()}, which sends to a local mail catcher {Outside}.";
            if (Production && string.IsNullOrWhiteSpace(o.SenderEmail))
                yield return $"Set {Setting(EmailOptions.Section + ":SenderEmail")} to the default From address (a SendGrid verified sender or an address on an authenticated domain) {Outside}.";
            if (!string.IsNullOrWhiteSpace(o.SenderEmail) && !IsAddress(o.SenderEmail.Trim()))
                yield return $"{Setting(EmailOptions.Section + ":SenderEmail")} is not an email address: '{o.SenderEmail}'.";
            else if (!string.IsNullOrWhiteSpace(o.SenderEmail) && !o.AllowsSender(o.SenderEmail.Trim()))
                yield return $"{Setting(EmailOptions.Section + ":SenderEmail")} '{o.SenderEmail}' is not on a domain of {Setting(EmailOptions.Section + ":AllowedSenderDomains")}: {string.Join(", ", o.AllowedSenderDomains)}.";
        }

        public IEnumerable<string> SendGrid(SendGridOptions o)
        {
            foreach (var unresolved in Unresolved((SendGridOptions.Section + ":ApiKey", o.ApiKey), (SendGridOptions.Section + ":WebhookPublicKey", o.WebhookPublicKey)))
                yield return unresolved;
            if (!Production) yield break;
            if (EmailSettings.Transport == EmailTransportKind.SendGrid && string.IsNullOrWhiteSpace(o.ApiKey))
                yield return $"Set {Setting(SendGridOptions.Section + ":ApiKey")} to a SendGrid API key with the Mail Send permission (a Key Vault reference in Azure) {Outside}.";
            if (string.IsNullOrWhiteSpace(o.WebhookPublicKey))
                yield return $"Set {Setting(SendGridOptions.Section + ":WebhookPublicKey")} to the Event Webhook's verification key (SendGrid: Mail Settings → Event Webhook → Signature Verification); without it bounces are never heard of {Outside}.";
        }

        public IEnumerable<string> Storage(StorageOptions o)
        {
            string? problem = null;
            try { _ = o.CheckedPrefix; }
            catch (InvalidOperationException ex) { problem = $"{Setting(StorageOptions.Section + ":Prefix")}: {ex.Message}"; }
            if (problem is not null) yield return problem;
            if ((o.TableUri is null) != (o.BlobUri is null))
                yield return $"Set both {Setting(StorageOptions.Section + ":TableUri")} and {Setting(StorageOptions.Section + ":BlobUri")} (storage by identity), or neither (a connection string).";
        }

        public IEnumerable<string> Signing(LinkSigningOptions o)
        {
            if (Unresolved((LinkSigningOptions.Section + ":SigningKey", o.SigningKey)).FirstOrDefault() is { } unresolved)
            {
                yield return unresolved;
                yield break;
            }
            if (Production && string.IsNullOrEmpty(o.SigningKey))
                yield return $"Set {Setting(LinkSigningOptions.Section + ":SigningKey")} to a secret of at least 32 characters (a Key Vault reference in Azure; keep it: rotating it invalidates sent links) {Outside}.";
            else if (o.SigningKey is { Length: > 0 and < 32 })
                yield return $"{Setting(LinkSigningOptions.Section + ":SigningKey")} needs at least 32 characters.";
        }

        /// <summary>
        /// A Key Vault reference App Service could not resolve reaches the app as the reference itself
        /// (<c>@Microsoft.KeyVault(SecretUri=…)</c>): the secret is missing, or the app's identity may not read it.
        /// </summary>
        private static IEnumerable<string> Unresolved(params (string Key, string? Value)[] settings) =>
            settings.Where(s => s.Value?.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase) == true)
                .Select(s => $"{Setting(s.Key)} is a Key Vault reference App Service did not resolve: check that the secret exists and that the app's identity has Key Vault Secrets User on the vault (the app's Environment variables blade shows the reference's status).");

        private static bool IsLoopback(Uri url) =>
            url.IsLoopback || (IPAddress.TryParse(url.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>An email address as CoachFlow takes one (what <c>TenancyStore</c> accepts for a person).</summary>
    internal static bool IsAddress(string email) =>
        System.Net.Mail.MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && email.Contains('.', StringComparison.Ordinal) && email.Length <= 254;
}
