using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>A firm's endpoint as the API shows it. <see cref="Secret"/> is there only in the answer that registered it.</summary>
/// <param name="Status"><c>enabled</c> or <c>disabled</c> (by an admin, or by CoachFlow after failing: see <see cref="DisabledReason"/>).</param>
/// <param name="FailingSince">Since when every attempt failed (null while deliveries succeed).</param>
/// <param name="Secret">The signing secret (<c>whsec_…</c>) to verify deliveries with; shown once, never again.</param>
public sealed record WebhookEndpointView(
    string Id, string Url, IReadOnlyList<string> Events, string? Description, string Status, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? FailingSince, int ConsecutiveFailures, DateTimeOffset? LastSuccessAt, int? LastStatusCode, DateTimeOffset? DisabledAt, string? DisabledReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret = null);

public sealed record WebhookEndpointList(IReadOnlyList<WebhookEndpointView> Items);

/// <summary>An endpoint to register: an https URL, the event types it wants (at least one) and, if you like, what it is for.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Description = null);

/// <summary>What to change; every field left out stays as it is. <c>enabled: true</c> switches a disabled endpoint on again (its waiting deliveries go out, in order).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateWebhookRequest(string? Url = null, IReadOnlyList<string>? Events = null, string? Description = null, bool? Enabled = null);

/// <summary>One delivery of the log: its <c>webhook-id</c>, event type, engagement, status and attempts. <see cref="Body"/> only when one delivery is asked for.</summary>
/// <param name="Status"><c>pending</c> (waiting for its turn or its next attempt), <c>delivered</c> (a 2xx came back) or <c>failed</c> (every attempt of the retry schedule failed).</param>
/// <param name="LastError">The last failed attempt's status or error (never a response body).</param>
public sealed record WebhookDeliveryView(
    string Id, string Type, string? EngagementId, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt,
    int? LastStatusCode, string? LastError, DateTimeOffset? DeliveredAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Body = null);

/// <summary>A page of an endpoint's delivery log; pass <see cref="ContinuationToken"/> back for the next page (null: no more).</summary>
public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryView> Items, string? ContinuationToken);

/// <summary>What the endpoint said to a resend: <see cref="Delivered"/> when it answered 2xx.</summary>
public sealed record WebhookResendResult(bool Delivered, int? StatusCode, string? Error, WebhookDeliveryView Delivery);

/// <summary>No endpoint (or delivery) with that id in the caller's firm.</summary>
public sealed class WebhookNotFoundException(string what) : WorkflowException($"There is no {what} in your firm. GET /api/webhooks lists the firm's endpoints.");

/// <summary>
/// A firm admin's webhook endpoints: what the API and the CLI both call. Everything is scoped to the caller's firm (an
/// endpoint is a row of the firm's partition, so another firm's id finds nothing) and refused to coaches and sponsors.
/// </summary>
public sealed class WebhookService(WebhookStore store, WebhookSender sender, WebhookDispatcher dispatcher, WebhookEndpointCache cache, WebhookOptions options, TimeProvider time)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static void RequireAdmin(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Role == Role.Sponsor) throw new ForbiddenException("A sponsor reads the progress of the engagements they sponsor; webhooks are managed by the firm's admins.");
        if (caller.Role != Role.FirmAdmin) throw new ForbiddenException("Webhooks are managed by the firm's admins; ask one of them to register or change an endpoint.");
    }

    public async Task<WebhookEndpointView> CreateAsync(Caller caller, CreateWebhookRequest request, CancellationToken ct)
    {
        RequireAdmin(caller);
        ArgumentNullException.ThrowIfNull(request);
        var url = await WebhookAddresses.CheckAsync(request.Url, options.AllowPrivateNetworks, ct);
        var events = Events(request.Events ?? throw new BadInputException($"Say which events the endpoint wants: 'events' is a list of {string.Join(", ", WebhookEventTypes.All)}."));
        var description = Description(request.Description);
        if ((await store.ListEndpointsAsync(caller.FirmId, ct)).Count >= WebhookOptions.MaxEndpointsPerFirm)
            throw new BadInputException($"A firm has at most {WebhookOptions.MaxEndpointsPerFirm} webhook endpoints; remove one first (DELETE /api/webhooks/{{id}}), or subscribe an existing one to more events.");
        var secret = WebhookSender.NewSecret();
        var endpoint = new WebhookEndpoint(caller.FirmId, "wh-" + Guid.NewGuid().ToString("N")[..24], url.AbsoluteUri, events, description, WebhookEndpoint.Enabled,
            time.GetUtcNow(), caller.Coach.CoachId, sender.Protect(secret));
        await store.AddEndpointAsync(endpoint, ct);
        cache.Forget(caller.FirmId);
        return View(endpoint) with { Secret = secret };
    }

    public async Task<IReadOnlyList<WebhookEndpointView>> ListAsync(Caller caller, CancellationToken ct)
    {
        RequireAdmin(caller);
        return [.. (await store.ListEndpointsAsync(caller.FirmId, ct)).Select(View)];
    }

    public async Task<WebhookEndpointView> GetAsync(Caller caller, string id, CancellationToken ct) => View(await FindAsync(caller, id, ct));

    public async Task<WebhookEndpointView> UpdateAsync(Caller caller, string id, UpdateWebhookRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpoint = await FindAsync(caller, id, ct);
        if (request is { Url: null, Events: null, Description: null, Enabled: null })
            throw new BadInputException("Nothing to change: give any of 'url', 'events', 'description' and 'enabled'.");
        var url = request.Url is null ? null : (await WebhookAddresses.CheckAsync(request.Url, options.AllowPrivateNetworks, ct)).AbsoluteUri;
        var events = request.Events is null ? null : Events(request.Events);
        var description = request.Description is null ? null : Description(request.Description) ?? "";
        var switchedOn = false;
        for (var tries = 0; ; tries++)
        {
            var now = time.GetUtcNow();
            var next = endpoint with
            {
                Url = url ?? endpoint.Url,
                Events = events ?? endpoint.Events,
                Description = description is null ? endpoint.Description : description.Length == 0 ? null : description,
            };
            switchedOn = request.Enabled == true && !endpoint.IsEnabled;
            if (switchedOn)
                next = next with
                {
                    Status = WebhookEndpoint.Enabled, FailingSince = null, ConsecutiveFailures = 0, DisabledAt = null, DisabledReason = null, DisabledBy = null, NoticeSentAt = null,
                };
            else if (request.Enabled == false && endpoint.IsEnabled)
                next = next with { Status = WebhookEndpoint.Disabled, DisabledAt = now, DisabledReason = $"switched off by {caller.Coach.CoachId}", DisabledBy = caller.Coach.CoachId };
            if (await store.SaveEndpointAsync(next, ct) is { } saved)
            {
                endpoint = saved;
                break;
            }
            // A delivery wrote the endpoint meanwhile: apply the change to what it wrote.
            endpoint = await store.GetEndpointAsync(caller.FirmId, id, ct) ?? throw new WebhookNotFoundException($"webhook endpoint '{id}'");
            if (tries >= 10) throw new NotPossibleNowException($"Webhook endpoint {id} is changing too often to update now; try again in a moment.");
        }
        cache.Forget(caller.FirmId);
        if (switchedOn) await WakeWaitingAsync(endpoint, ct);
        return View(endpoint);
    }

    /// <summary>An endpoint switched on again: each stream's waiting delivery is due now, and every stream with one is woken.</summary>
    private async Task WakeWaitingAsync(WebhookEndpoint endpoint, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var head in await store.PendingHeadsAsync(endpoint.FirmId, endpoint.EndpointId, ct))
        {
            if (head.NextAttemptAt > now) await store.SaveDeliveryAsync(head with { NextAttemptAt = now }, ct); // a worker that wrote it meanwhile decides
            await store.EnqueueAsync(new WebhookWake(endpoint.FirmId, endpoint.EndpointId, head.Stream), TimeSpan.Zero, ct);
        }
    }

    public async Task DeleteAsync(Caller caller, string id, CancellationToken ct)
    {
        var endpoint = await FindAsync(caller, id, ct);
        await store.DeleteEndpointAsync(endpoint.FirmId, endpoint.EndpointId, ct);
        cache.Forget(caller.FirmId);
    }

    public async Task<WebhookDeliveryPage> DeliveriesAsync(Caller caller, string id, string? status, string? engagementId, string? pageSize, string? continuationToken, CancellationToken ct)
    {
        var endpoint = await FindAsync(caller, id, ct);
        if (status is not null && !WebhookDelivery.Statuses.Contains(status))
            throw new BadInputException($"There is no delivery status '{status}'; use one of {string.Join(", ", WebhookDelivery.Statuses)}.");
        if (engagementId is not null && !WebhookStore.IsKey(engagementId))
            throw new BadInputException("An engagementId is 1 to 100 letters, digits, '-' and '_' (as GET /api/engagements lists them).");
        var size = DefaultPageSize;
        if (pageSize is not null && (!int.TryParse(pageSize, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
            throw new BadInputException($"pageSize is a whole number from 1 to {MaxPageSize} ('{Shown(pageSize)}' sent).");
        var after = continuationToken is null ? null : RowKeyOfToken(continuationToken);
        var (items, last) = await store.PageAsync(endpoint.FirmId, endpoint.EndpointId, status, engagementId, size, after, ct);
        return new WebhookDeliveryPage([.. items.Select(d => View(d, withBody: false))], last is null ? null : TokenOf(last));
    }

    public async Task<WebhookDeliveryView> DeliveryAsync(Caller caller, string id, string deliveryId, CancellationToken ct)
    {
        var endpoint = await FindAsync(caller, id, ct);
        return View(await FindDeliveryAsync(endpoint, deliveryId, ct), withBody: true);
    }

    /// <summary>One attempt now with the same <c>webhook-id</c>, recorded in the log; refused (409) while the endpoint is switched off.</summary>
    public async Task<WebhookResendResult> ResendAsync(Caller caller, string id, string deliveryId, CancellationToken ct)
    {
        var endpoint = await FindAsync(caller, id, ct);
        var delivery = await FindDeliveryAsync(endpoint, deliveryId, ct);
        if (!endpoint.IsEnabled)
            throw new NotPossibleNowException($"Webhook endpoint {id} is switched off ({endpoint.DisabledReason}); switch it on first (PATCH /api/webhooks/{id} with {{\"enabled\": true}}): its waiting deliveries then go out in order.");
        var (recorded, attempt) = await dispatcher.ResendAsync(endpoint, delivery, ct);
        return new WebhookResendResult(attempt.Delivered, attempt.StatusCode, attempt.Error, View(recorded, withBody: false));
    }

    private async Task<WebhookEndpoint> FindAsync(Caller caller, string id, CancellationToken ct)
    {
        RequireAdmin(caller);
        return await store.GetEndpointAsync(caller.FirmId, id, ct) ?? throw new WebhookNotFoundException($"webhook endpoint '{Shown(id)}'");
    }

    private async Task<WebhookDelivery> FindDeliveryAsync(WebhookEndpoint endpoint, string deliveryId, CancellationToken ct) =>
        await store.FindDeliveryAsync(endpoint.FirmId, endpoint.EndpointId, deliveryId, ct)
        ?? throw new WebhookNotFoundException($"delivery '{Shown(deliveryId)}' of webhook endpoint {endpoint.EndpointId}");

    private static IReadOnlyList<string> Events(IReadOnlyList<string> requested)
    {
        var events = requested.Select(e => e?.Trim().ToLowerInvariant() ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (events.Count == 0) throw new BadInputException($"Give at least one event type in 'events': {string.Join(", ", WebhookEventTypes.All)}.");
        if (events.FirstOrDefault(e => !WebhookEventTypes.All.Contains(e)) is { } unknown)
            throw new BadInputException($"There is no event type '{Shown(unknown)}'; the types are {string.Join(", ", WebhookEventTypes.All)}.");
        return [.. WebhookEventTypes.All.Where(events.Contains)];
    }

    private static string? Description(string? text)
    {
        var description = text?.Trim();
        if (string.IsNullOrEmpty(description)) return null;
        if (description.Length > WebhookOptions.MaxDescriptionLength)
            throw new BadInputException($"The description is at most {WebhookOptions.MaxDescriptionLength} characters ({description.Length} sent).");
        if (description.Any(char.IsControl)) throw new BadInputException("The description is one line of text, without control characters.");
        return description;
    }

    private static string TokenOf(string rowKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes(rowKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string RowKeyOfToken(string token)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            var key = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=')));
            if (key.Length is > 0 and <= 300 && !key.Any(c => char.IsControl(c) || c is '/' or '\\' or '#' or '?')) return key;
        }
        catch (FormatException)
        {
        }
        throw new BadInputException("The continuationToken is not one this API gave out; pass back the one from the previous page, or leave it out for the first.");
    }

    private static string Shown(string text) => text.Length <= 100 ? text : text[..100] + "…";

    public static WebhookEndpointView View(WebhookEndpoint e) => new(
        e.EndpointId, e.Url, e.Events, e.Description, e.Status, e.CreatedAt, e.CreatedBy, e.FailingSince, e.ConsecutiveFailures, e.LastSuccessAt, e.LastStatusCode,
        e.DisabledAt, e.DisabledReason);

    public static WebhookDeliveryView View(WebhookDelivery d, bool withBody) => new(
        d.DeliveryId, d.Type, d.EngagementId, d.Status, d.Attempts, d.CreatedAt, d.Status == WebhookDelivery.Pending ? d.NextAttemptAt : null, d.LastAttemptAt,
        d.LastStatusCode, d.LastError, d.DeliveredAt, withBody ? JsonDocument.Parse(d.Body).RootElement.Clone() : null);
}
