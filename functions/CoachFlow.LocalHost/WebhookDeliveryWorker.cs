using Azure.Storage.Queues;
using CoachFlow.Web.OutboundWebhooks;

namespace CoachFlow.LocalHost;

/// <summary>
/// The local host's side of outbound webhooks: polls <c>{prefix}webhook-deliveries</c> and hands each wake-up to
/// <see cref="WebhookDispatcher"/> (what the Functions app's <c>WebhookDeliveries</c> queue trigger does in Azure). A
/// wake-up taken by a process that dies reappears after <see cref="WebhookOptions.QueueLease"/>; its stream's lease has
/// expired by then too (<see cref="WebhookOptions.Lease"/>), and the delivery that was under way goes again.
/// </summary>
internal sealed class WebhookDeliveryWorker(WebhookStore store, WebhookDispatcher dispatcher, WebhookOptions options, ILogger<WebhookDeliveryWorker> logger)
    : QueuePollingWorker(logger)
{
    protected override QueueClient Queue => store.Queue;
    protected override TimeSpan Lease => options.QueueLease;
    protected override TimeSpan PollInterval => options.PollInterval;
    protected override string What => "webhook wake-up";

    /// <summary>Streams are independent (each has its own lease), so several go at once: a slow endpoint holds up only its own.</summary>
    protected override int MaxConcurrency => 16;

    protected override Task EnsureCreatedAsync(CancellationToken ct) => store.EnsureCreatedAsync(ct);

    protected override Task HandleAsync(string message, CancellationToken ct) => dispatcher.HandleAsync(message, ct);
}
