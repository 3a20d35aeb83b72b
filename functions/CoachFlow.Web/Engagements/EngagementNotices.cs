using System.Globalization;
using CoachFlow.Email;
using CoachFlow.Email.Rendering;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.Engagements;

/// <summary>
/// Tells every firm admin, by email (<see cref="AccountEmailKinds.EngagementStepParked"/>), that the engine parked a step
/// of one of the firm's engagements: which engagement (its id only), since when, why in the engine's words (the activity
/// and the kind of failure), and how to redrive it. No client content: no name, no answers.
/// </summary>
/// <remarks>At least once: a repeated activity sends it again with the same Message-ID (the effect id names the engagement, the version and the moment).</remarks>
public sealed partial class EngagementNotices(TenancyStore tenancy, EmailRenderer renderer, IEmailTransport transport, ILogger<EngagementNotices> logger)
    : IEngagementNotices
{
    public async Task StepParkedAsync(string firmId, ParkStepRequest parked, CancellationToken ct)
    {
        var firm = await tenancy.GetFirmAsync(firmId, ct);
        if (firm is null) return;
        var branding = new FirmBranding(firm.Name, firm.PrimaryColor, firm.LogoUrl is { } logo ? new Uri(logo) : null, new EmailAddress(firm.SenderEmail, firm.SenderName));
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["engagement_id"] = parked.EngagementId,
            ["parked_at"] = parked.At.UtcDateTime.ToString("dddd d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture),
            ["parked_reason"] = parked.Reason,
            ["parked_kind"] = parked.Diverged
                ? "The engagement's record no longer matches what the engine worked out from its history (usually after a deploy changed a rule). Nothing more is written until this is looked into."
                : "The engine could not save the engagement's next step, even after retrying for several minutes (storage unavailable or a step it cannot write).",
        };
        var admins = await tenancy.ListPeopleAsync(firmId, Role.FirmAdmin, ct);
        foreach (var admin in admins)
        {
            var first = admin.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? admin.Name;
            var rendered = renderer.Render(new EmailModel(AccountEmailKinds.EngagementStepParked, first, "the engagement", branding, null, Details: details));
            var effectId = $"{AccountEmailKinds.EngagementStepParked}/{parked.EngagementId}/{parked.Version.ToString(CultureInfo.InvariantCulture)}/{parked.At.UtcTicks.ToString(CultureInfo.InvariantCulture)}/{admin.CoachId}";
            await transport.SendAsync(new EmailMessage(new EmailAddress(admin.Email, admin.Name), branding.Sender, null, rendered.Subject, rendered.Html, rendered.Text,
                [], [AccountEmailKinds.EngagementStepParked], AccountEmailKinds.EngagementStepParked, effectId), ct);
        }
        LogNoticeSent(logger, firmId, parked.EngagementId, admins.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engagement {EngagementId} of firm {FirmId} has a parked step; {Admins} firm admin(s) emailed")]
    private static partial void LogNoticeSent(ILogger logger, string firmId, string engagementId, int admins);
}
