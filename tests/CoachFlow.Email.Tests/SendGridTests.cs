using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CoachFlow.Email.Calendar;
using CoachFlow.Email.SendGrid;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoachFlow.Email.Tests;

public sealed class SendGridTests
{
    private static EmailAttachment Invite() => SessionInvitation.Attachment(new SessionInvite(
        "eng-7f3a", 2, TestData.Session.StartAt, TestData.Session.Duration, "Europe/Paris", 0,
        new EmailAddress("ana.ruiz@northwind.test", "Ana Ruiz"), new EmailAddress("jordan@client.test", "Jordan Lee"),
        "Coaching session 2", TestData.Session.StartAt.AddDays(-7)));

    [Fact]
    public void GivenTheSpecBesideTheRepo_WhenLoaded_ThenItIsFound()
    {
        Assert.True(File.Exists(MailSendSchema.SpecPath), MailSendSchema.SpecPath);
    }

    [Fact]
    public void GivenAnEmailWithAnInvitation_WhenTheBodyIsBuilt_ThenItIsValidAgainstTheMailSendSpec()
    {
        var message = TestData.Message("jordan@client.test", "Session 2 with Ana Ruiz is confirmed", "https://app.test/s?t=1", Invite());
        var body = SendGridMailBody.Build(message);

        Assert.Empty(MailSendSchema.Errors(body));
        var content = body["content"]!.AsArray();
        Assert.Equal("text/plain", (string?)content[0]!["type"]);
        Assert.Equal("text/html", (string?)content[1]!["type"]);
        var personalization = body["personalizations"]![0]!;
        Assert.Equal("jordan@client.test", (string?)personalization["to"]![0]!["email"]);
        Assert.Equal("eng-7f3a", (string?)personalization["custom_args"]!["engagement_id"]);
        Assert.Equal(message.EffectId, (string?)personalization["custom_args"]!["effect_id"]);
        Assert.Equal("ana.ruiz@northwind.test", (string?)body["reply_to"]!["email"]);
        Assert.Equal(["contract-invitation", "career-6"], body["categories"]!.AsArray().Select(c => (string?)c));
        var attachment = body["attachments"]![0]!;
        Assert.Equal("session-2.ics", (string?)attachment["filename"]);
        Assert.Equal("attachment", (string?)attachment["disposition"]);
        Assert.StartsWith("text/calendar; method=REQUEST", (string?)attachment["type"], StringComparison.Ordinal);
        Assert.Contains("BEGIN:VCALENDAR", Encoding.UTF8.GetString(Convert.FromBase64String((string)attachment["content"]!)), StringComparison.Ordinal);
        Assert.Equal($"<{message.MessageId}>", (string?)body["headers"]!["Message-ID"]);
    }

    [Fact]
    public void GivenAReminderWithOneClickUnsubscribe_WhenTheBodyIsBuilt_ThenBothHeadersAreInItAndItIsValidAgainstTheSpec()
    {
        var message = TestData.Message("jordan@client.test", "A reminder", "https://app.test/x") with { Headers = TestData.OneClickHeaders };
        var body = SendGridMailBody.Build(message);

        Assert.Empty(MailSendSchema.Errors(body));
        Assert.Equal(TestData.OneClickHeaders["List-Unsubscribe"], (string?)body["headers"]!["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", (string?)body["headers"]!["List-Unsubscribe-Post"]);
        Assert.Equal($"<{message.MessageId}>", (string?)body["headers"]!["Message-ID"]);
    }

    [Fact]
    public void GivenABodyWithoutFrom_WhenValidated_ThenTheValidatorReportsIt()
    {
        var body = SendGridMailBody.Build(TestData.Message("jordan@client.test", "Hello", "https://app.test/x"));
        body.Remove("from");
        Assert.NotEmpty(MailSendSchema.Errors(body));
    }

    [Fact]
    public void GivenAPersonalizationWithoutTo_WhenValidated_ThenTheValidatorReportsIt()
    {
        var body = SendGridMailBody.Build(TestData.Message("jordan@client.test", "Hello", "https://app.test/x"));
        body["personalizations"]![0]!.AsObject().Remove("to");
        Assert.NotEmpty(MailSendSchema.Errors(body));
    }

    [Fact]
    public void GivenWronglyShapedFields_WhenValidated_ThenTheValidatorReportsThem()
    {
        var body = SendGridMailBody.Build(TestData.Message("jordan@client.test", "Hello", "https://app.test/x"));
        body["categories"] = new JsonArray([.. Enumerable.Range(0, 11).Select(i => (JsonNode)JsonValue.Create($"c{i}"))]);
        Assert.NotEmpty(MailSendSchema.Errors(body));

        body = SendGridMailBody.Build(TestData.Message("jordan@client.test", "Hello", "https://app.test/x"));
        body["from"]!["email"] = "not an address";
        Assert.NotEmpty(MailSendSchema.Errors(body));

        body = SendGridMailBody.Build(TestData.Message("jordan@client.test", "Hello", "https://app.test/x", Invite()));
        body["attachments"]![0]!["disposition"] = "download";
        Assert.NotEmpty(MailSendSchema.Errors(body));
    }

    [Fact]
    public void GivenMoreThanTenCategories_WhenTheBodyIsBuilt_ThenItKeepsTenDistinct()
    {
        var message = TestData.Message("jordan@client.test", "Hello", "https://app.test/x") with
        {
            Categories = [.. Enumerable.Range(0, 12).Select(i => $"c{i % 11}"), new string('x', 300)],
        };
        var body = SendGridMailBody.Build(message);
        Assert.Equal(10, body["categories"]!.AsArray().Count);
        Assert.Empty(MailSendSchema.Errors(body));
    }

    [Fact]
    public async Task GivenAListener_WhenTheTransportSends_ThenItPostsAValidBodyWithTheKey()
    {
        await using var server = await CapturingServer.StartAsync(HttpStatusCode.Accepted, "");
        var message = TestData.Message("jordan@client.test", "Session 2 with Ana Ruiz is confirmed", "https://app.test/s?t=1", Invite());
        using var http = new HttpClient();
        var transport = new SendGridEmailTransport(http, new SendGridOptions { BaseUrl = server.BaseUrl, ApiKey = "SG.test-key" }, NullLogger<SendGridEmailTransport>.Instance);

        await transport.SendAsync(message, CancellationToken.None);

        var request = await server.Request;
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v3/mail/send", request.Path);
        Assert.Equal("Bearer SG.test-key", request.Authorization);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Empty(MailSendSchema.Errors(body));
        Assert.Equal("Session 2 with Ana Ruiz is confirmed", (string?)body["subject"]);
        Assert.Contains("https://app.test/s?t=1", (string?)body["content"]![0]!["value"], StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(SendGridMailBody.Build(message), body), "the transport posts the body the spec tests validate");
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, false)]
    public async Task Given_a_refusal_When_the_transport_sends_Then_it_throws_with_the_status_but_not_the_body(HttpStatusCode status, bool transient)
    {
        // A provider answer that quotes what it was sent must not reach the exception either.
        await using var server = await CapturingServer.StartAsync(status, "{\"errors\":[{\"message\":\"bad: Secret subject 42\"}]}");
        var message = TestData.Message("jordan@client.test", "Secret subject 42", "https://app.test/s?t=token-123");
        using var http = new HttpClient();
        var transport = new SendGridEmailTransport(http, new SendGridOptions { BaseUrl = server.BaseUrl, ApiKey = "SG.test-key" }, NullLogger<SendGridEmailTransport>.Instance);

        var error = await Assert.ThrowsAsync<EmailTransportException>(() => transport.SendAsync(message, CancellationToken.None));

        Assert.Equal((int)status, error.StatusCode);
        Assert.Equal(transient, error.IsTransient);
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret subject", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("token-123", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Hello Jordan", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenNothingListening_WhenTheTransportSends_ThenItThrowsATransientError()
    {
        var port = FreePort();
        using var http = new HttpClient();
        var transport = new SendGridEmailTransport(http, new SendGridOptions { BaseUrl = new Uri($"http://127.0.0.1:{port}"), ApiKey = "SG.k" }, NullLogger<SendGridEmailTransport>.Instance);
        var error = await Assert.ThrowsAsync<EmailTransportException>(() => transport.SendAsync(TestData.Message("j@client.test", "Hi", "https://a.test/x"), CancellationToken.None));
        Assert.True(error.IsTransient);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A real HTTP listener on 127.0.0.1 that captures the first request and answers with a fixed status.</summary>
    private sealed class CapturingServer : IAsyncDisposable
    {
        private readonly HttpListener _listener;
        private readonly Task<CapturedRequest> _request;

        private CapturingServer(HttpListener listener, Uri baseUrl, HttpStatusCode status, string answer)
        {
            _listener = listener;
            BaseUrl = baseUrl;
            _request = ServeOneAsync(status, answer);
        }

        public Uri BaseUrl { get; }

        public Task<CapturedRequest> Request => _request.WaitAsync(TimeSpan.FromSeconds(30));

        public static Task<CapturingServer> StartAsync(HttpStatusCode status, string answer)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            return Task.FromResult(new CapturingServer(listener, new Uri($"http://127.0.0.1:{port}"), status, answer));
        }

        private async Task<CapturedRequest> ServeOneAsync(HttpStatusCode status, string answer)
        {
            var context = await _listener.GetContextAsync();
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var captured = new CapturedRequest(
                context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"],
                context.Request.ContentType, await reader.ReadToEndAsync());
            context.Response.StatusCode = (int)status;
            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
            return captured;
        }

        public ValueTask DisposeAsync()
        {
            _listener.Close();
            return ValueTask.CompletedTask;
        }
    }

    private sealed record CapturedRequest(string Method, string Path, string? Authorization, string? ContentType, string Body);
}
