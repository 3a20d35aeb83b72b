using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.Bulk;
using CoachFlow.Web.OutboundWebhooks;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Questionnaires;
using CoachFlow.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CoachFlow.Web.Tests.OutboundWebhooks;

/// <summary>The pure parts of webhooks, without a host: the event mapping, the address check, one signed attempt on a socket.</summary>
public sealed class WebhookUnitTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);

    private static readonly EngagementState State = new()
    {
        EngagementId = "eng-1", FirmId = "firm-1", CoachId = "coach-1", ClientId = "client-9f2", ClientName = "Dana Hidden", ClientEmail = "dana@hidden.example",
        ProgramId = "career-6", SponsorId = "sponsor-1", CohortId = "cohort-7", SessionsHeld = 3, Phase = EngagementPhase.Sessions,
    };

    private static StepRecord Step(long fromVersion, params EngagementEvent[] events) => new(
        "eng-1", "eng-1:session-3", fromVersion, [.. events.Select(EngagementCodec.Wrap)], State,
        new InstanceProjection("firm-1", "coach-1", "sessions", null, null, []), [], [], [], [], At);

    public static TheoryData<EngagementEvent, string, string> Mapped() => new()
    {
        { new EngagementStarted("eng-1", "firm-1", "coach-1", "client-9f2", "Dana Hidden", "dana@hidden.example", "career-6", 1,
            new EngagementTerms(60, 1800m, "EUR", "Half now", "24 h notice", "Hidden Sponsor Ltd", "Progress only", ["A secret goal"]), At), "engagement.started", "startedAt" },
        { new ContractSigned("eng-1", 2, "Dana Hidden", "203.0.113.9", "Secret Browser/1.0", "abc123", At), "contract.signed", "contractVersion=2" },
        { new IntakeCompleted("eng-1", [new QuestionnaireAnswer("stuck-point", "A secret answer")], [new Rating("career", 4)], At), "intake.completed", "completedAt" },
        { new SessionScheduled("eng-1", 4, At.AddDays(7), "Europe/Paris", At), "session.scheduled", "rescheduled=False" },
        { new SessionRescheduled("eng-1", 4, At.AddDays(8), "Europe/Paris", At), "session.scheduled", "rescheduled=True" },
        { new SessionHeld("eng-1", 3, At), "session.held", "sessionsHeld=3" },
        { new ReassessmentCompleted("eng-1", 2, true, [], [], "A secret outcome", At), "reassessment.completed", "final=True" },
        { new FlagRaised("eng-1", "goal-not-resonant", "s2-a1", At), "flag.raised", "subject=s2-a1" },
        { new FlagCleared("eng-1", "stalled", null, At), "flag.cleared", "flag=stalled" },
        { new Graduated("eng-1", At, At.AddMonths(6)), "engagement.graduated", "maintenanceEndsAt" },
        { new EngagementEnded("eng-1", Party.Client, "A secret reason", At), "engagement.ended", "by=client" },
        { new EngagementClosed("eng-1", At), "engagement.closed", "closedAt" },
    };

    [Theory]
    [MemberData(nameof(Mapped))]
    public void GivenAStoredEvent_WhenItIsMapped_ThenItsTypeAndFieldsAreIdsTimesAndCountsOnly(EngagementEvent stored, string type, string field)
    {
        var mapped = Assert.Single(WebhookEvents.FromStep(Step(11, stored)));

        Assert.Equal((type, "eng-1", 12L), (mapped.Type, mapped.Stream, mapped.Version));
        var body = JsonDocument.Parse(mapped.Body).RootElement;
        Assert.Equal((type, "2026-12-01T09:30:00.000Z"), (body.GetProperty("type").GetString(), body.GetProperty("timestamp").GetString()));
        var data = body.GetProperty("data");
        Assert.Equal(("firm-1", "eng-1", 12, "sessions", "career-6", "coach-1", "client-9f2", "sponsor-1", "cohort-7"),
            (data.GetProperty("firmId").GetString(), data.GetProperty("engagementId").GetString(), data.GetProperty("engagementVersion").GetInt32(), data.GetProperty("phase").GetString(),
                data.GetProperty("programId").GetString(), data.GetProperty("coachId").GetString(), data.GetProperty("clientId").GetString(), data.GetProperty("sponsorId").GetString(),
                data.GetProperty("cohortId").GetString()));
        var (name, value) = field.Split('=') is [var n, var v] ? (n, v) : (field, null);
        Assert.True(data.TryGetProperty(name, out var got), $"{type} carries {name}");
        if (value is not null) Assert.Equal(value, got.ValueKind == JsonValueKind.String ? got.GetString() : got.ToString());
        foreach (var secret in new[] { "Dana", "hidden.example", "secret", "Secret", "203.0.113.9", "Hidden Sponsor", "abc123", "Europe/Paris" })
            Assert.DoesNotContain(secret, mapped.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAStepOfManyEvents_WhenMapped_ThenOnlyTheEventTypesWebhooksSendComeOut_InOrder_EachWithItsOwnVersion()
    {
        var mapped = WebhookEvents.FromStep(Step(4,
            new SessionHeld("eng-1", 3, At), new ActionCheckedIn("eng-1", "s3-a1", ActionStatus.NotDone, "A secret learning", At),
            new FlagRaised("eng-1", "goal-not-resonant", "s3-a1", At), new ContractReminderSent("eng-1", 1, At), new FlagRaised("eng-1", "stalled", "not an id!", At)));

        Assert.Equal([("session.held", 5L), ("flag.raised", 7L), ("flag.raised", 9L)], mapped.Select(m => (m.Type, m.Version)));
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(mapped[2].Body).RootElement.GetProperty("data").GetProperty("subject").ValueKind); // a subject that is not an id stays out
        Assert.Equal(["msg_eng-1_5", "msg_eng-1_7", "msg_eng-1_9"], mapped.Select(WebhookStore.DeliveryIdOf));
        Assert.Equal(["eng-1|0000000005", "eng-1|0000000007", "eng-1|0000000009"], mapped.Select(WebhookStore.RowKeyOf));
    }

    [Fact]
    public void GivenAFinishedBulkAction_WhenMapped_ThenItIsAFirmEventWithItsCountsAndNoMessageOrReason()
    {
        var action = new BulkActionRecord("firm-1", "bulk-1", BulkActionKinds.Nudge, "A secret message", null, "{}", "coach-1", "coach", At, 5, BulkActionRecord.Finished,
            "coach-1", At, At.AddMinutes(1), 5, 3, 1, 1, 0, 0, new Dictionary<string, int> { ["rejected: paused"] = 1 });

        var mapped = WebhookEvents.FromBulkAction(action);

        Assert.Equal(("bulk-action.finished", WebhookEvents.FirmStream, "msg_bulk-1"), (mapped.Type, mapped.Stream, WebhookStore.DeliveryIdOf(mapped)));
        Assert.StartsWith($"firm|{At.AddMinutes(1).UtcTicks:D19}|bulk-1", WebhookStore.RowKeyOf(mapped), StringComparison.Ordinal);
        var data = JsonDocument.Parse(mapped.Body).RootElement.GetProperty("data");
        Assert.Equal(("bulk-1", "nudge", 5, 3, 1, 1, 0, "2026-12-01T09:31:00.000Z"), (data.GetProperty("bulkActionId").GetString(), data.GetProperty("action").GetString(),
            data.GetProperty("selected").GetInt32(), data.GetProperty("applied").GetInt32(), data.GetProperty("deferred").GetInt32(), data.GetProperty("rejected").GetInt32(),
            data.GetProperty("skipped").GetInt32(), data.GetProperty("finishedAt").GetString()));
        Assert.DoesNotContain("secret", mapped.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("paused", mapped.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")] [InlineData("127.255.0.1")] [InlineData("10.0.0.1")] [InlineData("172.16.0.1")] [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")] [InlineData("169.254.169.254")] [InlineData("100.64.0.1")] [InlineData("100.127.255.255")] [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")] [InlineData("224.0.0.1")] [InlineData("239.255.255.250")] [InlineData("255.255.255.255")] [InlineData("::1")] [InlineData("::")]
    [InlineData("fe80::1")] [InlineData("febf::1")] [InlineData("fec0::1")] [InlineData("fc00::1")] [InlineData("fd12:3456::1")] [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")] [InlineData("::ffff:10.0.0.1")] [InlineData("::ffff:169.254.169.254")] [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a00:1")] [InlineData("2002:a00:1::1")]
    public void GivenALoopbackPrivateOrOtherwiseNonPublicAddress_WhenChecked_ThenItIsRefused(string address) =>
        Assert.False(WebhookAddresses.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("93.184.215.14")] [InlineData("8.8.8.8")] [InlineData("172.15.255.255")] [InlineData("172.32.0.1")] [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")] [InlineData("192.169.0.1")] [InlineData("223.255.255.255")] [InlineData("2606:4700:4700::1111")] [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")] [InlineData("2002:808:808::1")]
    public void GivenAPublicAddress_WhenChecked_ThenItIsAllowed(string address) =>
        Assert.True(WebhookAddresses.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("https://127.0.0.1/hook", "127.0.0.1")]
    [InlineData("https://localhost/hook", "localhost")]
    [InlineData("https://[::1]/hook", "::1")]
    [InlineData("https://[::ffff:10.1.2.3]/hook", "10.1.2.3")]
    [InlineData("https://169.254.169.254/latest/meta-data", "169.254.169.254")]
    [InlineData("http://93.184.215.14/hook", "must use https")]
    public async Task GivenAUrlOfThisMachineOrItsNetwork_WhenRegisteredOutsideDevelopmentMode_ThenItIsRefusedSayingWhy(string url, string reason)
    {
        var refused = await Assert.ThrowsAsync<BadInputException>(() => WebhookAddresses.CheckAsync(url, allowPrivateNetworks: false, CancellationToken.None));
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAPublicAddress_WhenRegisteredOutsideDevelopmentMode_ThenItIsTaken_AndInDevelopmentModeLoopbackIsToo()
    {
        Assert.Equal("https://93.184.215.14/hook", (await WebhookAddresses.CheckAsync("https://93.184.215.14/hook", false, CancellationToken.None)).AbsoluteUri);
        Assert.Equal("http://127.0.0.1:9/hook", (await WebhookAddresses.CheckAsync("http://127.0.0.1:9/hook", true, CancellationToken.None)).AbsoluteUri);
    }

    [Fact]
    public async Task GivenAnEndpointOnLoopback_WhenADeliveryGoesOutsideDevelopmentMode_ThenTheConnectionIsRefusedBeforeAnythingIsSent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var (sender, endpoint, delivery) = Sender(allowPrivate: false, $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/hook");

        var attempt = await sender.SendAsync(endpoint, delivery, CancellationToken.None);

        Assert.False(attempt.Delivered);
        Assert.Null(attempt.StatusCode);
        Assert.StartsWith("refused:", attempt.Error, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "nothing connected");
    }

    [Fact]
    public async Task GivenAnEndpointThatRedirects_WhenADeliveryGoes_ThenTheRedirectIsNotFollowed_AndTheAttemptFailsSayingSo_WithTheStandardWebhooksHeadersSent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var (sender, endpoint, delivery) = Sender(allowPrivate: true, $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/hook");
        var answered = AnswerOnceAsync(listener, "HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        var attempt = await sender.SendAsync(endpoint, delivery, CancellationToken.None);
        var request = await answered;

        Assert.Equal((false, 302), (attempt.Delivered, attempt.StatusCode));
        Assert.Contains("redirects are not followed", attempt.Error, StringComparison.Ordinal);
        Assert.Contains("webhook-id: msg_eng-1_3\r\n", request, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(@"(?im)^webhook-timestamp: \d{10}\r$", request);
        Assert.Matches(@"(?im)^webhook-signature: v1,[A-Za-z0-9+/]{43}=\r$", request);
        Assert.EndsWith(delivery.Body, request, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenRetrySettings_WhenRead_ThenTheDefaultRetriesForMoreThanADay_AndABadScheduleSaysWhichSettingIsWrong()
    {
        var defaults = new WebhookOptions();
        Assert.Equal(8, defaults.MaxAttempts);
        Assert.True(defaults.Waits.Aggregate(TimeSpan.Zero, (a, b) => a + b) >= TimeSpan.FromHours(24));
        var bad = Assert.Throws<InvalidOperationException>(() => new WebhookOptions { RetrySchedule = "00:00:05,soon" }.Validated());
        Assert.Contains("CoachFlow:Webhooks:RetrySchedule: 'soon'", bad.Message, StringComparison.Ordinal);
    }

    private static (WebhookSender Sender, WebhookEndpoint Endpoint, WebhookDelivery Delivery) Sender(bool allowPrivate, string url)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CoachFlow:Webhooks:AllowPrivateNetworks"] = allowPrivate ? "true" : "false",
            ["CoachFlow:Webhooks:Timeout"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System);
        services.AddDataProtection();
        services.AddWebhooks(configuration);
        var sender = services.BuildServiceProvider().GetRequiredService<WebhookSender>();
        var endpoint = new WebhookEndpoint("firm-1", "wh-1", url, ["engagement.started"], null, WebhookEndpoint.Enabled, At, "coach-1", sender.Protect(WebhookSender.NewSecret()));
        var delivery = new WebhookDelivery("firm-1", "wh-1", "eng-1|0000000003", "msg_eng-1_3", "session.held", "eng-1", "eng-1", """{"type":"session.held"}""",
            WebhookDelivery.Pending, 0, 0, At, null, null, null, At, null);
        return (sender, endpoint, delivery);
    }

    /// <summary>Accepts one connection, reads the request (headers and the body its Content-Length gives), answers with <paramref name="response"/>; returns the request.</summary>
    private static async Task<string> AnswerOnceAsync(TcpListener listener, string response)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new byte[16 * 1024];
        var read = new StringBuilder();
        while (true)
        {
            var n = await stream.ReadAsync(buffer);
            if (n == 0) break;
            read.Append(Encoding.UTF8.GetString(buffer, 0, n));
            var text = read.ToString();
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            var length = System.Text.RegularExpressions.Regex.Match(text, @"(?im)^content-length: (\d+)") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (Encoding.UTF8.GetByteCount(text[(end + 4)..]) >= length) break;
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
        return read.ToString();
    }
}
