namespace CoachFlow.Web.Email;

/// <summary>Which transport sends CoachFlow's mail.</summary>
public enum EmailTransportKind
{
    /// <summary>SMTP (<c>CoachFlow:Smtp</c>): maildev locally. Refused outside Development.</summary>
    Smtp,
    /// <summary>SendGrid's Mail Send API (<c>CoachFlow:SendGrid</c>): Azure.</summary>
    SendGrid,
}

/// <summary>How mail leaves the app and whom it is from when a firm has not set its own sender.</summary>
public sealed class EmailOptions
{
    /// <summary>The configuration section the host binds.</summary>
    public const string Section = "CoachFlow:Email";

    /// <summary>The address mail is from locally when nothing is configured (maildev accepts anything).</summary>
    public const string DevelopmentSender = "coaching@coachflow.local";

    public EmailTransportKind Transport { get; set; } = EmailTransportKind.Smtp;

    /// <summary>
    /// The deployment's default From address: a SendGrid verified sender, or an address on a domain authenticated in
    /// SendGrid. A firm without its own sender sends from it. Required outside Development.
    /// </summary>
    public string? SenderEmail { get; set; }

    /// <summary>The default From name; when unset a firm's mail is from the firm's name.</summary>
    public string? SenderName { get; set; }

    /// <summary>
    /// When set, a firm's own sender must be an address on one of these domains (those authenticated in SendGrid);
    /// empty: any address (a single verified sender deployment should list its domain).
    /// </summary>
    public IReadOnlyList<string> AllowedSenderDomains { get; set; } = [];

    /// <summary>The default sender's address: the configured one, or in Development the local placeholder.</summary>
    public string DefaultSenderEmail => string.IsNullOrWhiteSpace(SenderEmail) ? DevelopmentSender : SenderEmail.Trim();

    /// <summary>Whether a firm may send from <paramref name="email"/> (an address already checked to be one).</summary>
    public bool AllowsSender(string email) =>
        AllowedSenderDomains.Count == 0
        || AllowedSenderDomains.Any(d => email.EndsWith("@" + d.Trim().TrimStart('@'), StringComparison.OrdinalIgnoreCase));
}
