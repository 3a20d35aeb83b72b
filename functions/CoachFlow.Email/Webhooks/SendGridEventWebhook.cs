using System.Text;
using System.Text.Json;
using EllipticCurve;
using SendGrid.Helpers.EventWebhook;

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

    // The ECDSA check is SendGrid's own RequestValidator (on starkbank-ecdsa 1.3.3, which refuses r or s of zero).
    // Around it stays what it leaves to the caller: it throws on a malformed key or signature, reads any curve
    // starkbank knows (SendGrid signs with P-256 only), takes the body as a string, and knows nothing of time.
    private static readonly RequestValidator Validator = new();

    // Strict, so a body that is not UTF-8 is refused instead of being checked as the replacement characters it decodes to.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// True when <paramref name="signature"/> is SendGrid's signature of <paramref name="timestamp"/> followed by
    /// <paramref name="body"/>, under <paramref name="publicKey"/> (base64 DER SubjectPublicKeyInfo of a P-256 key, as
    /// the SendGrid console shows it, or the same in PEM). Anything malformed is simply false.
    /// </summary>
    public static bool Verify(string publicKey, string? signature, string? timestamp, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(publicKey) || string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp)) return false;
        try
        {
            var key = Validator.ConvertPublicKeyToECDSA(publicKey);
            if (key.curve != Curves.prime256v1) return false;
            // The validator hashes the UTF-8 of timestamp + payload; a strict decode makes those exactly the bytes received.
            return Validator.VerifySignature(key, StrictUtf8.GetString(body), signature, timestamp);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            // Bad base64, DER that starkbank's reader cannot walk (it indexes and slices without bounds checks), an
            // unknown curve, a point off the curve, or a body that is not UTF-8 (DecoderFallbackException).
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
