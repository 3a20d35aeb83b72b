using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CoachFlow.Web.Tests.Api;

public sealed class SendGridWebhookTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private async Task<string> StartAsync()
    {
        using var response = await api.CoachA.PostAsJsonAsync("/api/engagements", new
        {
            clientName = "Bea Bounce",
            clientEmail = $"bea.{Guid.NewGuid():N}@example.com",
            programId = "career-6",
        });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private HttpRequestMessage Signed(string body, ECDsa key, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = key.SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/sendgrid") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Twilio-Email-Event-Webhook-Signature", Convert.ToBase64String(signature));
        request.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        return request;
    }

    private static string Events(string engagementId, string eventId, string kind) => JsonSerializer.Serialize(new[]
    {
        new Dictionary<string, object>
        {
            ["email"] = "bea@example.com", ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["event"] = kind,
            ["sg_event_id"] = eventId, ["engagement_id"] = engagementId, ["effect_id"] = $"{engagementId}/o0000000001-000",
        },
    });

    [Fact]
    public async Task GivenASignedBounce_WhenItArrivesTwice_ThenTheEngagementIsFlaggedOnceForTheCoach()
    {
        var id = await StartAsync();
        var body = Events(id, "evt-" + Guid.NewGuid().ToString("N"), "bounce");

        using var first = await api.Anonymous.SendAsync(Signed(body, api.WebhookKey));
        using var again = await api.Anonymous.SendAsync(Signed(body, api.WebhookKey));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("bouncing").GetInt32());
        Assert.Equal(0, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("new").GetInt32());
        var detail = await ApiFixture.UntilAsync(api.CoachA, id,
            d => d.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "client-email-bouncing"), "flagged client-email-bouncing");
        Assert.Equal(1, detail.GetProperty("timeline").EnumerateArray().Count(t => t.GetProperty("type").GetString() == "flag-raised"));
    }

    [Fact]
    public async Task GivenAWrongKeyATamperedBodyAnOldTimestampOrNoSignature_Then401AndNothingIsFlagged()
    {
        var id = await StartAsync();
        var body = Events(id, "evt-" + Guid.NewGuid().ToString("N"), "dropped");
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var tampered = Signed(body, api.WebhookKey);
        tampered.Content = new StringContent(body.Replace("dropped", "bounce", StringComparison.Ordinal), Encoding.UTF8, "application/json");

        var requests = new[]
        {
            Signed(body, stranger),
            tampered,
            Signed(body, api.WebhookKey, DateTimeOffset.UtcNow.AddHours(-1)),
            new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/sendgrid") { Content = new StringContent(body, Encoding.UTF8, "application/json") },
        };
        foreach (var request in requests)
        {
            using var response = await api.Anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        var detail = await api.CoachA.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        Assert.DoesNotContain("client-email-bouncing", detail.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task GivenASignedBodyThatIsNotAnEventBatch_Then400()
    {
        using var response = await api.Anonymous.SendAsync(Signed("{\"event\":\"bounce\"}", api.WebhookKey));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
