using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace CoachFlow.Email.Smtp;

/// <summary>Where the SMTP transport connects. The defaults reach a local maildev.</summary>
public sealed class SmtpOptions
{
    /// <summary>The configuration section the host binds.</summary>
    public const string Section = "CoachFlow:Smtp";

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1025;

    /// <summary>None (maildev), StartTls, SslOnConnect or Auto.</summary>
    public SmtpTls Tls { get; set; } = SmtpTls.None;

    public string? UserName { get; set; }
    public string? Password { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpTls
{
    None,
    StartTls,
    SslOnConnect,
    Auto,
}

/// <summary>Sends through SMTP with MailKit: the local default (maildev) and any relay.</summary>
public sealed partial class SmtpEmailTransport(SmtpOptions options, ILogger<SmtpEmailTransport> logger) : IEmailTransport
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var mime = ToMime(message);
        using var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.Host, options.Port, ToSocketOptions(options.Tls), cancellationToken);
            if (!string.IsNullOrEmpty(options.UserName))
                await client.AuthenticateAsync(options.UserName, options.Password ?? "", cancellationToken);
            await client.SendAsync(mime, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (SmtpCommandException e)
        {
            // The server's reply may quote the recipient; keep only the status code.
            var code = (int)e.StatusCode;
            throw new EmailTransportException($"The SMTP server refused the message ({code}).", code, isTransient: code is >= 400 and < 500, e);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new EmailTransportException($"The SMTP server at {options.Host}:{options.Port} could not be reached ({e.GetType().Name}).", isTransient: true, inner: e);
        }
        LogSent(logger, message.EngagementId, message.EffectId, message.MessageId);
    }

    /// <summary>The MIME message: multipart/alternative (text, then HTML), inside multipart/mixed when there are attachments.</summary>
    /// <remarks>
    /// The same <see cref="EmailMessage"/> gives the same bytes: the Date is the message's own and the multipart boundaries
    /// (random in MimeKit) are derived from the Message-ID, so a retried send is byte for byte the email sent before.
    /// </remarks>
    public static MimeMessage ToMime(EmailMessage message)
    {
        var mime = new MimeMessage { Subject = message.Subject, MessageId = message.MessageId };
        if (message.Date is { } date) mime.Date = date;
        mime.From.Add(new MailboxAddress(message.From.Name ?? "", message.From.Address));
        mime.To.Add(new MailboxAddress(message.To.Name ?? "", message.To.Address));
        if (message.ReplyTo is { } replyTo) mime.ReplyTo.Add(new MailboxAddress(replyTo.Name ?? "", replyTo.Address));
        mime.Headers.Add("X-CoachFlow-Engagement", message.EngagementId);
        if (message.Categories.Count > 0) mime.Headers.Add("X-CoachFlow-Kind", message.Categories[0]); // the email's kind, as SendGrid gets it in categories
        foreach (var (name, value) in message.Headers ?? new Dictionary<string, string>()) mime.Headers.Add(name, value);

        var body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html };
        foreach (var attachment in message.Attachments)
        {
            var part = body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));
            part.ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = attachment.FileName };
        }
        mime.Body = body.ToMessageBody();
        var n = 0;
        foreach (var multipart in Multiparts(mime.Body)) multipart.Boundary = $"=-{message.MessageId.Split('@')[0]}-{n++}";
        return mime;
    }

    private static IEnumerable<Multipart> Multiparts(MimeEntity entity)
    {
        if (entity is not Multipart multipart) yield break;
        yield return multipart;
        foreach (var nested in multipart.SelectMany(Multiparts)) yield return nested;
    }

    private static SecureSocketOptions ToSocketOptions(SmtpTls tls) => tls switch
    {
        SmtpTls.None => SecureSocketOptions.None,
        SmtpTls.StartTls => SecureSocketOptions.StartTls,
        SmtpTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Email for engagement {EngagementId} sent over SMTP (effect {EffectId}, message {MessageId})")]
    private static partial void LogSent(ILogger logger, string engagementId, string effectId, string messageId);
}
