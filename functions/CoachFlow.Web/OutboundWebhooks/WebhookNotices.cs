using System.Globalization;
using CoachFlow.Email;
using CoachFlow.Email.Rendering;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>
/// Tells every firm admin, by email (<see cref="AccountEmailKinds.WebhookEndpointDisabled"/>), that CoachFlow switched an
/// endpoint off because it kept failing: which endpoint, since when, the last answer and how to switch it on again.
/// </summary>
/// <remarks>
/// At least once: the notice is sent, then recorded on the endpoint (<see cref="WebhookEndpoint.NoticeSentAt"/>); a worker
/// that finds a system-disabled endpoint without that record sends it again. Each admin's email keeps its Message-ID
/// across repeats (the effect id names the endpoint and the moment it was disabled).
/// </remarks>
public sealed partial class WebhookNotices(WebhookStore store, TenancyStore tenancy, EmailRenderer renderer, IEmailTransport transport, TimeProvider time,
    ILogger<WebhookNotices> logger)
{
    public async Task EnsureSentAsync(WebhookEndpoint endpoint, CancellationToken ct)
    {
        if (endpoint.IsEnabled || endpoint.DisabledBy != WebhookEndpoint.BySystem || endpoint.NoticeSentAt is not null || endpoint.DisabledAt is not { } disabledAt) return;
        var firm = await tenancy.GetFirmAsync(endpoint.FirmId, ct);
        if (firm is null) return;
        var branding = new FirmBranding(firm.Name, firm.PrimaryColor, firm.LogoUrl is { } logo ? new Uri(logo) : null, new EmailAddress(firm.SenderEmail, firm.SenderName));
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["endpoint_url"] = endpoint.Url,
            ["endpoint_description"] = endpoint.Description ?? "",
            ["endpoint_id"] = endpoint.EndpointId,
            ["firm_id"] = endpoint.FirmId,
            ["failing_since"] = endpoint.FailingSince is { } since ? since.UtcDateTime.ToString("dddd d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture) : "unknown",
            ["last_status"] = endpoint.LastStatusCode is { } status ? $"HTTP {status}" : "no HTTP answer (no connection, or no answer in time)",
            ["disabled_reason"] = endpoint.DisabledReason ?? "it kept failing",
        };
        var admins = await tenancy.ListPeopleAsync(endpoint.FirmId, Role.FirmAdmin, ct);
        foreach (var admin in admins)
        {
            var first = admin.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? admin.Name;
            var rendered = renderer.Render(new EmailModel(AccountEmailKinds.WebhookEndpointDisabled, first, "the firm's webhook endpoints", branding, null, Details: details));
            var effectId = $"{AccountEmailKinds.WebhookEndpointDisabled}/{endpoint.EndpointId}/{disabledAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}/{admin.CoachId}";
            await transport.SendAsync(new EmailMessage(new EmailAddress(admin.Email, admin.Name), branding.Sender, null, rendered.Subject, rendered.Html, rendered.Text,
                [], [AccountEmailKinds.WebhookEndpointDisabled], AccountEmailKinds.WebhookEndpointDisabled, effectId), ct);
        }
        LogNoticeSent(logger, endpoint.FirmId, endpoint.EndpointId, admins.Count);

        // Recorded after sending: a crash in between sends it again, never not at all.
        var current = endpoint;
        for (var attempt = 0; attempt < 5 && current is not null; attempt++, current = await store.GetEndpointAsync(endpoint.FirmId, endpoint.EndpointId, ct))
        {
            if (current.IsEnabled || current.DisabledAt != disabledAt || current.NoticeSentAt is not null) return;
            if (await store.SaveEndpointAsync(current with { NoticeSentAt = time.GetUtcNow() }, ct) is not null) return;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} of firm {FirmId} was switched off; {Admins} firm admin(s) emailed")]
    private static partial void LogNoticeSent(ILogger logger, string firmId, string endpointId, int admins);
}
