namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>
/// Delivers one stream (one endpoint's deliveries of one engagement, or of the firm's own events) when its wake-up
/// message arrives: the local host's worker and the Functions app's queue trigger both call <see cref="HandleAsync"/>.
/// </summary>
/// <remarks>
/// <para>In order, at least once: the worker claims the stream's lease (an ETag-guarded row), then sends its pending
/// deliveries strictly in row order, one at a time, each marked delivered only after a 2xx. A delivery not due yet (it
/// failed and waits for its retry) stops the stream: one delayed wake-up is scheduled for it and every later delivery of
/// the stream waits behind it. Another stream (another engagement) is never held up. A delivery that used up the retry
/// schedule is <c>failed</c> and the stream moves on.</para>
/// <para>A wake-up for a stream another worker holds is sent again for when that lease ends, and the holder looks for
/// new deliveries once more after letting the stream go, so nothing kept meanwhile is left waiting. A worker that dies
/// leaves its lease to expire (<see cref="WebhookOptions.Lease"/>) and its message to reappear: the delivery it was
/// sending goes again, with the same <c>webhook-id</c>.</para>
/// <para>An endpoint that answers 410 Gone is switched off at once; one whose every attempt failed for
/// <see cref="WebhookOptions.DisableAfter"/> too (no success in between). Its deliveries are kept and wait; the firm's
/// admins are emailed (<see cref="WebhookNotices"/>).</para>
/// </remarks>
public sealed partial class WebhookDispatcher(WebhookStore store, WebhookSender sender, WebhookNotices notices, WebhookOptions options, TimeProvider time,
    ILogger<WebhookDispatcher> logger)
{
    /// <summary>A busy stream's wake-up comes back this long after the holder's lease ends, at least.</summary>
    private static readonly TimeSpan AfterLease = TimeSpan.FromSeconds(1);

    public async Task HandleAsync(string message, CancellationToken ct)
    {
        if (WebhookStore.ReadWake(message) is not { } wake)
        {
            LogUnreadable(logger);
            return;
        }
        var endpoint = await store.GetEndpointAsync(wake.FirmId, wake.EndpointId, ct);
        if (endpoint is null)
        {
            // Removed while deliveries were on their way (a fan-out with a cached list): they go too.
            await store.DeleteStreamAsync(wake.FirmId, wake.EndpointId, wake.Stream, ct);
            return;
        }
        if (!endpoint.IsEnabled)
        {
            await notices.EnsureSentAsync(endpoint, ct); // the message that switched it off may have died before the email
            return; // its deliveries wait; switching it on wakes every stream
        }
        var now = time.GetUtcNow();
        var (lease, busyUntil) = await store.ClaimAsync(wake.FirmId, wake.EndpointId, wake.Stream, now, options.Lease, ct);
        if (lease is null)
        {
            await store.EnqueueAsync(wake, busyUntil - now + AfterLease, ct);
            return;
        }
        await RunAsync(endpoint, wake, lease, ct);
    }

    private async Task RunAsync(WebhookEndpoint endpoint, WebhookWake wake, StreamLease lease, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        for (var round = 0; ; round++)
        {
            var now = time.GetUtcNow();
            if (round > 0 && now - started > options.Lease / 2)
            {
                // A long stream goes on under a new wake-up (which reads the endpoint afresh: an admin may have switched it
                // off), so no attempt starts after half the lease and the lease never runs out under one (Lease ≥ 2 × Timeout).
                await store.EnqueueAsync(wake with { WakeAt = null }, TimeSpan.Zero, ct);
                await store.ReleaseAsync(lease, now, null, ct);
                return;
            }
            var head = await store.NextPendingAsync(wake.FirmId, wake.EndpointId, wake.Stream, ct);
            if (head is null)
            {
                await store.ReleaseAsync(lease, now, null, ct);
                // A delivery kept while this worker held the stream had its wake-up put off until the lease's end: look once more.
                if (await store.NextPendingAsync(wake.FirmId, wake.EndpointId, wake.Stream, ct) is null) return;
                if ((await store.ClaimAsync(wake.FirmId, wake.EndpointId, wake.Stream, time.GetUtcNow(), options.Lease, ct)).Lease is not { } again) return;
                lease = again;
                continue;
            }
            if (head.NextAttemptAt > now)
            {
                await store.ReleaseAsync(lease, now, await ScheduleAsync(wake, head.NextAttemptAt, now, ct), ct);
                return;
            }
            var attempt = await sender.SendAsync(endpoint, head, ct);
            await RecordDeliveryAsync(head, attempt, scheduled: true, ct);
            var current = await RecordEndpointAsync(endpoint, attempt, ct);
            if (current is not { IsEnabled: true })
            {
                await store.ReleaseAsync(lease, time.GetUtcNow(), null, ct);
                if (current is not null) await notices.EnsureSentAsync(current, ct);
                return;
            }
            endpoint = current;
        }
    }

    /// <summary>
    /// One attempt of <paramref name="delivery"/> now, outside the schedule (a firm admin's resend), with the same
    /// <c>webhook-id</c>; recorded in the log. A pending delivery that goes through is delivered, and its stream is woken
    /// for the deliveries behind it.
    /// </summary>
    public async Task<(WebhookDelivery Delivery, DeliveryAttempt Attempt)> ResendAsync(WebhookEndpoint endpoint, WebhookDelivery delivery, CancellationToken ct)
    {
        var attempt = await sender.SendAsync(endpoint, delivery, ct);
        var recorded = await RecordDeliveryAsync(delivery, attempt, scheduled: false, ct);
        var current = await RecordEndpointAsync(endpoint, attempt, ct);
        if (current is { IsEnabled: false }) await notices.EnsureSentAsync(current, ct);
        if (attempt.Delivered && delivery.Status == WebhookDelivery.Pending)
            await store.EnqueueAsync(new WebhookWake(delivery.FirmId, delivery.EndpointId, delivery.Stream), TimeSpan.Zero, ct);
        return (recorded ?? delivery, attempt);
    }

    /// <summary>
    /// Schedules one wake-up for <paramref name="at"/>, unless one is scheduled already for then or earlier (and it is not
    /// the message being handled, which may have come a little early). The message is sent before the time is recorded,
    /// so a crash in between leaves one wake-up too many, never none. Returns the time to record, or null.
    /// </summary>
    private async Task<DateTimeOffset?> ScheduleAsync(WebhookWake wake, DateTimeOffset at, DateTimeOffset now, CancellationToken ct)
    {
        var scheduled = await store.ScheduledWakeAsync(wake.FirmId, wake.EndpointId, wake.Stream, ct);
        if (scheduled is { } s && s > now && s <= at && s != wake.WakeAt) return null;
        await store.EnqueueAsync(new WebhookWake(wake.FirmId, wake.EndpointId, wake.Stream, at), at - now, ct);
        return at;
    }

    /// <summary>Writes what an attempt came to on its delivery; a scheduled attempt also moves it along the retry schedule.</summary>
    private async Task<WebhookDelivery?> RecordDeliveryAsync(WebhookDelivery delivery, DeliveryAttempt attempt, bool scheduled, CancellationToken ct)
    {
        for (var (current, tries) = (delivery, 0); current is not null && tries < 5; tries++)
        {
            var retries = current.RetryAttempts + (scheduled ? 1 : 0);
            var next = current with
            {
                Attempts = current.Attempts + 1,
                RetryAttempts = retries,
                LastAttemptAt = attempt.At,
                LastStatusCode = attempt.StatusCode,
                LastError = attempt.Error ?? current.LastError,
            };
            if (attempt.Delivered) next = next with { Status = WebhookDelivery.Delivered, DeliveredAt = current.DeliveredAt ?? attempt.At };
            else if (scheduled && current.Status == WebhookDelivery.Pending)
                next = retries >= options.MaxAttempts
                    ? next with { Status = WebhookDelivery.Failed }
                    : next with { NextAttemptAt = attempt.At + options.Waits[retries - 1] };
            if (await store.SaveDeliveryAsync(next, ct) is { } saved)
            {
                Log(saved, attempt);
                return saved;
            }
            current = await store.GetDeliveryAsync(delivery.FirmId, delivery.EndpointId, delivery.RowKey, ct); // a resend wrote meanwhile
            if (scheduled && current?.Status != WebhookDelivery.Pending) return current;
        }
        return null;
    }

    private void Log(WebhookDelivery saved, DeliveryAttempt attempt)
    {
        var subject = saved.EngagementId ?? saved.Stream;
        if (attempt.Delivered) LogDelivered(logger, saved.EndpointId, saved.DeliveryId, subject, saved.Type, saved.Attempts);
        else if (saved.Status == WebhookDelivery.Failed) LogGaveUp(logger, saved.EndpointId, saved.DeliveryId, subject, saved.Type, saved.Attempts, attempt.Error ?? "");
        else LogFailed(logger, saved.EndpointId, saved.DeliveryId, subject, saved.Type, saved.Attempts, attempt.Error ?? "", saved.NextAttemptAt);
    }

    /// <summary>
    /// Writes an attempt's outcome on the endpoint (failing since, consecutive failures, last success) and switches it off
    /// when it answered 410 or has failed for <see cref="WebhookOptions.DisableAfter"/>. Returns the endpoint as it now is
    /// (null when it was removed meanwhile).
    /// </summary>
    private async Task<WebhookEndpoint?> RecordEndpointAsync(WebhookEndpoint endpoint, DeliveryAttempt attempt, CancellationToken ct)
    {
        var current = endpoint;
        for (var tries = 0; current is not null && tries < 10; tries++)
        {
            WebhookEndpoint next;
            if (attempt.Delivered)
            {
                // Most successes change nothing worth a write: the last success is kept to the minute.
                if (current.FailingSince is null && current.ConsecutiveFailures == 0 && current.LastStatusCode == attempt.StatusCode
                    && current.LastSuccessAt is { } last && attempt.At - last < TimeSpan.FromMinutes(1)) return current;
                next = current with { FailingSince = null, ConsecutiveFailures = 0, LastSuccessAt = attempt.At, LastStatusCode = attempt.StatusCode };
            }
            else
            {
                var since = current.FailingSince ?? attempt.At;
                next = current with { FailingSince = since, ConsecutiveFailures = current.ConsecutiveFailures + 1, LastStatusCode = attempt.StatusCode };
                var reason = attempt.StatusCode == 410
                    ? "the endpoint answered 410 Gone, which asks senders to stop"
                    : attempt.At - since >= options.DisableAfter
                        ? $"every delivery failed for more than {Describe(options.DisableAfter)} (the last: {attempt.Error})"
                        : null;
                if (current.IsEnabled && reason is not null)
                    next = next with { Status = WebhookEndpoint.Disabled, DisabledAt = attempt.At, DisabledReason = reason, DisabledBy = WebhookEndpoint.BySystem, NoticeSentAt = null };
            }
            if (await store.SaveEndpointAsync(next, ct) is { } saved)
            {
                if (current.IsEnabled && !saved.IsEnabled) LogDisabled(logger, saved.FirmId, saved.EndpointId, saved.DisabledReason ?? "");
                return saved;
            }
            current = await store.GetEndpointAsync(endpoint.FirmId, endpoint.EndpointId, ct); // another stream or an admin wrote meanwhile
        }
        return current;
    }

    private static string Describe(TimeSpan span) =>
        span >= TimeSpan.FromDays(1) ? $"{span.TotalDays:0.#} days" : span >= TimeSpan.FromHours(1) ? $"{span.TotalHours:0.#} hours" : $"{span.TotalSeconds:0} seconds";

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook wake-up message could not be read; it is dropped")]
    private static partial void LogUnreadable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {DeliveryId} ({EventType}) of {EngagementId} delivered to endpoint {EndpointId} (attempt {Attempts})")]
    private static partial void LogDelivered(ILogger logger, string endpointId, string deliveryId, string engagementId, string eventType, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {DeliveryId} ({EventType}) of {EngagementId} to endpoint {EndpointId} failed (attempt {Attempts}: {Error}); next attempt at {NextAttemptAt}")]
    private static partial void LogFailed(ILogger logger, string endpointId, string deliveryId, string engagementId, string eventType, int attempts, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {DeliveryId} ({EventType}) of {EngagementId} to endpoint {EndpointId} failed for good after {Attempts} attempts ({Error})")]
    private static partial void LogGaveUp(ILogger logger, string endpointId, string deliveryId, string engagementId, string eventType, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} of firm {FirmId} switched off: {Reason}")]
    private static partial void LogDisabled(ILogger logger, string firmId, string endpointId, string reason);
}
