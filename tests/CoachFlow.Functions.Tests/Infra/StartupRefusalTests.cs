using CoachFlow.Email;
using CoachFlow.Email.Smtp;
using CoachFlow.Web.Email;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CoachFlow.Functions.Tests.Infra;

/// <summary>
/// Outside Development the app refuses to start without what a real deployment needs, and says which setting to set.
/// Each case starts from infra's own production settings (<see cref="InfraApp"/>) and takes one away or gets it wrong.
/// </summary>
public sealed class StartupRefusalTests
{
    public static TheoryData<string, string?, string> Refusals => new()
    {
        { "CoachFlow__PublicBaseUrl", null, "CoachFlow__PublicBaseUrl" }, // unset: the local default, http://127.0.0.1:7071
        { "CoachFlow__PublicBaseUrl", "http://127.0.0.1:7071", "CoachFlow__PublicBaseUrl" },
        { "CoachFlow__PublicBaseUrl", "https://localhost", "CoachFlow__PublicBaseUrl" },
        { "CoachFlow__PublicBaseUrl", "http://coaching.yourfirm.example", "CoachFlow__PublicBaseUrl" },
        { "CoachFlow__Email__Transport", null, "CoachFlow__Email__Transport" }, // unset: SMTP
        { "CoachFlow__Email__Transport", "smtp", "CoachFlow__Email__Transport" },
        { "CoachFlow__SendGrid__ApiKey", null, "CoachFlow__SendGrid__ApiKey" },
        { "CoachFlow__SendGrid__ApiKey", "@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/sendgrid-api-key)", "CoachFlow__SendGrid__ApiKey" },
        { "CoachFlow__SendGrid__WebhookPublicKey", null, "CoachFlow__SendGrid__WebhookPublicKey" },
        { "CoachFlow__Links__SigningKey", null, "CoachFlow__Links__SigningKey" },
        { "CoachFlow__Links__SigningKey", "too-short", "CoachFlow__Links__SigningKey" },
        { "CoachFlow__Email__SenderEmail", null, "CoachFlow__Email__SenderEmail" },
        { "CoachFlow__Email__SenderEmail", "coaching@elsewhere.example", "CoachFlow__Email__AllowedSenderDomains" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task GivenInfrasProductionSettingsWithOneMissingOrWrong_WhenTheFunctionsAppStartsInProduction_ThenItRefusesNamingTheSetting(
        string setting, string? value, string named)
    {
        var settings = (await InfraApp.ProductionAsync()).Resolved().ToDictionary();
        if (value is null) Assert.True(settings.Remove(setting), $"infra does not set {setting}");
        else settings[setting] = value;
        using var app = FunctionsApp.Build(Environments.Production, settings);

        var refusal = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(named, refusal.Message, StringComparison.Ordinal);
        Assert.Contains($"({named.Replace("__", ":", StringComparison.Ordinal)})", refusal.Message, StringComparison.Ordinal); // and its configuration key
    }

    [Fact]
    public void GivenNoProductionSettingAtAll_WhenTheFunctionsAppValidatesItsOptionsInDevelopment_ThenTheLocalDefaultsPass()
    {
        using var app = FunctionsApp.Build(); // Development, no settings but a link signing key

        app.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<SmtpEmailTransport>(app.Services.GetRequiredService<IEmailTransport>());
        Assert.Equal(new Uri("http://127.0.0.1:7071"), app.Services.GetRequiredService<LinkOptions>().PublicBaseUrl);
        Assert.Equal(EmailOptions.DevelopmentSender, app.Services.GetRequiredService<EmailOptions>().DefaultSenderEmail);
    }
}
