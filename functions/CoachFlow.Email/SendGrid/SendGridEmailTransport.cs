using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SendGrid;
using SendGrid.Helpers.Mail;
using SendGridAddress = SendGrid.Helpers.Mail.EmailAddress;

namespace CoachFlow.Email.SendGrid;

/// <summary>Where and how the SendGrid transport posts.</summary>
public sealed class SendGridOptions
{
    /// <summary>The configuration section the host binds.</summary>
    public const string Section = "CoachFlow:SendGrid";

    /// <summary>The API's scheme, host and port (any path is ignored: it always posts to <c>/v3/mail/send</c>); tests point it at a local listener.</summary>
    public Uri BaseUrl { get; set; } = new("https://api.sendgrid.com");

    /// <summary>A key with the Mail Send permission. Never logged.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>
    /// The Event Webhook's verification key (Settings → Mail Settings → Event Webhook → Signature Verification: the
    /// base64 public key SendGrid shows). Without it the webhook answers 404.
    /// </summary>
    public string? WebhookPublicKey { get; set; }
}

/// <summary>Sends through SendGrid's Mail Send v3 API (<c>POST /v3/mail/send</c>) with SendGrid's own client.</summary>
/// <remarks>
/// Give it an <see cref="HttpClient"/> from the host's factory (a typed client). <see cref="SendGridClient"/> uses that
/// client as it is, without the retry handler it adds to a client of its own: retries belong to the durable caller,
/// which resends the same message (the same effect id, so the same Message-ID) after a transient failure.
/// </remarks>
public sealed partial class SendGridEmailTransport(HttpClient http, SendGridOptions options, ILogger<SendGridEmailTransport> logger) : IEmailTransport
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKey))
            throw new EmailTransportException("SendGrid is not configured: CoachFlow:SendGrid:ApiKey is empty.");

        var client = new SendGridClient(http, new SendGridClientOptions
        {
            ApiKey = options.ApiKey,
            Host = options.BaseUrl.GetLeftPart(UriPartial.Authority),
            HttpErrorAsException = false,
        });

        Response response;
        try
        {
            // SendEmailAsync is this same call with msg.Serialize(); posting SendGridMailBody.Serialize instead keeps the
            // body the one the spec tests validate, whatever JsonConvert.DefaultSettings another library sets.
            response = await client.RequestAsync(BaseClient.Method.POST, SendGridMailBody.Serialize(message), urlPath: "mail/send", cancellationToken: cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new EmailTransportException($"SendGrid could not be reached ({e.HttpRequestError}).", isTransient: true, inner: e);
        }
        using (response.Body)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                LogRefused(logger, message.EngagementId, message.EffectId, status);
                // Neither the request body nor SendGrid's answer goes into the message: both can quote the email.
                throw new EmailTransportException($"SendGrid refused the message with HTTP {status}.", status, isTransient: status is 429 or >= 500);
            }
            LogSent(logger, message.EngagementId, message.EffectId, status);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Email for engagement {EngagementId} accepted by SendGrid with HTTP {Status} (effect {EffectId})")]
    private static partial void LogSent(ILogger logger, string engagementId, string effectId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SendGrid refused the email for engagement {EngagementId} with HTTP {Status} (effect {EffectId})")]
    private static partial void LogRefused(ILogger logger, string engagementId, string effectId, int status);
}

/// <summary>Builds the Mail Send v3 request body as a <see cref="SendGridMessage"/>.</summary>
public static class SendGridMailBody
{
    /// <summary>
    /// The message for <c>POST /v3/mail/send</c>: one personalization (to, custom_args), from, reply_to, subject,
    /// content (text/plain first, as SendGrid requires, then text/html), base64 attachments, categories, the
    /// Message-ID header and the message's own headers (<c>List-Unsubscribe</c>…).
    /// </summary>
    /// <remarks>
    /// custom_args go on the personalization: the spec types the top-level <c>custom_args</c> as a string, the
    /// personalization's as an object, and SendGrid echoes either into the event webhook. The subject is the
    /// message's, not the personalization's (where <c>MailHelper.CreateSingleEmail</c> would put it).
    /// </remarks>
    public static SendGridMessage Create(EmailMessage message)
    {
        var mail = new SendGridMessage
        {
            From = Address(message.From),
            Subject = message.Subject,
            PlainTextContent = message.Text,
            HtmlContent = message.Html,
        };
        if (message.ReplyTo is { } replyTo) mail.SetReplyTo(Address(replyTo));
        mail.AddTo(Address(message.To));
        mail.AddCustomArgs(new Dictionary<string, string>(message.CustomArgs, StringComparer.Ordinal));
        mail.AddGlobalHeader("Message-ID", $"<{message.MessageId}>");
        foreach (var (name, value) in message.Headers ?? new Dictionary<string, string>()) mail.AddGlobalHeader(name, value);
        foreach (var attachment in message.Attachments)
            mail.AddAttachment(new Attachment
            {
                Content = Convert.ToBase64String(attachment.Content),
                Type = attachment.ContentType,
                Filename = attachment.FileName,
                Disposition = "attachment",
            });
        var categories = message.Categories.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.Ordinal)
            .Select(c => c.Length > 255 ? c[..255] : c).Take(10).ToList();
        if (categories.Count > 0) mail.AddCategories(categories);
        return mail;
    }

    /// <summary>The JSON the transport posts, serialized with the package's own settings only.</summary>
    public static string Serialize(EmailMessage message) => Create(message).Serialize(useDefaultSerialization: false);

    /// <summary><see cref="Serialize"/> as a JSON object, to inspect or validate against the Mail Send spec.</summary>
    public static JsonObject Build(EmailMessage message) => JsonNode.Parse(Serialize(message))!.AsObject();

    private static SendGridAddress Address(EmailAddress address) =>
        new(address.Address, string.IsNullOrWhiteSpace(address.Name) ? null : address.Name);
}
