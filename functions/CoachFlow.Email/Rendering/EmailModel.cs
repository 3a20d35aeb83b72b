using System.Text.RegularExpressions;

namespace CoachFlow.Email.Rendering;

/// <summary>How a firm's emails look and who they come from.</summary>
/// <param name="PrimaryColor">A six-digit hex colour, e.g. <c>#0b6e4f</c>.</param>
/// <param name="LogoUrl">An absolute https URL, or null to show the firm's name instead.</param>
/// <param name="ReplyTo">Where replies go, typically the coach; null for none.</param>
public sealed partial record FirmBranding(string FirmName, string PrimaryColor, Uri? LogoUrl, EmailAddress Sender, EmailAddress? ReplyTo = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is not acceptable.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(FirmName)) throw new ArgumentException("The firm name is empty.", nameof(FirmName));
        if (!HexColour().IsMatch(PrimaryColor ?? ""))
            throw new ArgumentException("The primary colour must be a six-digit hex colour such as #0b6e4f.", nameof(PrimaryColor));
        if (LogoUrl is not null && (!LogoUrl.IsAbsoluteUri || LogoUrl.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException("The logo URL must be an absolute https URL.", nameof(LogoUrl));
        if (string.IsNullOrWhiteSpace(Sender?.Address) || !Sender.Address.Contains('@', StringComparison.Ordinal))
            throw new ArgumentException("The sender address is not an email address.", nameof(Sender));
    }

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex HexColour();
}

/// <summary>When a session happens, in the time zone it was booked in.</summary>
/// <param name="TimeZoneId">An IANA zone id, e.g. <c>Europe/Paris</c>.</param>
public sealed record SessionTime(int Number, DateTimeOffset StartAt, TimeSpan Duration, string TimeZoneId);

/// <summary>What one email is rendered from. Never holds the client's answers or private notes.</summary>
/// <param name="Kind">One of <c>EmailKinds</c>.</param>
/// <param name="ActionUrl">The call to action, carrying a signed token; null for the kinds that have none (pause, resume, change of coach).</param>
/// <param name="Session">Required for the session kinds (confirmation, rescheduled, reminder); shown wherever given.</param>
/// <param name="CoachMessage">The coach's own short message (a nudge), encoded in the HTML part like every value.</param>
/// <param name="PendingWhat">What the link opens, in words ("the pre-coaching questionnaire"), for a nudge that carries one.</param>
/// <param name="Details">
/// Plain values an account email shows (a webhook endpoint's URL, say), each as a Liquid variable of its name
/// (lower case and underscores; never one of the layout's own) and HTML-encoded like every value.
/// </param>
public sealed record EmailModel(
    string Kind,
    string ClientFirstName,
    string CoachName,
    FirmBranding Branding,
    Uri? ActionUrl,
    SessionTime? Session = null,
    string? CoachMessage = null,
    string? PendingWhat = null,
    IReadOnlyDictionary<string, string>? Details = null);

/// <summary>A rendered email: its subject, HTML and plain-text parts.</summary>
public sealed record RenderedEmail(string Kind, string Subject, string Html, string Text);
