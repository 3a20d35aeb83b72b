using CoachFlow.Email;
using CoachFlow.Email.Rendering;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Links;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.DataRights;

/// <summary>
/// Emails a client the link to their own copy of their data (<c>client-data-export</c>), on request from the
/// engagement's coach or a firm admin: a signed client link of purpose <see cref="Purpose"/>, valid for
/// <see cref="Lifetime"/>, which opens a page with a "Download my data" button (<see cref="ClientExportPage"/>).
/// </summary>
/// <remarks>
/// Sent straight from the request, not as an engagement effect: an ended engagement takes no inputs, and a client may
/// ask for their copy long after it ended. The email carries the link and nothing of the client's data; the logs name
/// the engagement and who asked, never the address, the link or the email's text.
/// </remarks>
public sealed partial class ClientExportLinks(
    EngagementStore store,
    TenancyStore tenancy,
    LinkSigner links,
    CoachFlow.Web.Email.LinkOptions linkOptions,
    EmailRenderer renderer,
    IEmailTransport transport,
    TimeProvider time,
    ILogger<ClientExportLinks> logger)
{
    /// <summary>The link purpose the client page serves with the export page.</summary>
    public const string Purpose = "data-export";

    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>Sends the link to the engagement's client; returns when it stops working.</summary>
    public async Task<DateTimeOffset> SendAsync(Caller caller, string engagementId, CancellationToken ct)
    {
        if (caller.Role == Role.Sponsor)
            throw new ForbiddenException("A sponsor cannot send a client their data; the engagement's coach or a firm admin can.");
        var snapshot = await store.GetAsync(engagementId, ct);
        if (snapshot?.State is not { } state) throw new EngagementNotFoundException(engagementId);
        EngagementService.CheckAccess(caller, engagementId, snapshot.FirmId, snapshot.CoachId, snapshot.SponsorId);

        var coach = await tenancy.GetCoachAsync(state.FirmId, state.CoachId, ct);
        var firm = caller.Firm;
        var coachAddress = coach is null ? null : new EmailAddress(coach.Email, coach.Name);
        var branding = new FirmBranding(firm.Name, firm.PrimaryColor, firm.LogoUrl is { } logo ? new Uri(logo) : null,
            new EmailAddress(firm.SenderEmail, firm.SenderName), coachAddress);
        var expires = time.GetUtcNow() + Lifetime;
        var token = links.Sign(engagementId, Purpose, null, Lifetime);
        var url = new Uri(linkOptions.PublicBaseUrl, $"/c/{token}");
        var rendered = renderer.Render(new EmailModel(AccountEmailKinds.ClientDataExport, CoachFlow.Documents.Reading.FirstName(state.ClientName),
            coach?.Name ?? firm.Name, branding, url));
        var effectId = $"{AccountEmailKinds.ClientDataExport}/{engagementId}/{TenancyStore.Hash(token)[..16]}";
        await transport.SendAsync(new EmailMessage(new EmailAddress(state.ClientEmail, state.ClientName), branding.Sender, coachAddress,
            rendered.Subject, rendered.Html, rendered.Text, [], [AccountEmailKinds.ClientDataExport], engagementId, effectId), ct);
        var role = ExportService.RoleName(caller.Role);
        LogSent(logger, engagementId, role, caller.Coach.CoachId);
        return expires;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Data export link for engagement {EngagementId} emailed to its client at the request of a {Role} ({UserId})")]
    private static partial void LogSent(ILogger logger, string engagementId, string role, string userId);
}
