using System.Collections.Concurrent;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.Bulk;

namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>
/// A firm's endpoints as the fan-out sees them, kept in memory for <see cref="WebhookOptions.EndpointCache"/> so a step
/// costs no table read each time. A change made in this process is seen at once; one made by another process (another
/// Functions instance, the CLI) within that delay.
/// </summary>
public sealed class WebhookEndpointCache(WebhookStore store, WebhookOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, Task<IReadOnlyList<WebhookEndpoint>> Endpoints)> _firms = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<WebhookEndpoint>> OfFirmAsync(string firmId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_firms.TryGetValue(firmId, out var cached) && cached.Until > now && !cached.Endpoints.IsFaulted) return await cached.Endpoints;
        var read = store.ListEndpointsAsync(firmId, ct);
        _firms[firmId] = (now + options.EndpointCache, read);
        return await read;
    }

    /// <summary>Forgets the firm's endpoints (after this process changed one).</summary>
    public void Forget(string firmId) => _firms.TryRemove(firmId, out _);
}

/// <summary>
/// The host's <see cref="IEngagementOutbox"/>: for each webhook event of a step (or a finished bulk action) and each of the
/// firm's endpoints subscribed to its type, enabled or not, adds a delivery row; then sends one wake-up per endpoint and
/// stream it touched. A repeated step finds its rows and adds nothing, but sends the wake-ups again (the first run may
/// have died before sending them): a wake-up too many is harmless, one too few would leave deliveries waiting.
/// </summary>
/// <remarks>
/// A disabled endpoint's deliveries are kept and wait until it is enabled again. Runs inside the activity that recorded
/// the step; an exception fails the activity, which the engine runs again.
/// </remarks>
public sealed partial class WebhookOutbox(WebhookStore store, WebhookEndpointCache endpoints, ILogger<WebhookOutbox> logger) : IEngagementOutbox
{
    public Task StepRecordedAsync(StepRecord step, CancellationToken ct)
    {
        var events = WebhookEvents.FromStep(step);
        return events.Count == 0 ? Task.CompletedTask : KeepAsync(step.Projection.FirmId, events, step.At, ct);
    }

    public Task BulkActionFinishedAsync(BulkActionRecord action, CancellationToken ct) =>
        KeepAsync(action.FirmId, [WebhookEvents.FromBulkAction(action)], action.FinishedAt ?? default, ct);

    private async Task KeepAsync(string firmId, IReadOnlyList<WebhookEvent> events, DateTimeOffset at, CancellationToken ct)
    {
        var subscribed = (await endpoints.OfFirmAsync(firmId, ct)).Where(e => events.Any(ev => e.Events.Contains(ev.Type))).ToList();
        if (subscribed.Count == 0) return;
        foreach (var endpoint in subscribed)
        {
            var kept = events.Where(e => endpoint.Events.Contains(e.Type)).ToList();
            foreach (var e in kept)
            {
                var added = await store.AddDeliveryAsync(new WebhookDelivery(firmId, endpoint.EndpointId, WebhookStore.RowKeyOf(e), WebhookStore.DeliveryIdOf(e), e.Type,
                    e.Stream, e.EngagementId, e.Body, WebhookDelivery.Pending, 0, 0, at, null, null, null, at, null), ct);
                if (added) LogKept(logger, e.EngagementId ?? e.BulkActionId ?? "", e.Type, endpoint.EndpointId);
            }
            foreach (var stream in kept.Select(e => e.Stream).Distinct(StringComparer.Ordinal))
                await store.EnqueueAsync(new WebhookWake(firmId, endpoint.EndpointId, stream), TimeSpan.Zero, ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {EventType} of {EngagementId} kept for endpoint {EndpointId}")]
    private static partial void LogKept(ILogger logger, string engagementId, string eventType, string endpointId);
}
