using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace CoachFlow.Email.SendGrid;

/// <summary>Where and how the SendGrid transport posts.</summary>
public sealed class SendGridOptions
{
    /// <summary>The configuration section the host binds: <c>Email:SendGrid</c>.</summary>
    public const string SectionName = "Email:SendGrid";

    /// <summary>The API base URL; tests point it at a local listener.</summary>
    public Uri BaseUrl { get; set; } = new("https://api.sendgrid.com");

    /// <summary>A key with the Mail Send permission. Never logged.</summary>
    public string ApiKey { get; set; } = "";
}

/// <summary>Sends through SendGrid's Mail Send v3 API (<c>POST /v3/mail/send</c>).</summary>
/// <remarks>Give it an <see cref="HttpClient"/> from the host's factory (a typed client); it sets the URL and headers per request.</remarks>
public sealed partial class SendGridEmailTransport(HttpClient http, SendGridOptions options, ILogger<SendGridEmailTransport> logger) : IEmailTransport
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.ApiKey))
            throw new EmailTransportException("SendGrid is not configured: Email:SendGrid:ApiKey is empty.");

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseUrl, "/v3/mail/send"))
        {
            Content = new StringContent(SendGridMailBody.Build(message).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new EmailTransportException($"SendGrid could not be reached ({e.HttpRequestError}).", isTransient: true, inner: e);
        }
        using (response)
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

/// <summary>Builds the Mail Send v3 request body.</summary>
public static class SendGridMailBody
{
    /// <summary>
    /// The JSON body for <c>POST /v3/mail/send</c>: one personalization (to, custom_args), from, reply_to, subject,
    /// content (text/plain first, as SendGrid requires, then text/html), base64 attachments, categories and the
    /// Message-ID header.
    /// </summary>
    /// <remarks>
    /// custom_args go on the personalization: the spec types the top-level <c>custom_args</c> as a string, the
    /// personalization's as an object, and SendGrid echoes either into the event webhook.
    /// </remarks>
    public static JsonObject Build(EmailMessage message)
    {
        var customArgs = new JsonObject();
        foreach (var (key, value) in message.CustomArgs) customArgs[key] = value;

        var body = new JsonObject
        {
            ["personalizations"] = new JsonArray(new JsonObject
            {
                ["to"] = new JsonArray(Address(message.To)),
                ["custom_args"] = customArgs,
            }),
            ["from"] = Address(message.From),
            ["subject"] = message.Subject,
            ["content"] = new JsonArray(
                new JsonObject { ["type"] = "text/plain", ["value"] = message.Text },
                new JsonObject { ["type"] = "text/html", ["value"] = message.Html }),
            ["headers"] = new JsonObject { ["Message-ID"] = $"<{message.MessageId}>" },
        };
        if (message.ReplyTo is { } replyTo) body["reply_to"] = Address(replyTo);
        if (message.Attachments.Count > 0)
        {
            body["attachments"] = new JsonArray([.. message.Attachments.Select(a => (JsonNode)new JsonObject
            {
                ["content"] = Convert.ToBase64String(a.Content),
                ["type"] = a.ContentType,
                ["filename"] = a.FileName,
                ["disposition"] = "attachment",
            })]);
        }
        var categories = message.Categories.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.Ordinal)
            .Select(c => c.Length > 255 ? c[..255] : c).Take(10).ToList();
        if (categories.Count > 0) body["categories"] = new JsonArray([.. categories.Select(c => (JsonNode)JsonValue.Create(c))]);
        return body;
    }

    private static JsonObject Address(EmailAddress address)
    {
        var json = new JsonObject { ["email"] = address.Address };
        if (!string.IsNullOrWhiteSpace(address.Name)) json["name"] = address.Name;
        return json;
    }
}
