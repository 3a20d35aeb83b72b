using Azure.Data.Tables;
using CoachFlow.Email;
using CoachFlow.Email.Calendar;
using CoachFlow.Email.Rendering;
using CoachFlow.Web.Email;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Links;
using CoachFlow.Web.Tenancy;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;

using LinkOptions = CoachFlow.Web.Email.LinkOptions;

namespace CoachFlow.Web.Effects;

/// <summary>
/// Runs <see cref="SendEmail"/> and <see cref="NotifyCoach"/> effects: renders the email for its kind with the
/// firm's branding, puts a signed link in it (never the client's answers), attaches the session's .ics where there
/// is one, and hands it to the configured transport (SMTP locally, SendGrid in Azure).
/// </summary>
/// <remarks>
/// An attempt at the same effect builds the same email every time (see <see cref="SendAsync"/>): the one copy that can
/// go twice, in the window <see cref="EffectSequence"/> describes, is identical to the first.
/// </remarks>
public sealed class EmailEffects(
    EmailRenderer renderer,
    IEmailTransport transport,
    LinkSigner links,
    LinkOptions linkOptions,
    TenancyStore tenancy,
    ProgramCatalog programs,
    StorageAccount storage,
    EngagementStore engagements,
    TimeProvider time)
{
    private readonly TableClient _notifications = storage.Table("notifications");

    /// <summary>Renders and sends one email, with the engagement as of the step that asked for it.</summary>
    public async Task SendAsync(EffectContext context, SendEmail email, CancellationToken ct)
    {
        var state = context.State;
        var firm = await tenancy.GetFirmAsync(state.FirmId, ct) ?? throw new InvalidOperationException($"Firm {state.FirmId} is missing.");
        var coach = await tenancy.GetCoachAsync(state.FirmId, state.CoachId, ct) ?? throw new InvalidOperationException($"Coach {state.CoachId} is missing.");
        var program = programs.Find(state.ProgramId, state.ProgramVersion);

        var coachAddress = new EmailAddress(coach.Email, coach.Name);
        var to = email.To == Recipients.Coach ? coachAddress : new EmailAddress(state.ClientEmail, state.ClientName);
        var greeted = FirstName(state.ClientName);
        if (email.To == Recipients.Sponsor)
        {
            // A sponsor no longer in the firm gets nothing: the report stays readable by the coach.
            var sponsor = state.SponsorId is null ? null : await tenancy.GetCoachAsync(state.FirmId, state.SponsorId, ct);
            if (sponsor is not { Role: Role.Sponsor }) return;
            to = new EmailAddress(sponsor.Email, sponsor.Name);
            greeted = FirstName(sponsor.Name);
        }
        var branding = new FirmBranding(firm.Name, firm.PrimaryColor, firm.LogoUrl is { } logo ? new Uri(logo) : null,
            new EmailAddress(firm.SenderEmail, firm.SenderName), coachAddress);

        // Everything that could differ between attempts comes from the effect id and its first attempt, so a retried send
        // (after a crash, or a provider that timed out after it accepted) is the same email: link, Message-ID, Date.
        // Once a first attempt is older than a link lasts (an effect parked and redriven weeks later), its link would
        // arrive expired, and no copy of it can still be in flight: the email is dated and linked from now.
        var now = time.GetUtcNow();
        var at = context.FirstAttemptedAt + linkOptions.Lifetime > now ? context.FirstAttemptedAt : now;
        Uri? url = null;
        if (email.LinkPurpose is { } purpose)
        {
            var (linkPurpose, reference) = LinkFor(purpose, email.Ref);
            var expiresAt = linkPurpose == LinkPurposes.SignContract && state.ContractExpiresAt is { } expires && expires > at ? expires : at + linkOptions.Lifetime;
            url = new Uri(linkOptions.PublicBaseUrl, $"/c/{links.SignForEffect(context.EffectId, context.EngagementId, linkPurpose, reference, expiresAt)}");
        }

        var number = SessionNumber(email.Ref);
        var session = number is { } n && state.Session(n) is { } s
            ? new SessionTime(n, s.StartAt, program?.SessionLengthFor(state.Terms) ?? TimeSpan.FromMinutes(state.Terms?.SessionMinutes ?? 60), s.TimeZoneId)
            : null;
        // A nudge shows the coach's message as of its step (the state it was sent with), never anything the client wrote.
        var nudge = email.Kind == EmailKinds.ClientNudge ? state.LastNudge?.Message : null;
        var pendingWhat = email.Kind == EmailKinds.ClientNudge && url is not null ? EngagementWorkflow.PendingFrom(state)?.What : null;
        var rendered = renderer.Render(new EmailModel(email.Kind, greeted, coach.Name, branding, url, session, nudge, pendingWhat));

        var attachments = new List<EmailAttachment>();
        if (session is not null && email.Kind is EmailKinds.SessionConfirmation or EmailKinds.SessionRescheduled)
        {
            // The invitation's SEQUENCE counts the moves, so calendars replace the earlier one; its stamp is when it was last set.
            var moves = (await engagements.TimelineAsync(context.EngagementId, ct))
                .Where(h => h.Type is nameof(SessionScheduled) or nameof(SessionRescheduled) && h.Data.GetProperty("number").GetInt32() == session.Number).ToList();
            var sequence = moves.Count(h => h.Type == nameof(SessionRescheduled));
            var stamp = moves.Count > 0 ? moves[^1].At : at;
            attachments.Add(SessionInvitation.Attachment(new SessionInvite(context.EngagementId, session.Number, session.StartAt, session.Duration,
                session.TimeZoneId, sequence, coachAddress, to, $"Coaching session {session.Number} with {coach.Name}", stamp, url)));
        }
        _ = program;
        await transport.SendAsync(new EmailMessage(to, branding.Sender, coachAddress, rendered.Subject, rendered.Html, rendered.Text,
            attachments, [email.Kind], context.EngagementId, context.EffectId,
            ListUnsubscribe.HeadersFor(email.Kind, email.To, context.EngagementId, context.EffectId, at, links, linkOptions.PublicBaseUrl), at), ct);
    }

    /// <summary>Coach notifications are kept for the extension (idempotent per effect); the coach sees them with the engagement.</summary>
    public async Task NotifyAsync(EffectContext context, NotifyCoach notify, CancellationToken ct)
    {
        await _notifications.CreateIfNotExistsAsync(ct);
        await _notifications.UpsertEntityAsync(new TableEntity($"{context.State.FirmId}|{context.State.CoachId}", context.EffectId.Replace('/', '|'))
        {
            ["EngagementId"] = context.EngagementId,
            ["Kind"] = notify.Kind,
            ["Ref"] = notify.Ref,
            ["At"] = time.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);
        // Written after the engagement was erased (its activity was already running): take it back. The erasure deletes the
        // snapshot before it looks for notifications, so one of the two always sees the other's write.
        if (!await engagements.ExistsAsync(context.EngagementId, ct))
            await EraseNotificationsAsync(context.State.FirmId, context.EngagementId, ct);
    }

    /// <summary>Deletes the coach notifications about an engagement, for every coach of the firm (its erasure); returns how many went.</summary>
    public async Task<int> EraseNotificationsAsync(string firmId, string engagementId, CancellationToken ct)
    {
        var count = 0;
        // Partitions are "{firm}|{coach}": every coach of the firm is the key range from "{firm}|" up to "{firm}}" ('}' follows '|').
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {firmId + "|"} and PartitionKey lt {firmId + "}"} and EngagementId eq {engagementId}");
        try
        {
            await foreach (var row in _notifications.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            {
                await _notifications.DeleteEntityAsync(row.PartitionKey, row.RowKey, Azure.ETag.All, ct);
                count++;
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // No coach was ever notified here: the table does not exist yet.
        }
        return count;
    }

    /// <summary>Maps an email's link purpose and reference to what the client page expects.</summary>
    public static (string Purpose, string? Ref) LinkFor(string purpose, string? reference)
    {
        if (purpose.StartsWith(TimerIds.MaintenanceCheckInPrefix, StringComparison.Ordinal) || purpose == TimerIds.SixMonthCheck)
            return (LinkPurposes.MaintenanceCheckIn, reference ?? purpose);
        return purpose switch
        {
            LinkPurposes.PreSessionQuestionnaire or LinkPurposes.SessionSummary or LinkPurposes.SessionDetails => (purpose, SessionNumber(reference)?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            LinkPurposes.Reassessment => (purpose, reference?.Replace("reassessment-", "", StringComparison.Ordinal)),
            _ => (purpose, reference),
        };
    }

    private static int? SessionNumber(string? reference)
    {
        if (reference is null || !reference.StartsWith("session-", StringComparison.Ordinal)) return null;
        var digits = new string([.. reference["session-".Length..].TakeWhile(char.IsAsciiDigit)]);
        return int.TryParse(digits, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static string FirstName(string name) => CoachFlow.Documents.Reading.FirstName(name);
}
