using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CoachFlow.Email.Webhooks;

/// <summary>One delivery event from SendGrid's Event Webhook.</summary>
/// <param name="EngagementId">From the custom args we sent; null for an email we did not send.</param>
/// <param name="BounceType">For a <c>bounce</c> event, <c>bounce</c> or <c>blocked</c>.</param>
public sealed record EmailEvent(
    string SgEventId,
    string Event,
    string? Email,
    DateTimeOffset OccurredAt,
    string? EngagementId,
    string? EffectId,
    string? BounceType = null)
{
    /// <summary>A bounce, a drop or a block: the engagement gets the "client email bouncing" flag.</summary>
    public bool IsBouncing => Event is "bounce" or "dropped" or "blocked";
}

/// <summary>Verifies and reads SendGrid's signed Event Webhook.</summary>
/// <remarks>
/// SendGrid signs <c>timestamp + raw body</c> with ECDSA P-256 / SHA-256 and sends the base64 DER signature in
/// <see cref="SignatureHeader"/> and the timestamp in <see cref="TimestampHeader"/>. Verify the raw bytes exactly as
/// received, before any parsing.
/// </remarks>
public static class SendGridEventWebhook
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    /// <summary>The flag the host raises on an engagement whose client's email bounces.</summary>
    public const string BouncingFlag = "client-email-bouncing";

    /// <summary>
    /// True when <paramref name="signature"/> is SendGrid's signature of <paramref name="timestamp"/> followed by
    /// <paramref name="body"/>, under <paramref name="publicKey"/> (base64 DER SubjectPublicKeyInfo, as the
    /// SendGrid console shows it). Anything malformed is simply false.
    /// </summary>
    public static bool Verify(string publicKey, string? signature, string? timestamp, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp)) return false;
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
            if (ecdsa.KeySize != 256) return false;
            var signed = new byte[Encoding.UTF8.GetByteCount(timestamp) + body.Length];
            var written = Encoding.UTF8.GetBytes(timestamp, signed);
            body.CopyTo(signed.AsSpan(written));
            return ecdsa.VerifyData(signed, Convert.FromBase64String(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (FormatException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// <see cref="Verify(string, string?, string?, ReadOnlySpan{byte})"/>, and also false when the timestamp is
    /// further than <paramref name="tolerance"/> from <paramref name="now"/> (a replayed request).
    /// </summary>
    public static bool Verify(string publicKey, string? signature, string? timestamp, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestamp, out var seconds)) return false;
        if (seconds < -62135596800 || seconds > 253402300799) return false;
        var signedAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return (now - signedAt).Duration() <= tolerance && Verify(publicKey, signature, timestamp, body);
    }

    /// <summary>Reads the JSON array of events; events without an <c>sg_event_id</c> or <c>event</c> are skipped.</summary>
    /// <exception cref="JsonException">The body is not a JSON array.</exception>
    public static IReadOnlyList<EmailEvent> Parse(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Array) throw new JsonException("The event webhook body is not a JSON array.");
        List<EmailEvent> events = [];
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            var id = String(item, "sg_event_id");
            var type = String(item, "event");
            if (id is null || type is null) continue;
            var occurredAt = item.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.Number && ts.TryGetInt64(out var s)
                && s is >= 0 and <= 253402300799
                ? DateTimeOffset.FromUnixTimeSeconds(s)
                : DateTimeOffset.UnixEpoch;
            events.Add(new EmailEvent(id, type, String(item, "email"), occurredAt,
                CustomArg(item, "engagement_id"), CustomArg(item, "effect_id"), type == "bounce" ? String(item, "type") : null));
        }
        return events;
    }

    /// <summary>
    /// The events not in <paramref name="seen"/>, each id once, in order. SendGrid delivers at least once; the host
    /// stores the ids it has handled and passes them here.
    /// </summary>
    public static IReadOnlyList<EmailEvent> Unseen(IEnumerable<EmailEvent> events, IReadOnlySet<string> seen)
    {
        HashSet<string> taken = new(StringComparer.Ordinal);
        return [.. events.Where(e => !seen.Contains(e.SgEventId) && taken.Add(e.SgEventId))];
    }

    /// <summary>The engagements whose client's email bounces, among <paramref name="events"/>.</summary>
    public static IReadOnlyList<string> BouncingEngagements(IEnumerable<EmailEvent> events) =>
        [.. events.Where(e => e.IsBouncing && e.EngagementId is not null).Select(e => e.EngagementId!).Distinct(StringComparer.Ordinal)];

    private static string? String(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // SendGrid puts custom args at the top level of each event; accept a nested custom_args object too.
    private static string? CustomArg(JsonElement item, string name) =>
        String(item, name)
        ?? (item.TryGetProperty("custom_args", out var args) && args.ValueKind == JsonValueKind.Object ? String(args, name) : null);
}
