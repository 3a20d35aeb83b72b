using System.Net.Http.Json;
using System.Text.Json;
using static CoachFlow.Web.Tests.OutboundWebhooks.WebhookFixture;

namespace CoachFlow.Web.Tests.OutboundWebhooks;

/// <summary>An endpoint that keeps failing, on an app that gives up on an endpoint after 4 seconds of failures (5 days by default).</summary>
public sealed class WebhookDisableTests(QuickToDisableWebhookFixture api) : IClassFixture<QuickToDisableWebhookFixture>
{
    [Fact]
    public async Task GivenAnEndpointThatKeepsFailing_WhenItHasFailedLongerThanAllowed_ThenItIsSwitchedOff_TheAdminIsEmailed_NewEventsWait_AndSwitchingItOnDeliversThemAllInOrder()
    {
        var (firmId, admin, adminApi, coachApi) = await api.NewFirmAsync("Failing Coaching");
        var (id, box) = await api.RegisterAsync(adminApi, "engagement.started", "engagement.ended");
        await api.Receiver.ConfigureAsync(box, new { failAll = true });
        var first = await StartAsync(coachApi, "Fay Failing");

        var endpoint = await UntilAsync(() => EndpointAsync(adminApi, id), e => e.GetProperty("status").GetString() == "disabled", "the endpoint to be switched off");
        Assert.Contains("every delivery failed for more than 4 seconds", endpoint.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);
        Assert.Contains("HTTP 500", endpoint.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(500, endpoint.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(JsonValueKind.String, endpoint.GetProperty("failingSince").ValueKind);
        var attempts = (await api.Receiver.ReceivedAsync(box)).Count;
        Assert.True(attempts >= 2, $"{attempts} attempts before it was switched off");
        Assert.All(await api.Receiver.ReceivedAsync(box), r => Assert.True(r.Verified, r.Error));

        var email = await UntilAsync(() => api.Maildev.ReadAsync(new HashSet<string> { "webhook-endpoint-disabled" }), m => m.Any(e => e.To == admin.Email), "the email to the firm's admin");
        var notice = Assert.Single(email, e => e.To == admin.Email);
        Assert.Contains(api.Receiver.Url(box).AbsoluteUri, notice.Text, StringComparison.Ordinal);
        Assert.Contains($"test {box}", notice.Text, StringComparison.Ordinal); // the description
        Assert.Contains("Failing since:", notice.Text, StringComparison.Ordinal);
        Assert.Contains("Last answer: HTTP 500", notice.Text, StringComparison.Ordinal);
        Assert.Contains($"./coachflow webhooks enable --firm {firmId} --endpoint {id}", notice.Text, StringComparison.Ordinal);
        Assert.Contains("webhook endpoint", notice.Subject, StringComparison.Ordinal);

        // Switched off: new events are kept and wait, nothing is attempted.
        await EndAsync(coachApi, first, "Paused the programme");
        var second = await StartAsync(coachApi, "Gus Failing");
        await UntilAsync(() => LogAsync(adminApi, id), log => log.Count == 3, "three deliveries kept");
        Assert.Equal(attempts, (await api.Receiver.ReceivedAsync(box)).Count);
        Assert.All(await LogAsync(adminApi, id), d => Assert.Equal("pending", d.GetProperty("status").GetString()));

        await api.Receiver.ConfigureAsync(box, new { failAll = false });
        using (var on = await adminApi.PatchAsJsonAsync($"/api/webhooks/{id}", new { enabled = true })) on.EnsureSuccessStatusCode();
        var got = await UntilAsync(() => api.VerifiedAsync(box), r => r.Count(x => x.Answered == 200) == 3, "everything that waited");
        var delivered = got.Where(x => x.Answered == 200).ToList();
        Assert.Equal(["engagement.started", "engagement.ended"], delivered.Where(x => x.EngagementId == first).Select(x => x.Type));
        Assert.Equal(["engagement.started"], delivered.Where(x => x.EngagementId == second).Select(x => x.Type));
        Assert.All(await LogAsync(adminApi, id), d => Assert.Equal("delivered", d.GetProperty("status").GetString()));
        var back = await EndpointAsync(adminApi, id);
        Assert.Equal(("enabled", JsonValueKind.Null, 0), (back.GetProperty("status").GetString(), back.GetProperty("failingSince").ValueKind, back.GetProperty("consecutiveFailures").GetInt32()));
        Assert.Single(await api.Maildev.ReadAsync(new HashSet<string> { "webhook-endpoint-disabled" }), e => e.To == admin.Email);
    }
}
