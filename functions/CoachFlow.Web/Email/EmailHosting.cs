using CoachFlow.Email;
using CoachFlow.Email.Rendering;
using CoachFlow.Email.SendGrid;
using CoachFlow.Email.Smtp;
using CoachFlow.Web.Effects;
using Microsoft.Extensions.Options;

namespace CoachFlow.Web.Email;

public static class EmailHosting
{
    /// <summary>
    /// Email through <see cref="EmailOptions.Transport"/>: <c>smtp</c> (the default; <see cref="SmtpOptions"/>, maildev
    /// locally) or <c>sendgrid</c> (<see cref="SendGridOptions"/>, the API key from Key Vault in Azure). The options are
    /// bound and validated by <see cref="Hosting.ProductionSettings.AddCoachFlowOptions"/>.
    /// </summary>
    public static IServiceCollection AddCoachFlowEmail(this IServiceCollection services)
    {
        services.AddSingleton<EmailRenderer>();
        services.AddHttpClient<SendGridEmailTransport>();
        services.AddSingleton<SmtpEmailTransport>();
        services.AddSingleton<IEmailTransport>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Transport == EmailTransportKind.SendGrid
            ? sp.GetRequiredService<SendGridEmailTransport>()
            : sp.GetRequiredService<SmtpEmailTransport>());
        services.AddSingleton<EmailEffects>();
        return services;
    }
}
