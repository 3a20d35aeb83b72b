using System.Security.Cryptography;
using System.Text;

namespace CoachFlow.Email;

/// <summary>A mailbox: an address and the name shown beside it.</summary>
public sealed record EmailAddress(string Address, string? Name = null);

/// <summary>A file sent with an email, e.g. a session's <c>.ics</c> invitation.</summary>
/// <param name="ContentType">A full MIME type with parameters, e.g. <c>text/calendar; method=REQUEST; charset=utf-8</c>.</param>
public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>
/// One email, ready for a transport. Carries links, never the client's answers.
/// </summary>
/// <param name="EngagementId">Sent to the provider as a custom arg, so delivery events can be tied back to the engagement.</param>
/// <param name="EffectId">The durable effect that asked for this email; stable across retries, so the Message-ID is too.</param>
/// <param name="Categories">Provider categories, e.g. the email kind.</param>
/// <param name="Headers">Extra headers, e.g. <c>List-Unsubscribe</c> and <c>List-Unsubscribe-Post</c> on reminders (RFC 8058); none when null.</param>
/// <param name="Date">When the email was first attempted, for its Date header (so a retried send keeps it); null: when it is sent.</param>
public sealed record EmailMessage(
    EmailAddress To,
    EmailAddress From,
    EmailAddress? ReplyTo,
    string Subject,
    string Html,
    string Text,
    IReadOnlyList<EmailAttachment> Attachments,
    IReadOnlyList<string> Categories,
    string EngagementId,
    string EffectId,
    IReadOnlyDictionary<string, string>? Headers = null,
    DateTimeOffset? Date = null)
{
    /// <summary>The Message-ID (without angle brackets), derived from the effect id so a retried send keeps it.</summary>
    public string MessageId => MessageIds.For(EffectId, From.Address);

    /// <summary>The custom args a provider echoes back in its delivery events.</summary>
    public IReadOnlyDictionary<string, string> CustomArgs => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["engagement_id"] = EngagementId,
        ["effect_id"] = EffectId,
    };
}

/// <summary>Sends an <see cref="EmailMessage"/>.</summary>
/// <remarks>
/// Delivery is at least once: the caller retries a failed send with the same message (the same effect id), so a
/// transport must not add anything that differs between attempts. Implementations never log the body.
/// </remarks>
public interface IEmailTransport
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

/// <summary>A send the provider refused or could not take. The message never includes what was sent.</summary>
public sealed class EmailTransportException(string message, int? statusCode = null, bool isTransient = false, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The HTTP status the provider answered with, when there was one.</summary>
    public int? StatusCode { get; } = statusCode;

    /// <summary>True when a later retry may succeed (throttling, provider or network trouble).</summary>
    public bool IsTransient { get; } = isTransient;
}

/// <summary>Stable Message-IDs.</summary>
public static class MessageIds
{
    /// <summary>
    /// <c>{hash of effect id}@{sender domain}</c>: the same effect always gets the same id, and the id reveals
    /// nothing about the engagement.
    /// </summary>
    public static string For(string effectId, string fromAddress)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(effectId)))[..32];
        var at = fromAddress.LastIndexOf('@');
        var domain = at >= 0 && at < fromAddress.Length - 1 ? fromAddress[(at + 1)..] : "coachflow.invalid";
        return $"{hash}@{domain}";
    }
}
