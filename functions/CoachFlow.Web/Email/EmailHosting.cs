using CoachFlow.Email;
using CoachFlow.Email.Rendering;
using CoachFlow.Email.SendGrid;
using CoachFlow.Email.Smtp;

namespace CoachFlow.Web.Email;

public static class EmailHosting
{
    /// <summary>
    /// Email: <c>CoachFlow:Email:Transport</c> = <c>smtp</c> (default; <c>CoachFlow:Smtp</c>, maildev locally) or
    /// <c>sendgrid</c> (<c>CoachFlow:SendGrid:ApiKey</c>, from Key Vault in Azure).
    /// </summary>
    public static IServiceCollection AddCoachFlowEmail(this IServiceCollection services, IConfiguration configuration)
    {
        var links = new LinkOptions();
        configuration.GetSection("CoachFlow").Bind(links);
        services.AddSingleton(links);
        services.AddSingleton<EmailRenderer>();
        var transport = configuration["CoachFlow:Email:Transport"] ?? "smtp";
        if (string.Equals(transport, "sendgrid", StringComparison.OrdinalIgnoreCase))
        {
            var sendGrid = new SendGridOptions();
            configuration.GetSection("CoachFlow:SendGrid").Bind(sendGrid);
            services.AddSingleton(sendGrid);
            services.AddHttpClient<IEmailTransport, SendGridEmailTransport>();
        }
        else
        {
            var smtp = new SmtpOptions();
            configuration.GetSection("CoachFlow:Smtp").Bind(smtp);
            services.AddSingleton(smtp);
            services.AddSingleton<IEmailTransport, SmtpEmailTransport>();
        }
        services.AddSingleton<EmailEffects>();
        return services;
    }
}
