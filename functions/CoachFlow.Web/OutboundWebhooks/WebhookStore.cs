using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CoachFlow.Web.Hosting;

namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>A firm's registered endpoint (<c>{prefix}webhooks</c>: partition = firm, row = endpoint id).</summary>
/// <param name="ProtectedSecret">The signing secret (<c>whsec_…</c>), protected with ASP.NET Core Data Protection; shown once, at registration.</param>
/// <param name="FailingSince">The first failed attempt since the last success; null while deliveries succeed.</param>
/// <param name="DisabledBy">Who disabled it: a caller's id, or <c>system</c> when it kept failing.</param>
/// <param name="NoticeSentAt">When the firm's admins were emailed that the system disabled it.</param>
public sealed record WebhookEndpoint(
    string FirmId, string EndpointId, string Url, IReadOnlyList<string> Events, string? Description, string Status, DateTimeOffset CreatedAt,
    string CreatedBy, string ProtectedSecret, DateTimeOffset? FailingSince = null, int ConsecutiveFailures = 0, DateTimeOffset? LastSuccessAt = null,
    int? LastStatusCode = null, DateTimeOffset? DisabledAt = null, string? DisabledReason = null, string? DisabledBy = null, DateTimeOffset? NoticeSentAt = null)
{
    public const string Enabled = "enabled";
    public const string Disabled = "disabled";
    public const string BySystem = "system";

    public bool IsEnabled => Status == Enabled;

    public ETag ETag { get; init; }
}

/// <summary>
/// One event for one endpoint (<c>{prefix}webhookdeliveries</c>, partition <c>{firm}|{endpoint}</c>). The body is fixed when
/// the delivery is created; every attempt and resend carries the same <see cref="DeliveryId"/> as its <c>webhook-id</c>.
/// </summary>
/// <param name="RowKey"><c>{engagementId}|{version:D10}</c>, or <c>firm|{ticks:D19}|{bulkActionId}</c>: ordered within each stream.</param>
/// <param name="Stream">The engagement id, or <see cref="WebhookEvents.FirmStream"/>: deliveries of one stream go out one after another, in row order.</param>
/// <param name="Attempts">Every attempt, resends included (what the log shows).</param>
/// <param name="RetryAttempts">The scheduled attempts, which the retry schedule counts (a resend does not use one up).</param>
/// <param name="LastError">Short: the status or what failed, never a response body.</param>
public sealed record WebhookDelivery(
    string FirmId, string EndpointId, string RowKey, string DeliveryId, string Type, string Stream, string? EngagementId, string Body, string Status,
    int Attempts, int RetryAttempts, DateTimeOffset NextAttemptAt, DateTimeOffset? LastAttemptAt, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt)
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> Statuses = [Pending, Delivered, Failed];

    public ETag ETag { get; init; }
}

/// <summary>A wake-up for one stream of one endpoint: the queue message. <see cref="WakeAt"/> is set on a wake-up scheduled for a retry.</summary>
public sealed record WebhookWake(string FirmId, string EndpointId, string Stream, DateTimeOffset? WakeAt = null);

/// <summary>A worker's hold on a stream: only the holder delivers its rows.</summary>
public sealed record StreamLease(string FirmId, string EndpointId, string Stream, string LeaseId, DateTimeOffset Until);

/// <summary>
/// Where webhooks live: the endpoints table <c>{prefix}webhooks</c>, the deliveries table <c>{prefix}webhookdeliveries</c>
/// (per endpoint a partition of delivery rows, ordered per stream, and one bookkeeping row per stream under
/// <c>~stream|{stream}</c>, after every delivery row: its lease and next scheduled wake-up) and the wake-up queue
/// <c>{prefix}webhook-deliveries</c> (Base64 messages <c>{firmId, endpointId, stream, wakeAt?}</c>).
/// </summary>
/// <remarks>
/// Every key this store builds is checked first (letters, digits, <c>-</c>, <c>_</c>), so nothing a caller typed
/// reaches a table key unchecked; another firm's endpoint is simply not in the caller's partition.
/// </remarks>
public sealed class WebhookStore
{
    private const string StreamRowPrefix = "~stream|";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public WebhookStore(StorageAccount storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        Endpoints = storage.Table("webhooks");
        Deliveries = storage.Table("webhookdeliveries");
        Queue = storage.Queues.GetQueueClient(QueueName(storage.Prefix));
    }

    public TableClient Endpoints { get; }
    public TableClient Deliveries { get; }
    public QueueClient Queue { get; }

    /// <summary>The wake-up queue's name for a storage prefix (the Functions app's <c>CoachFlowWebhookQueue</c> setting must equal it).</summary>
    public static string QueueName(string prefix) => $"{prefix}webhook-deliveries";

    public async Task EnsureCreatedAsync(CancellationToken ct = default) =>
        await Task.WhenAll(Endpoints.CreateIfNotExistsAsync(ct), Deliveries.CreateIfNotExistsAsync(ct), Queue.CreateIfNotExistsAsync(cancellationToken: ct));

    // ---- keys ----

    /// <summary>Ids CoachFlow makes: letters, digits, '-' and '_', at most 100 characters. Anything else names nothing.</summary>
    public static bool IsKey(string? value) => value is { Length: > 0 and <= 100 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string DeliveryPartition(string firmId, string endpointId) => $"{firmId}|{endpointId}";

    public static string EngagementRowKey(string engagementId, long version) => $"{engagementId}|{version.ToString("D10", CultureInfo.InvariantCulture)}";

    public static string FirmRowKey(DateTimeOffset at, string bulkActionId) =>
        $"{WebhookEvents.FirmStream}|{at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}|{bulkActionId}";

    /// <summary>The <c>webhook-id</c>: <c>msg_{engagementId}_{version}</c>, or <c>msg_{bulkActionId}</c>.</summary>
    public static string DeliveryIdOf(WebhookEvent e) =>
        e.EngagementId is { } engagement ? $"msg_{engagement}_{e.Version.ToString(CultureInfo.InvariantCulture)}" : $"msg_{e.BulkActionId}";

    public static string RowKeyOf(WebhookEvent e) =>
        e.EngagementId is { } engagement ? EngagementRowKey(engagement, e.Version) : FirmRowKey(e.Timestamp, e.BulkActionId!);

    private static string StreamRowKey(string stream) => StreamRowPrefix + stream;

    /// <summary>A stream's delivery rows: row keys from <c>{stream}|</c> up to, not including, <c>{stream}}</c> ('}' follows '|').</summary>
    private static string StreamRange(string stream) =>
        TableClient.CreateQueryFilter($"RowKey gt {stream + "|"} and RowKey lt {stream + "}"}");

    // ---- endpoints ----

    public async Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(string firmId, CancellationToken ct)
    {
        if (!IsKey(firmId)) return [];
        var list = new List<WebhookEndpoint>();
        await foreach (var row in Endpoints.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {firmId}"), cancellationToken: ct))
            list.Add(ToEndpoint(row));
        return [.. list.OrderBy(e => e.CreatedAt).ThenBy(e => e.EndpointId, StringComparer.Ordinal)];
    }

    public async Task<WebhookEndpoint?> GetEndpointAsync(string firmId, string endpointId, CancellationToken ct)
    {
        if (!IsKey(firmId) || !IsKey(endpointId)) return null;
        var row = await Endpoints.GetEntityIfExistsAsync<TableEntity>(firmId, endpointId, cancellationToken: ct);
        return row.HasValue ? ToEndpoint(row.Value!) : null;
    }

    public Task AddEndpointAsync(WebhookEndpoint endpoint, CancellationToken ct) => Endpoints.AddEntityAsync(ToEntity(endpoint), ct);

    /// <summary>Replaces the endpoint if unchanged since it was read: the saved endpoint (its new ETag), or null when another writer came first (or it is gone).</summary>
    public async Task<WebhookEndpoint?> SaveEndpointAsync(WebhookEndpoint endpoint, CancellationToken ct) =>
        await ReplaceAsync(Endpoints, ToEntity(endpoint), endpoint.ETag, ct) is { } etag ? endpoint with { ETag = etag } : null;

    /// <summary>Deletes the endpoint, then every delivery and stream row it had. Returns the rows deleted besides the endpoint's.</summary>
    public async Task<int> DeleteEndpointAsync(string firmId, string endpointId, CancellationToken ct)
    {
        await Endpoints.DeleteEntityAsync(firmId, endpointId, ETag.All, ct);
        var keys = new List<string>();
        await foreach (var row in Deliveries.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryPartition(firmId, endpointId)}"),
            select: ["RowKey"], cancellationToken: ct))
            keys.Add(row.RowKey);
        return await DeleteRowsAsync(DeliveryPartition(firmId, endpointId), keys, ct);
    }

    // ---- deliveries ----

    /// <summary>Adds a delivery; false when it exists already (a repeated step), which is left as it is.</summary>
    public async Task<bool> AddDeliveryAsync(WebhookDelivery delivery, CancellationToken ct)
    {
        try
        {
            await Deliveries.AddEntityAsync(ToEntity(delivery), ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Replaces the delivery if unchanged since it was read: the saved delivery, or null when another writer came first (or it is gone).</summary>
    public async Task<WebhookDelivery?> SaveDeliveryAsync(WebhookDelivery delivery, CancellationToken ct) =>
        await ReplaceAsync(Deliveries, ToEntity(delivery), delivery.ETag, ct) is { } etag ? delivery with { ETag = etag } : null;

    /// <summary>Replaces a row if its ETag still matches: the new ETag, or null when another writer came first or the row is gone.</summary>
    private static async Task<ETag?> ReplaceAsync(TableClient table, TableEntity row, ETag etag, CancellationToken ct)
    {
        try
        {
            return (await table.UpdateEntityAsync(row, etag, TableUpdateMode.Replace, ct)).Headers.ETag ?? default(ETag);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
    }

    public async Task<WebhookDelivery?> GetDeliveryAsync(string firmId, string endpointId, string rowKey, CancellationToken ct)
    {
        var row = await Deliveries.GetEntityIfExistsAsync<TableEntity>(DeliveryPartition(firmId, endpointId), rowKey, cancellationToken: ct);
        return row.HasValue ? ToDelivery(row.Value!) : null;
    }

    /// <summary>The delivery with this <c>webhook-id</c>, or null (also for an id CoachFlow never makes).</summary>
    public async Task<WebhookDelivery?> FindDeliveryAsync(string firmId, string endpointId, string deliveryId, CancellationToken ct)
    {
        if (!IsKey(firmId) || !IsKey(endpointId) || !deliveryId.StartsWith("msg_", StringComparison.Ordinal)) return null;
        var id = deliveryId["msg_".Length..];
        var cut = id.LastIndexOf('_');
        if (cut > 0 && long.TryParse(id[(cut + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var version) && IsKey(id[..cut]))
            return await GetDeliveryAsync(firmId, endpointId, EngagementRowKey(id[..cut], version), ct);
        if (!IsKey(id)) return null;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryPartition(firmId, endpointId)}") + " and " + StreamRange(WebhookEvents.FirmStream)
            + " and " + TableClient.CreateQueryFilter($"DeliveryId eq {deliveryId}");
        await foreach (var row in Deliveries.QueryAsync<TableEntity>(filter, cancellationToken: ct)) return ToDelivery(row);
        return null;
    }

    /// <summary>The stream's first pending delivery in row order (the only one that may go out next), or null.</summary>
    public async Task<WebhookDelivery?> NextPendingAsync(string firmId, string endpointId, string stream, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryPartition(firmId, endpointId)}") + " and " + StreamRange(stream)
            + " and " + TableClient.CreateQueryFilter($"Status eq {WebhookDelivery.Pending}");
        await foreach (var row in Deliveries.QueryAsync<TableEntity>(filter, cancellationToken: ct)) return ToDelivery(row);
        return null;
    }

    /// <summary>The streams of an endpoint that have a pending delivery, each with its first one (one query over the partition).</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> PendingHeadsAsync(string firmId, string endpointId, CancellationToken ct)
    {
        var heads = new Dictionary<string, WebhookDelivery>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryPartition(firmId, endpointId)} and RowKey lt {StreamRowPrefix} and Status eq {WebhookDelivery.Pending}");
        await foreach (var row in Deliveries.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            var delivery = ToDelivery(row);
            heads.TryAdd(delivery.Stream, delivery); // rows come in key order: the first of a stream is its head
        }
        return [.. heads.Values];
    }

    /// <summary>A page of an endpoint's delivery log in row order (by engagement and version, then the firm's own events), after <paramref name="afterRowKey"/>.</summary>
    public async Task<(IReadOnlyList<WebhookDelivery> Items, string? LastRowKey)> PageAsync(string firmId, string endpointId, string? status, string? engagementId,
        int pageSize, string? afterRowKey, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryPartition(firmId, endpointId)} and RowKey lt {StreamRowPrefix}");
        if (engagementId is not null) filter += " and " + StreamRange(engagementId);
        if (afterRowKey is not null) filter += " and " + TableClient.CreateQueryFilter($"RowKey gt {afterRowKey}");
        if (status is not null) filter += " and " + TableClient.CreateQueryFilter($"Status eq {status}");
        var items = new List<WebhookDelivery>();
        await foreach (var row in Deliveries.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(pageSize + 1, 1000), cancellationToken: ct))
        {
            if (items.Count == pageSize) return (items, items[^1].RowKey); // one more exists: the caller may ask for the next page
            items.Add(ToDelivery(row));
        }
        return (items, null);
    }

    // ---- streams: lease and wake-ups ----

    /// <summary>
    /// Claims the stream for <paramref name="leaseFor"/> (an ETag-guarded write on its bookkeeping row). Null and the time
    /// the holder's lease ends when another worker holds it.
    /// </summary>
    public async Task<(StreamLease? Lease, DateTimeOffset BusyUntil)> ClaimAsync(string firmId, string endpointId, string stream, DateTimeOffset now, TimeSpan leaseFor, CancellationToken ct)
    {
        var partition = DeliveryPartition(firmId, endpointId);
        var row = await Deliveries.GetEntityIfExistsAsync<TableEntity>(partition, StreamRowKey(stream), cancellationToken: ct);
        if (row.HasValue && row.Value!.GetDateTimeOffset("LeaseUntil") is { } until && until > now) return (null, until);
        var lease = new StreamLease(firmId, endpointId, stream, Guid.NewGuid().ToString("N"), now + leaseFor);
        var entity = new TableEntity(partition, StreamRowKey(stream)) { ["LeaseId"] = lease.LeaseId, ["LeaseUntil"] = lease.Until };
        try
        {
            if (row.HasValue) await Deliveries.UpdateEntityAsync(entity, row.Value!.ETag, TableUpdateMode.Merge, ct);
            else await Deliveries.AddEntityAsync(entity, ct);
            return (lease, now);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return (null, now + leaseFor); // claimed a moment ago by another worker
        }
    }

    /// <summary>Gives the stream up (if this lease still holds it), recording <paramref name="wakeAt"/> as its next scheduled wake-up when set.</summary>
    public async Task ReleaseAsync(StreamLease lease, DateTimeOffset now, DateTimeOffset? wakeAt, CancellationToken ct)
    {
        var partition = DeliveryPartition(lease.FirmId, lease.EndpointId);
        var row = await Deliveries.GetEntityIfExistsAsync<TableEntity>(partition, StreamRowKey(lease.Stream), cancellationToken: ct);
        if (!row.HasValue || row.Value!.GetString("LeaseId") != lease.LeaseId) return;
        var entity = new TableEntity(partition, StreamRowKey(lease.Stream)) { ["LeaseUntil"] = now };
        if (wakeAt is { } at) entity["WakeAt"] = at;
        try
        {
            await Deliveries.UpdateEntityAsync(entity, row.Value.ETag, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Taken over meanwhile: the new holder decides.
        }
    }

    /// <summary>The stream's next scheduled wake-up, as last recorded.</summary>
    public async Task<DateTimeOffset?> ScheduledWakeAsync(string firmId, string endpointId, string stream, CancellationToken ct)
    {
        var row = await Deliveries.GetEntityIfExistsAsync<TableEntity>(DeliveryPartition(firmId, endpointId), StreamRowKey(stream), ["WakeAt"], ct);
        return row.HasValue ? row.Value!.GetDateTimeOffset("WakeAt") : null;
    }

    /// <summary>Deletes a stream's rows (its endpoint was removed while rows were on their way).</summary>
    public async Task<int> DeleteStreamAsync(string firmId, string endpointId, string stream, CancellationToken ct)
    {
        var partition = DeliveryPartition(firmId, endpointId);
        var keys = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}") + " and " + StreamRange(stream);
        await foreach (var row in Deliveries.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: ct)) keys.Add(row.RowKey);
        keys.Add(StreamRowKey(stream));
        return await DeleteRowsAsync(partition, keys, ct) - 1;
    }

    // ---- the queue ----

    /// <summary>Sends a wake-up, visible after <paramref name="delay"/> (the queue holds a message hidden for at most 7 days).</summary>
    public async Task EnqueueAsync(WebhookWake wake, TimeSpan delay, CancellationToken ct) =>
        await Queue.SendMessageAsync(JsonSerializer.Serialize(wake, Json),
            visibilityTimeout: delay > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Ceiling(Math.Min(delay.TotalSeconds, TimeSpan.FromDays(6.9).TotalSeconds))) : null,
            cancellationToken: ct);

    /// <summary>A wake-up message read back; null when it is not one (it is then dropped).</summary>
    public static WebhookWake? ReadWake(string message)
    {
        try
        {
            var wake = JsonSerializer.Deserialize<WebhookWake>(message, Json);
            return wake is not null && IsKey(wake.FirmId) && IsKey(wake.EndpointId) && IsKey(wake.Stream) ? wake : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // ---- erasure and export ----

    /// <summary>
    /// Deletes an engagement's deliveries on every endpoint of the firm (bodies included) and its stream rows, as part of
    /// erasing the engagement. Returns the number of delivery rows deleted.
    /// </summary>
    /// <remarks>One query over the firm's delivery partitions (also those of an endpoint removed a moment ago); safe to repeat.</remarks>
    public async Task<int> EraseEngagementAsync(string firmId, string engagementId, CancellationToken ct)
    {
        if (!IsKey(firmId) || !IsKey(engagementId)) return 0;
        var byPartition = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey gt {firmId + "|"} and PartitionKey lt {firmId + "}"}")
            + $" and ({StreamRange(engagementId)} or {TableClient.CreateQueryFilter($"RowKey eq {StreamRowKey(engagementId)}")})";
        var deliveries = 0;
        await foreach (var row in Deliveries.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            (byPartition.TryGetValue(row.PartitionKey, out var keys) ? keys : byPartition[row.PartitionKey] = []).Add(row.RowKey);
            if (!row.RowKey.StartsWith(StreamRowPrefix, StringComparison.Ordinal)) deliveries++;
        }
        foreach (var (partition, keys) in byPartition) await DeleteRowsAsync(partition, keys, ct);
        return deliveries;
    }

    /// <summary>An engagement's deliveries across the firm's endpoints (for an export): endpoint, delivery id, type, status, attempts, times and body.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> DeliveriesOfEngagementAsync(string firmId, string engagementId, CancellationToken ct)
    {
        if (!IsKey(firmId) || !IsKey(engagementId)) return [];
        var list = new List<WebhookDelivery>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey gt {firmId + "|"} and PartitionKey lt {firmId + "}"}") + " and " + StreamRange(engagementId);
        await foreach (var row in Deliveries.QueryAsync<TableEntity>(filter, cancellationToken: ct)) list.Add(ToDelivery(row));
        return list;
    }

    /// <summary>Deletes rows of one partition, a transaction per 100; a row already gone is fine.</summary>
    private async Task<int> DeleteRowsAsync(string partition, IReadOnlyList<string> keys, CancellationToken ct)
    {
        var deleted = 0;
        foreach (var chunk in keys.Chunk(100))
        {
            try
            {
                await Deliveries.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, k), ETag.All)), ct);
                deleted += chunk.Length;
            }
            catch (TableTransactionFailedException)
            {
                // A row went a moment ago (or never was): the rest one by one.
                foreach (var key in chunk)
                {
                    try
                    {
                        await Deliveries.DeleteEntityAsync(partition, key, ETag.All, ct);
                        deleted++;
                    }
                    catch (RequestFailedException ex) when (ex.Status == 404)
                    {
                    }
                }
            }
        }
        return deleted;
    }

    // ---- rows ----

    private static TableEntity ToEntity(WebhookEndpoint e) => new(e.FirmId, e.EndpointId)
    {
        ["Url"] = e.Url, ["Events"] = string.Join(',', e.Events), ["Description"] = e.Description, ["Status"] = e.Status, ["CreatedAt"] = e.CreatedAt,
        ["CreatedBy"] = e.CreatedBy, ["Secret"] = e.ProtectedSecret, ["FailingSince"] = e.FailingSince, ["ConsecutiveFailures"] = e.ConsecutiveFailures,
        ["LastSuccessAt"] = e.LastSuccessAt, ["LastStatusCode"] = e.LastStatusCode, ["DisabledAt"] = e.DisabledAt, ["DisabledReason"] = e.DisabledReason,
        ["DisabledBy"] = e.DisabledBy, ["NoticeSentAt"] = e.NoticeSentAt,
    };

    private static WebhookEndpoint ToEndpoint(TableEntity r) => new(
        r.PartitionKey, r.RowKey, r.GetString("Url") ?? "", (r.GetString("Events") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries), r.GetString("Description"),
        r.GetString("Status") ?? WebhookEndpoint.Enabled, r.GetDateTimeOffset("CreatedAt") ?? default, r.GetString("CreatedBy") ?? "", r.GetString("Secret") ?? "",
        r.GetDateTimeOffset("FailingSince"), r.GetInt32("ConsecutiveFailures") ?? 0, r.GetDateTimeOffset("LastSuccessAt"), r.GetInt32("LastStatusCode"),
        r.GetDateTimeOffset("DisabledAt"), r.GetString("DisabledReason"), r.GetString("DisabledBy"), r.GetDateTimeOffset("NoticeSentAt")) { ETag = r.ETag };

    private static TableEntity ToEntity(WebhookDelivery d) => new(DeliveryPartition(d.FirmId, d.EndpointId), d.RowKey)
    {
        ["DeliveryId"] = d.DeliveryId, ["Type"] = d.Type, ["Stream"] = d.Stream, ["EngagementId"] = d.EngagementId, ["Body"] = d.Body, ["Status"] = d.Status,
        ["Attempts"] = d.Attempts, ["RetryAttempts"] = d.RetryAttempts, ["NextAttemptAt"] = d.NextAttemptAt, ["LastAttemptAt"] = d.LastAttemptAt,
        ["LastStatusCode"] = d.LastStatusCode, ["LastError"] = d.LastError, ["CreatedAt"] = d.CreatedAt, ["DeliveredAt"] = d.DeliveredAt,
    };

    private static WebhookDelivery ToDelivery(TableEntity r)
    {
        var (firm, endpoint) = r.PartitionKey.Split('|', 2) is [var f, var e] ? (f, e) : (r.PartitionKey, "");
        return new WebhookDelivery(firm, endpoint, r.RowKey, r.GetString("DeliveryId") ?? "", r.GetString("Type") ?? "", r.GetString("Stream") ?? "",
            r.GetString("EngagementId"), r.GetString("Body") ?? "{}", r.GetString("Status") ?? WebhookDelivery.Pending, r.GetInt32("Attempts") ?? 0,
            r.GetInt32("RetryAttempts") ?? 0, r.GetDateTimeOffset("NextAttemptAt") ?? default, r.GetDateTimeOffset("LastAttemptAt"), r.GetInt32("LastStatusCode"),
            r.GetString("LastError"), r.GetDateTimeOffset("CreatedAt") ?? default, r.GetDateTimeOffset("DeliveredAt")) { ETag = r.ETag };
    }
}
