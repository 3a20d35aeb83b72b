using CoachFlow.Email.Calendar;
using CoachFlow.Email.Rendering;
using CoachFlow.Email.Smtp;
using CoachFlow.Workflows.Engagements;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace CoachFlow.Email.Tests;

public sealed class SmtpTests(MaildevFixture maildev) : IClassFixture<MaildevFixture>
{
    private static SessionInvite Invite(string client) => new(
        "eng-7f3a", 2, TestData.Session.StartAt, TestData.Session.Duration, "Europe/Paris", 1,
        new EmailAddress("ana.ruiz@northwind.test", "Ana Ruiz"), new EmailAddress(client, "Jordan Lee"),
        "Coaching session 2 with Ana Ruiz", new DateTimeOffset(2026, 3, 20, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task GivenMaildev_WhenASessionConfirmationIsSent_ThenItArrivesWithLinkAndInvitation()
    {
        var client = $"jordan-{Guid.NewGuid():N}@client.test";
        var link = new Uri($"https://app.northwind.test/c/session?t={Guid.NewGuid():N}");
        var rendered = new EmailRenderer().Render(new EmailModel(EmailKinds.SessionConfirmation, "Jordan", "Ana Ruiz", TestData.Branding, link, TestData.Session));
        var message = new EmailMessage(
            new EmailAddress(client, "Jordan Lee"), TestData.Branding.Sender, TestData.Branding.ReplyTo,
            rendered.Subject, rendered.Html, rendered.Text, [SessionInvitation.Attachment(Invite(client))],
            [EmailKinds.SessionConfirmation], "eng-7f3a", "eng-7f3a/0000000012-1");
        var transport = new SmtpEmailTransport(new SmtpOptions { Port = maildev.SmtpPort }, NullLogger<SmtpEmailTransport>.Instance);

        await transport.SendAsync(message, CancellationToken.None);

        var email = await maildev.WaitForEmailToAsync(client);
        Assert.Equal("Session 2 with Ana Ruiz is confirmed", email.GetProperty("subject").GetString());
        Assert.Contains(link.AbsoluteUri, email.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains(link.AbsoluteUri, email.GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.Equal("coaching@northwind.test", email.GetProperty("from")[0].GetProperty("address").GetString());
        Assert.Equal($"<{message.MessageId}>", email.GetProperty("headers").GetProperty("message-id").GetString());

        var attachment = Assert.Single(email.GetProperty("attachments").EnumerateArray());
        Assert.StartsWith("text/calendar", attachment.GetProperty("contentType").GetString(), StringComparison.Ordinal);
        var id = email.GetProperty("id").GetString();
        var name = attachment.GetProperty("generatedFileName").GetString();
        var ics = await maildev.Api.GetStringAsync(maildev.ApiUri($"/email/{id}/attachment/{Uri.EscapeDataString(name!)}"));
        Assert.Contains("METHOD:REQUEST", ics, StringComparison.Ordinal);
        Assert.Contains("BEGIN:VTIMEZONE", ics, StringComparison.Ordinal);
        Assert.Contains("TZID:Europe/Paris", ics, StringComparison.Ordinal);
        Assert.Contains("DTSTART;TZID=Europe/Paris:20260331T140000", ics, StringComparison.Ordinal);

        // The raw message: the calendar part asks calendars to act on it.
        var source = await maildev.Api.GetStringAsync(maildev.ApiUri($"/email/{id}/source"));
        Assert.Matches("(?i)content-type: text/calendar;[^\\r\\n]*method=REQUEST", source);
    }

    [Fact]
    public async Task GivenMaildev_WhenAReminderWithALongUnsubscribeLinkIsSent_ThenItsOneClickHeadersArriveWhole()
    {
        var client = $"jordan-{Guid.NewGuid():N}@client.test";
        var token = string.Concat(Enumerable.Repeat("eyJlbmdhZ2VtZW50IjoiZW5nLTdmM2EifQ", 8)) + ".c2lnbmF0dXJlLW9mLXRoZS1saW5r";
        var unsubscribe = $"<https://coach.northwind.test/c/{token}/unsubscribe>";
        var message = TestData.Message(client, "A reminder", "https://a.test/x") with
        {
            Headers = new Dictionary<string, string> { ["List-Unsubscribe"] = unsubscribe, ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click" },
        };

        await new SmtpEmailTransport(new SmtpOptions { Port = maildev.SmtpPort }, NullLogger<SmtpEmailTransport>.Instance).SendAsync(message, CancellationToken.None);

        // maildev's parsed headers leave List-* out: read the message as it arrived, with MimeKit (which unfolds headers).
        var id = (await maildev.WaitForEmailToAsync(client)).GetProperty("id").GetString();
        using var source = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await maildev.Api.GetStringAsync(maildev.ApiUri($"/email/{id}/source"))));
        var received = await MimeMessage.LoadAsync(source);
        Assert.Equal(unsubscribe, received.Headers["List-Unsubscribe"]?.Trim());
        Assert.Equal("List-Unsubscribe=One-Click", received.Headers["List-Unsubscribe-Post"]);
    }
}

/// <summary>The SMTP transport's parts that need no server.</summary>
public sealed class SmtpMimeTests
{
    private static SessionInvite Invite(string client) => new(
        "eng-7f3a", 2, TestData.Session.StartAt, TestData.Session.Duration, "Europe/Paris", 1,
        new EmailAddress("ana.ruiz@northwind.test", "Ana Ruiz"), new EmailAddress(client, "Jordan Lee"),
        "Coaching session 2 with Ana Ruiz", new DateTimeOffset(2026, 3, 20, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task GivenNothingListening_WhenSending_ThenATransientTransportErrorIsThrown()
    {
        var transport = new SmtpEmailTransport(new SmtpOptions { Port = SendGridTests.FreePort(), Timeout = TimeSpan.FromSeconds(5) }, NullLogger<SmtpEmailTransport>.Instance);
        var error = await Assert.ThrowsAsync<EmailTransportException>(() =>
            transport.SendAsync(TestData.Message("j@client.test", "Hi", "https://a.test/x"), CancellationToken.None));
        Assert.True(error.IsTransient);
    }

    [Fact]
    public void GivenAnEmailWithAnInvitation_WhenBuiltAsMIME_ThenTextComesBeforeHtmlAndTheIcsIsAttached()
    {
        var message = TestData.Message("jordan@client.test", "Hi", "https://a.test/x", SessionInvitation.Attachment(Invite("jordan@client.test")));
        var mime = SmtpEmailTransport.ToMime(message);

        Assert.Equal(message.MessageId, mime.MessageId);
        var mixed = Assert.IsType<Multipart>(mime.Body);
        Assert.Equal("multipart/mixed", mixed.ContentType.MimeType);
        var alternative = Assert.IsType<MultipartAlternative>(mixed[0]);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        var ics = Assert.IsAssignableFrom<MimePart>(mixed[1]);
        Assert.Equal("text/calendar", ics.ContentType.MimeType);
        Assert.Equal("REQUEST", ics.ContentType.Parameters["method"]);
        Assert.Equal("session-2.ics", ics.FileName);
        Assert.Equal("ana.ruiz@northwind.test", mime.ReplyTo.Mailboxes.Single().Address);
    }

    [Fact]
    public void GivenAReminderWithOneClickUnsubscribe_WhenBuiltAsMIME_ThenItCarriesBothHeaders()
    {
        var message = TestData.Message("jordan@client.test", "A reminder", "https://a.test/x") with { Headers = TestData.OneClickHeaders };
        var mime = SmtpEmailTransport.ToMime(message);

        Assert.Equal(TestData.OneClickHeaders["List-Unsubscribe"], mime.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mime.Headers["List-Unsubscribe-Post"]);
    }

    [Fact]
    public void GivenTheSameEffect_WhenTheMessageIdIsDerivedTwice_ThenItIsStableAndDistinctPerEffect()
    {
        Assert.Equal(MessageIds.For("eng-1/0001", "a@northwind.test"), MessageIds.For("eng-1/0001", "a@northwind.test"));
        Assert.NotEqual(MessageIds.For("eng-1/0001", "a@northwind.test"), MessageIds.For("eng-1/0002", "a@northwind.test"));
        Assert.EndsWith("@northwind.test", MessageIds.For("eng-1/0001", "a@northwind.test"), StringComparison.Ordinal);
        Assert.DoesNotContain("eng-1", MessageIds.For("eng-1/0001", "a@northwind.test"), StringComparison.Ordinal);
    }
}
