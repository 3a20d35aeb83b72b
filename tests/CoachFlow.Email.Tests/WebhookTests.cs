using System.Security.Cryptography;
using System.Text;
using CoachFlow.Email.Webhooks;

namespace CoachFlow.Email.Tests;

public sealed class WebhookTests
{
    private const string Body = """
        [
          {"email":"jordan@client.test","timestamp":1767225600,"event":"delivered","sg_event_id":"ev-1","sg_message_id":"m1","engagement_id":"eng-1","effect_id":"eng-1/0001"},
          {"email":"sam@client.test","timestamp":1767225601,"event":"bounce","type":"bounce","sg_event_id":"ev-2","engagement_id":"eng-2","effect_id":"eng-2/0004"},
          {"email":"kim@client.test","timestamp":1767225602,"event":"dropped","sg_event_id":"ev-3","engagement_id":"eng-3","effect_id":"eng-3/0002"},
          {"email":"lee@client.test","timestamp":1767225603,"event":"bounce","type":"blocked","sg_event_id":"ev-4","engagement_id":"eng-4","effect_id":"eng-4/0002"},
          {"email":"jordan@client.test","timestamp":1767225604,"event":"open","sg_event_id":"ev-5","custom_args":{"engagement_id":"eng-1","effect_id":"eng-1/0001"}},
          {"email":"jordan@client.test","timestamp":1767225600,"event":"delivered","sg_event_id":"ev-1","engagement_id":"eng-1","effect_id":"eng-1/0001"},
          {"email":"x@client.test","timestamp":1767225605,"event":"processed"}
        ]
        """;

    private static (string PublicKey, string Signature, string Timestamp, byte[] Body) Signed(string timestamp = "1767225700", ECCurve? curve = null)
    {
        using var key = ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256);
        var body = Encoding.UTF8.GetBytes(Body);
        var signature = key.SignData([.. Encoding.UTF8.GetBytes(timestamp), .. body], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return (Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()), Convert.ToBase64String(signature), timestamp, body);
    }

    [Fact]
    public void GivenASignedPayload_WhenVerified_ThenItIsAccepted()
    {
        var (publicKey, signature, timestamp, body) = Signed();
        Assert.True(SendGridEventWebhook.Verify(publicKey, signature, timestamp, body));
    }

    [Fact]
    public void GivenATamperedBody_WhenVerified_ThenItIsRefused()
    {
        var (publicKey, signature, timestamp, body) = Signed();
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\"bounce\",\"type\":\"bounce\"", "\"delivered\",\"type\":\"bounce\"", StringComparison.Ordinal));
        Assert.NotEqual(body, tampered);
        Assert.False(SendGridEventWebhook.Verify(publicKey, signature, timestamp, tampered));
        Assert.False(SendGridEventWebhook.Verify(publicKey, signature, timestamp, [.. body, (byte)' ']));
    }

    [Fact]
    public void GivenATamperedTimestamp_WhenVerified_ThenItIsRefused()
    {
        var (publicKey, signature, _, body) = Signed("1767225700");
        Assert.False(SendGridEventWebhook.Verify(publicKey, signature, "1767225701", body));
    }

    [Fact]
    public void GivenATamperedOrMissingSignature_WhenVerified_ThenItIsRefused()
    {
        var (publicKey, signature, timestamp, body) = Signed();
        var bytes = Convert.FromBase64String(signature);
        bytes[^1] ^= 0x01;
        Assert.False(SendGridEventWebhook.Verify(publicKey, Convert.ToBase64String(bytes), timestamp, body));
        Assert.False(SendGridEventWebhook.Verify(publicKey, "not base64!", timestamp, body));
        Assert.False(SendGridEventWebhook.Verify(publicKey, "", timestamp, body));
        Assert.False(SendGridEventWebhook.Verify(publicKey, null, timestamp, body));
        Assert.False(SendGridEventWebhook.Verify(publicKey, signature, null, body));
    }

    [Fact]
    public void GivenAnotherKey_WhenVerified_ThenItIsRefused()
    {
        var (_, signature, timestamp, body) = Signed();
        var (otherKey, _, _, _) = Signed();
        Assert.False(SendGridEventWebhook.Verify(otherKey, signature, timestamp, body));
        Assert.False(SendGridEventWebhook.Verify("AAAA", signature, timestamp, body));
    }

    [Fact]
    public void GivenAnOldTimestamp_WhenVerifiedWithATolerance_ThenItIsRefused()
    {
        var (publicKey, signature, timestamp, body) = Signed("1767225700");
        var signedAt = DateTimeOffset.FromUnixTimeSeconds(1767225700);
        Assert.True(SendGridEventWebhook.Verify(publicKey, signature, timestamp, body, signedAt.AddMinutes(3), TimeSpan.FromMinutes(5)));
        Assert.False(SendGridEventWebhook.Verify(publicKey, signature, timestamp, body, signedAt.AddMinutes(30), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void GivenTheKeyInPEM_WhenVerified_ThenItIsAccepted()
    {
        var (publicKey, signature, timestamp, body) = Signed();
        var pem = PemEncoding.WriteString("PUBLIC KEY", Convert.FromBase64String(publicKey));
        Assert.True(SendGridEventWebhook.Verify(pem, signature, timestamp, body));
    }

    [Fact]
    public void GivenASignatureUnderAKeyOnAnotherCurve_WhenVerified_ThenItIsRefused()
    {
        // SendGrid signs with P-256; the package's ECDSA library also reads secp256k1 keys, which we do not take.
        var (publicKey, signature, timestamp, body) = Signed(curve: ECCurve.CreateFromFriendlyName("secp256k1"));
        Assert.False(SendGridEventWebhook.Verify(publicKey, signature, timestamp, body));
    }

    [Fact]
    public void GivenABodyThatIsNotUTF8_WhenVerified_ThenItIsRefusedRatherThanReadAsReplacementCharacters()
    {
        // Signed: a body with U+FFFD in it. Sent: the same body with an invalid byte where U+FFFD was, which a lenient
        // decode would turn back into the signed text.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] signedBody = [.. "[{\"event\":\"\uFFFD\"}]"u8];
        var signature = Convert.ToBase64String(key.SignData([.. "1767225700"u8, .. signedBody], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var publicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        Assert.True(SendGridEventWebhook.Verify(publicKey, signature, "1767225700", signedBody));

        byte[] sentBody = [.. "[{\"event\":\""u8, 0xFF, .. "\"}]"u8];
        Assert.Equal(Encoding.UTF8.GetString(signedBody), Encoding.UTF8.GetString(sentBody));
        Assert.False(SendGridEventWebhook.Verify(publicKey, signature, "1767225700", sentBody));
    }

    [Fact]
    public void GivenMangledSignaturesAndKeys_WhenVerified_ThenEachIsRefusedWithoutThrowing()
    {
        var (publicKey, signature, timestamp, body) = Signed();
        var der = Convert.FromBase64String(signature);
        var spki = Convert.FromBase64String(publicKey);
        List<byte[]> signatures = [[], [0x30], [0x30, 0x00], [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00], [0x02, 0x01, 0x01]];
        for (var i = 0; i < der.Length; i++)
        {
            signatures.Add(der[..i]);
            foreach (var value in new byte[] { 0x00, 0x7F, 0x80, 0xFF })
            {
                var changed = (byte[])der.Clone();
                if (changed[i] == value) continue;
                changed[i] = value;
                signatures.Add(changed);
            }
        }
        foreach (var mangled in signatures)
            Assert.False(SendGridEventWebhook.Verify(publicKey, Convert.ToBase64String(mangled), timestamp, body), Convert.ToHexString(mangled));

        // Truncated keys, and keys whose point (the last 64 bytes) is off the curve. The configured key is ours, not a
        // caller's, so the reader's leniency elsewhere in the DER (it skips the bit string's first two bytes) is harmless.
        List<byte[]> keys = [[], [0x30, 0x00]];
        for (var i = 0; i < spki.Length; i++)
        {
            keys.Add(spki[..i]);
            if (i < spki.Length - 64) continue;
            var changed = (byte[])spki.Clone();
            changed[i] ^= 0x01;
            keys.Add(changed);
        }
        foreach (var mangled in keys)
            Assert.False(SendGridEventWebhook.Verify(Convert.ToBase64String(mangled), signature, timestamp, body), Convert.ToHexString(mangled));
        Assert.False(SendGridEventWebhook.Verify("", signature, timestamp, body));
    }

    [Fact]
    public void GivenABatch_WhenParsed_ThenEventsCarryIdsTypeAndCustomArgs()
    {
        var events = SendGridEventWebhook.Parse(Encoding.UTF8.GetBytes(Body));
        Assert.Equal(6, events.Count); // the event without sg_event_id is skipped
        var first = events[0];
        Assert.Equal(("ev-1", "delivered", "jordan@client.test", "eng-1", "eng-1/0001"), (first.SgEventId, first.Event, first.Email, first.EngagementId, first.EffectId));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1767225600), first.OccurredAt);
        Assert.Equal("eng-1", events[4].EngagementId); // nested custom_args
        Assert.Equal("blocked", events[3].BounceType);
    }

    [Fact]
    public void GivenSeenIdsAndARepeatInTheBatch_WhenDeduplicated_ThenEachNewEventComesOnce()
    {
        var events = SendGridEventWebhook.Parse(Encoding.UTF8.GetBytes(Body));
        var unseen = SendGridEventWebhook.Unseen(events, new HashSet<string>(StringComparer.Ordinal) { "ev-3" });
        Assert.Equal(["ev-1", "ev-2", "ev-4", "ev-5"], unseen.Select(e => e.SgEventId));
    }

    [Fact]
    public void GivenBouncesDropsAndBlocks_WhenClassified_ThenThoseEngagementsAreBouncing()
    {
        var events = SendGridEventWebhook.Parse(Encoding.UTF8.GetBytes(Body));
        Assert.Equal(["eng-2", "eng-3", "eng-4"], SendGridEventWebhook.BouncingEngagements(events));
        Assert.False(events[0].IsBouncing);
        Assert.True(new EmailEvent("x", "blocked", null, DateTimeOffset.UnixEpoch, "eng-9", null).IsBouncing);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("\"text\"")]
    public void Given_a_body_that_is_not_an_array_When_parsed_Then_it_is_refused(string body)
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => SendGridEventWebhook.Parse(Encoding.UTF8.GetBytes(body)));
    }
}
