using System.Text.Json;
using CoachFlow.Web.DataRights;

namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>
/// <c>webhook-deliveries.json</c> in each engagement's folder of a data export: what CoachFlow told the firm's own systems
/// about the engagement, to which endpoint, and how each delivery went. The bodies are ids, phases, times and counts only.
/// </summary>
internal sealed class WebhookExportPart(WebhookStore store) : IEngagementExportPart
{
    public IEnumerable<ExportOmission> LeftOut(ExportAudience audience) => [];

    public async Task WriteAsync(EngagementExport engagement, CancellationToken ct)
    {
        var deliveries = await store.DeliveriesOfEngagementAsync(engagement.View.FirmId, engagement.EngagementId, ct);
        await engagement.Archive.WriteJsonAsync(engagement.Folder + "webhook-deliveries.json", (writer, _) =>
        {
            engagement.Count("webhookDeliveries", 0);
            writer.WriteStartObject();
            writer.WriteString("engagementId", engagement.EngagementId);
            writer.WriteStartArray("deliveries");
            foreach (var d in deliveries.OrderBy(d => d.CreatedAt).ThenBy(d => d.EndpointId, StringComparer.Ordinal).ThenBy(d => d.RowKey, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("id", d.DeliveryId);
                writer.WriteString("endpointId", d.EndpointId);
                writer.WriteString("type", d.Type);
                writer.WriteString("status", d.Status);
                writer.WriteNumber("attempts", d.Attempts);
                writer.WriteString("createdAt", d.CreatedAt);
                if (d.LastAttemptAt is { } last) writer.WriteString("lastAttemptAt", last);
                if (d.DeliveredAt is { } delivered) writer.WriteString("deliveredAt", delivered);
                if (d.LastStatusCode is { } code) writer.WriteNumber("lastStatusCode", code);
                writer.WritePropertyName("body");
                using (var body = JsonDocument.Parse(d.Body)) body.RootElement.WriteTo(writer);
                writer.WriteEndObject();
                engagement.Count("webhookDeliveries");
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            return Task.CompletedTask;
        }, ct);
    }
}
