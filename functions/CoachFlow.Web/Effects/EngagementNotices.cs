using System.Globalization;
using CoachFlow.Email;
using CoachFlow.Email.Rendering;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.Effects;

/// <summary>
/// Tells every firm admin, by email, that the engine parked a step of one of the firm's engagements
/// (<see cref="AccountEmailKinds.EngagementStepParked"/>: which engagement (its id only), since when, why in the engine's words
/// (the activity and the kind of failure), and how to redrive it), or found nothing running one and started it again
/// (<see cref="AccountEmailKinds.EngagementRepaired"/>). No client content: no name, no answers.
/// </summary>
/// <remarks>At least once: a repeated activity sends it again with the same Message-ID (the effect id names the engagement, the version and the moment).</remarks>
public sealed partial class EngagementNotices(TenancyStore tenancy, EmailRenderer renderer, IEmailTransport transport, ILogger<EngagementNotices> logger)
    : IEngagementNotices
{
    public Task StepParkedAsync(string firmId, ParkStepRequest parked, CancellationToken ct) =>
        TellAdminsAsync(firmId, parked.EngagementId, AccountEmailKinds.EngagementStepParked, parked.Version, parked.At, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["engagement_id"] = parked.EngagementId,
            ["parked_at"] = When(parked.At),
            ["parked_reason"] = parked.Reason,
            ["parked_kind"] = parked.Diverged
                ? "The engagement's record no longer matches what the engine worked out from its history (usually after a deploy changed a rule). Nothing more is written until this is looked into."
                : "The engine could not save the engagement's next step, even after retrying for several minutes (storage unavailable or a step it cannot write).",
        }, ct);

    public Task EngagementRepairedAsync(EngagementRepaired repaired, CancellationToken ct) =>
        TellAdminsAsync(repaired.FirmId, repaired.EngagementId, AccountEmailKinds.EngagementRepaired, repaired.Version, repaired.At, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["engagement_id"] = repaired.EngagementId,
            ["repaired_at"] = When(repaired.At),
            ["repaired_found"] = $"the engine's orchestration of the {repaired.Found}",
        }, ct);

    private async Task TellAdminsAsync(string firmId, string engagementId, string kind, long version, DateTimeOffset at, Dictionary<string, string> details, CancellationToken ct)
    {
        var firm = await tenancy.GetFirmAsync(firmId, ct);
        if (firm is null) return;
        var branding = new FirmBranding(firm.Name, firm.PrimaryColor, firm.LogoUrl is { } logo ? new Uri(logo) : null, new EmailAddress(firm.SenderEmail, firm.SenderName));
        var admins = await tenancy.ListPeopleAsync(firmId, Role.FirmAdmin, ct);
        foreach (var admin in admins)
        {
            var first = admin.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? admin.Name;
            var rendered = renderer.Render(new EmailModel(kind, first, "the engagement", branding, null, Details: details));
            var effectId = $"{kind}/{engagementId}/{version.ToString(CultureInfo.InvariantCulture)}/{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}/{admin.CoachId}";
            await transport.SendAsync(new EmailMessage(new EmailAddress(admin.Email, admin.Name), branding.Sender, null, rendered.Subject, rendered.Html, rendered.Text,
                [], [kind], kind, effectId), ct);
        }
        LogNoticeSent(logger, firmId, engagementId, kind, admins.Count);
    }

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("dddd d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engagement {EngagementId} of firm {FirmId}: {Kind}; {Admins} firm admin(s) emailed")]
    private static partial void LogNoticeSent(ILogger logger, string firmId, string engagementId, string kind, int admins);
}
