using CoachFlow.Testing;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachFlow.Web.Tenancy;
using static CoachFlow.Web.Tests.OutboundWebhooks.WebhookFixture;

namespace CoachFlow.Web.Tests.OutboundWebhooks;

/// <summary>
/// Every event type through the real host, as the independent receiver gets them: a whole sponsored engagement on the
/// fast program (the demo's coach and client), one that stalls and is rescheduled, one whose email bounces and is ended,
/// and a bulk action; every delivery verified by the npm library, in order, with ids, phase, times and counts only.
/// </summary>
[RunsForMinutes]
public sealed partial class WebhookEngagementTests(WebhookFixture api) : IClassFixture<WebhookFixture>
{
    /// <summary>Everything a body's <c>data</c> may hold: ids, the phase, times and counts.</summary>
    private static readonly HashSet<string> AllowedFields =
    [
        "firmId", "engagementId", "engagementVersion", "phase", "programId", "coachId", "clientId", "sponsorId", "cohortId", "startedAt", "contractVersion", "signedAt",
        "completedAt", "sessionNumber", "startAt", "rescheduled", "scheduledAt", "heldAt", "sessionsHeld", "reassessmentNumber", "final", "flag", "subject", "raisedAt",
        "clearedAt", "graduatedAt", "maintenanceEndsAt", "by", "endedAt", "closedAt", "bulkActionId", "action", "selected", "applied", "deferred", "rejected", "skipped",
        "pending", "finishedAt",
    ];

    [Fact]
    public async Task GivenAnEndpointForEveryEventType_WhenEngagementsRunTheirCourse_ThenEachTypeArrivesVerifiedAndInOrder_WithIdsPhaseTimesAndCountsButNoNameEmailAnswerOrReason()
    {
        var (firmId, _, adminApi, coachApi) = await api.NewFirmAsync("Whole Story Coaching");
        var coach = await api.Tenancy.AddCoachAsync(firmId, "Drew Demo", $"drew-{Guid.NewGuid():N}@firm.example", Role.Coach, null);
        var coachToken = (await api.Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token;
        var sponsor = await api.Tenancy.AddCoachAsync(firmId, "Sasha Sponsor", $"sasha-{Guid.NewGuid():N}@employer.example", Role.Sponsor, null);
        var (endpointId, box) = await api.RegisterAsync(adminApi, [.. Web.OutboundWebhooks.WebhookEventTypes.All]);
        var wholeEmail = $"jordan-{Guid.NewGuid():N}@client.test";
        var stallEmail = $"stella-{Guid.NewGuid():N}@client.test";

        using var log = new StringWriter();
        var inbox = new Uri($"http://127.0.0.1:{api.Maildev.WebPort}");
        var whole = DemoCommand.DriveAsync(api.App.Client.BaseAddress!, coachToken, inbox, TimeSpan.FromMinutes(8), wholeEmail, sponsor.CoachId, log);
        var stalled = StallAndRescheduleAsync(coachApi, stallEmail);
        var bounced = BounceAndEndAsync(coachApi);
        var bulk = BulkEndAsync(firmId, adminApi);
        var (exit, wholeId) = await whole;
        Assert.True(exit == 0, $"The whole engagement did not close:\n{log}");
        var (stalledId, bouncedId, (bulkId, bulkEngagementId)) = (await stalled, await bounced, await bulk);

        var received = await UntilAsync(() => api.Receiver.ReceivedAsync(box),
            r => Web.OutboundWebhooks.WebhookEventTypes.All.All(t => r.Any(x => x.Type == t)) && r.Any(x => x.EngagementId == wholeId && x.Type == "engagement.closed"),
            "every event type", TimeSpan.FromMinutes(3));

        // Each request verified by the npm library, answered 200, once (nothing failed, so nothing was sent twice).
        Assert.All(received, r => Assert.True(r.Verified && r.Answered == 200, $"{r.Id}: {r.Error}"));
        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());
        var bodies = received.Select(r => (r.Id, Body: JsonDocument.Parse(r.Body).RootElement)).ToList();
        foreach (var (id, body) in bodies)
        {
            var data = body.GetProperty("data");
            Assert.Equal(firmId, data.GetProperty("firmId").GetString());
            Assert.All(data.EnumerateObject(), field => Assert.Contains(field.Name, AllowedFields));
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", body.GetProperty("timestamp").GetString());
            Assert.Equal(data.TryGetProperty("engagementId", out var e) ? $"msg_{e.GetString()}_{data.GetProperty("engagementVersion").GetInt64()}" : $"msg_{data.GetProperty("bulkActionId").GetString()}", id);
        }
        // In order per engagement: versions only go up.
        foreach (var engagement in bodies.Where(b => b.Body.GetProperty("data").TryGetProperty("engagementId", out _)).GroupBy(b => b.Body.GetProperty("data").GetProperty("engagementId").GetString()))
        {
            var versions = engagement.Select(b => b.Body.GetProperty("data").GetProperty("engagementVersion").GetInt64()).ToList();
            Assert.Equal(versions.Order(), versions);
        }

        // Never a name, an email, an answer, a note or a reason.
        string[] secrets = ["Jordan", wholeEmail, stallEmail, "Stella", "Bea Bounce", "Eli Bulk", "@", "month-end close", "Asking went better", "perfectionism",
            "renewable", "Confidential health matter", "Cohort cancelled", "Ask three former colleagues"];
        Assert.All(received, r => Assert.All(secrets, s => Assert.DoesNotContain(s, r.Body, StringComparison.Ordinal)));

        var ofWhole = Of(bodies, wholeId!);
        Assert.Equal(["engagement.started", "contract.signed", "intake.completed"], ofWhole.Select(b => Type(b)).Take(3));
        Assert.Equal(("contract", sponsor.CoachId, "demo-accelerated", coach.CoachId), (Data(ofWhole[0], "phase"), Data(ofWhole[0], "sponsorId"), Data(ofWhole[0], "programId"), Data(ofWhole[0], "coachId")));
        Assert.StartsWith("client-", Data(ofWhole[0], "clientId"), StringComparison.Ordinal);
        Assert.Equal(("1", "intake"), (Data(ofWhole[1], "contractVersion"), Data(ofWhole[1], "phase")));
        Assert.Equal(["1", "2", "3", "4", "5", "6"], ofWhole.Where(b => Type(b) == "session.held").Select(b => Data(b, "sessionsHeld")));
        Assert.Equal(["1", "2", "3", "4", "5", "6"], ofWhole.Where(b => Type(b) == "session.scheduled").Select(b => Data(b, "sessionNumber")));
        Assert.Equal(["False", "True"], ofWhole.Where(b => Type(b) == "reassessment.completed").Select(b => Data(b, "final")));
        Assert.Equal(["engagement.graduated", "engagement.closed"], ofWhole.Select(b => Type(b)).Where(t => t is "engagement.graduated" or "engagement.closed"));
        Assert.Equal("closed", Data(ofWhole[^1], "phase"));

        var ofStalled = Of(bodies, stalledId);
        Assert.Contains(ofStalled, b => Type(b) == "flag.raised" && Data(b, "flag") == "stalled");
        Assert.Contains(ofStalled, b => Type(b) == "flag.cleared" && Data(b, "flag") == "stalled");
        Assert.Equal(["False", "True"], ofStalled.Where(b => Type(b) == "session.scheduled").Select(b => Data(b, "rescheduled")));

        var ofBounced = Of(bodies, bouncedId);
        Assert.Contains(ofBounced, b => Type(b) == "flag.raised" && Data(b, "flag") == "client-email-bouncing" && Data(b, "subject") == "bounce");
        var ended = Assert.Single(ofBounced, b => Type(b) == "engagement.ended");
        Assert.Equal(("coach", "ended"), (Data(ended, "by"), Data(ended, "phase")));
        Assert.Contains(Of(bodies, bulkEngagementId), b => Type(b) == "engagement.ended");
        var finished = Assert.Single(bodies, b => Type(b) == "bulk-action.finished").Body.GetProperty("data");
        Assert.Equal((bulkId, "end", 1, 1, 0), (finished.GetProperty("bulkActionId").GetString(), finished.GetProperty("action").GetString(), finished.GetProperty("selected").GetInt32(),
            finished.GetProperty("applied").GetInt32(), finished.GetProperty("rejected").GetInt32()));

        // The log says the same; and the app's own logs hold no secret and no body.
        Assert.All(await LogAsync(adminApi, endpointId), d => Assert.Equal("delivered", d.GetProperty("status").GetString()));
        Assert.DoesNotContain("whsec_", api.App.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"type\":\"engagement.", api.App.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("month-end close", api.App.Output, StringComparison.Ordinal);
    }

    /// <summary>Signs and answers the intake through the client's pages, waits for the engagement to stall (no session booked), then books and moves session 1.</summary>
    private async Task<string> StallAndRescheduleAsync(HttpClient coachApi, string email)
    {
        var id = await StartAsync(coachApi, "Stella Stall", email);
        var client = new DemoClient(api.App.Client.BaseAddress!, "Stella Stall");
        var answered = new HashSet<string>(StringComparer.Ordinal);
        await UntilAsync(async () =>
        {
            foreach (var message in await api.Maildev.ReadAsync(new HashSet<string> { id }))
                if (message.To == email && answered.Add(message.Id) && LinkRegex().Match(message.Text) is { Success: true } link) await client.AnswerAsync(new Uri(link.Value));
            return await coachApi.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        }, e => e.GetProperty("phase").GetString() == "sessions", "the stalling engagement to reach its sessions", TimeSpan.FromMinutes(3));
        await UntilAsync(() => coachApi.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}"),
            e => e.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "stalled"), "the engagement to stall", TimeSpan.FromMinutes(3));
        using (var booked = await coachApi.PostAsJsonAsync($"/api/engagements/{id}/sessions", new { number = 1, startAt = DateTimeOffset.UtcNow.AddHours(1), timeZoneId = "Europe/Berlin" }))
            Assert.True(booked.IsSuccessStatusCode, await booked.Content.ReadAsStringAsync());
        using (var moved = await coachApi.PostAsJsonAsync($"/api/engagements/{id}/sessions/1/reschedule", new { number = 1, startAt = DateTimeOffset.UtcNow.AddHours(2), timeZoneId = "Europe/Berlin" }))
            Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        return id;
    }

    /// <summary>The client's email bounces (a signed SendGrid event), then the coach ends the engagement with a reason of their own.</summary>
    private async Task<string> BounceAndEndAsync(HttpClient coachApi)
    {
        var id = await StartAsync(coachApi, "Bea Bounce");
        var body = JsonSerializer.Serialize(new[]
        {
            new Dictionary<string, object>
            {
                ["email"] = "bea@client.test", ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["event"] = "bounce",
                ["sg_event_id"] = "evt-" + Guid.NewGuid().ToString("N"), ["engagement_id"] = id, ["effect_id"] = $"{id}/o0000000001-000",
            },
        });
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/sendgrid") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Twilio-Email-Event-Webhook-Signature",
            Convert.ToBase64String(api.SendGridKey.SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));
        request.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        using (var reported = await api.App.Client.SendAsync(request)) Assert.True(reported.IsSuccessStatusCode, await reported.Content.ReadAsStringAsync());
        await UntilAsync(() => coachApi.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}"),
            e => e.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "client-email-bouncing"), "the bounce to flag the engagement");
        await EndAsync(coachApi, id, "Confidential health matter");
        return id;
    }

    /// <summary>A firm admin ends one coach's only engagement with a bulk action: the action's id and the engagement's.</summary>
    private async Task<(string BulkId, string EngagementId)> BulkEndAsync(string firmId, HttpClient adminApi)
    {
        var coach = await api.Tenancy.AddCoachAsync(firmId, "Bo Bulk", $"bo-{Guid.NewGuid():N}@firm.example", Role.Coach, null);
        var id = await StartAsync(api.Client((await api.Tenancy.IssueTokenAsync(coach, TimeSpan.FromDays(1))).Token), "Eli Bulk");
        using var drafted = await adminApi.PostAsJsonAsync("/api/bulk-actions", new { action = "end", reason = "Cohort cancelled", filter = new { coachId = coach.CoachId } });
        var draft = await drafted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(drafted.IsSuccessStatusCode, draft.ToString());
        var bulkId = draft.GetProperty("id").GetString()!;
        using (var run = await adminApi.PostAsync($"/api/bulk-actions/{bulkId}/run", null)) Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync());
        return (bulkId, id);
    }

    private static List<(string Id, JsonElement Body)> Of(List<(string Id, JsonElement Body)> bodies, string engagementId) =>
        [.. bodies.Where(b => b.Body.GetProperty("data").TryGetProperty("engagementId", out var e) && e.GetString() == engagementId)];

    private static string Type((string Id, JsonElement Body) b) => b.Body.GetProperty("type").GetString()!;

    private static string? Data((string Id, JsonElement Body) b, string name) =>
        b.Body.GetProperty("data").GetProperty(name) is var v && v.ValueKind switch { JsonValueKind.String => true, _ => false } ? v.GetString() : v.ValueKind == JsonValueKind.Null ? null : v.ToString();

    [GeneratedRegex(@"https?://[^\s""'<>]+/c/[A-Za-z0-9._~-]+")]
    private static partial Regex LinkRegex();
}
