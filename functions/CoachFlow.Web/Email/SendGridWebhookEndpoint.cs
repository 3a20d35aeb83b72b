using Azure;
using Azure.Data.Tables;
using CoachFlow.Email.SendGrid;
using CoachFlow.Email.Webhooks;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Hosting;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Email;

public sealed record WebhookReceipt(int Received, int New, int Bouncing);

/// <summary>
/// SendGrid's Event Webhook: checks the ECDSA signature over the raw body (and that it is recent), keeps each
/// sg_event_id once, and flags engagements whose client email bounces or is dropped.
/// </summary>
public static class SendGridWebhookEndpoint
{
    private const int MaxBody = 1024 * 1024;

    public static IEndpointRouteBuilder MapSendGridWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/webhooks/sendgrid", ReceiveAsync).WithName("SendGridEvents").WithSummary("SendGrid Event Webhook (signed)").WithTags("Webhooks");
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, SendGridOptions sendGrid, EngagementEngine engine, StorageAccount storage, TimeProvider time, CancellationToken ct)
    {
        // Outside Development the app does not start without it (ProductionSettings); locally it may be unset.
        var publicKey = sendGrid.WebhookPublicKey;
        if (string.IsNullOrEmpty(publicKey))
            return TypedResults.Problem($"The SendGrid webhook is not configured: set {ProductionSettings.Setting(SendGridOptions.Section + ":WebhookPublicKey")} to the verification key shown in SendGrid.", statusCode: 404, title: "Not configured");
        if (request.ContentLength > MaxBody) return TypedResults.Problem("The event batch is larger than 1 MB.", statusCode: 413, title: "Too large");

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var body = buffer.ToArray();
        if (!SendGridEventWebhook.Verify(publicKey, request.Headers[SendGridEventWebhook.SignatureHeader], request.Headers[SendGridEventWebhook.TimestampHeader], body, time.GetUtcNow(), TimeSpan.FromMinutes(10)))
            return TypedResults.Problem("The signature does not match this body, or its timestamp is more than 10 minutes away.", statusCode: 401, title: "Bad signature");

        IReadOnlyList<EmailEvent> events;
        try { events = SendGridEventWebhook.Parse(body); }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            throw new BadInputException("The body is not a SendGrid event batch (a JSON array of events).");
        }

        var seen = storage.Table("webhookevents");
        await seen.CreateIfNotExistsAsync(ct);
        var fresh = new List<EmailEvent>();
        foreach (var e in events)
        {
            try
            {
                await seen.AddEntityAsync(new TableEntity("sendgrid", Keyed(e.SgEventId)) { ["Event"] = e.Event }, ct);
                fresh.Add(e);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Delivered before: SendGrid retries batches.
            }
        }

        // Every bounce of the batch is handed over, seen before or not: a batch SendGrid retries after this host died
        // between noting an event and handing it over still flags the engagement, and the key makes a repeat harmless.
        foreach (var engagementId in SendGridEventWebhook.BouncingEngagements(events))
        {
            var first = events.First(e => e.EngagementId == engagementId && e.IsBouncing);
            try
            {
                await engine.SubmitAsync(engagementId, new ReportEmailBouncing(first.Event), $"bounce:{first.SgEventId}", ct);
            }
            catch (Exception ex) when (ex is EngagementNotFoundException or InvalidStatusException or BadInputException)
            {
                // An engagement erased or finished since, or an id that is not ours: nothing to flag.
            }
        }
        return TypedResults.Ok(new WebhookReceipt(events.Count, fresh.Count, SendGridEventWebhook.BouncingEngagements(fresh).Count));
    }

    private static string Keyed(string eventId) => new([.. eventId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
}
