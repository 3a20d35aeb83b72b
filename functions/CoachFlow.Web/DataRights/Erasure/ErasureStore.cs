using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CoachFlow.Web.Hosting;

namespace CoachFlow.Web.DataRights;

/// <summary>What an erasure takes away: a client (every engagement of theirs in the firm) or one engagement.</summary>
public static class ErasureKinds
{
    public const string Client = "client";
    public const string Engagement = "engagement";
}

/// <summary>Why an erasure ran: someone asked for it, or the firm's retention period ran out.</summary>
public static class ErasureReasons
{
    public const string Request = "request";
    public const string Retention = "retention";
}

/// <summary>One engagement an erasure still has to take away, and the tombstone it leaves instead.</summary>
/// <param name="StartedOn">The day it started (UTC midnight): dates, not times, stay behind.</param>
public sealed record ErasureTarget(string EngagementId, string TombstoneId, string ProgramId, DateTimeOffset? StartedOn, DateTimeOffset? FinishedOn);

/// <summary>
/// The audit of one erasure: who asked, when, why, how many engagements, the tombstones left and what was removed. While
/// it runs it also holds the client's opaque id and the engagements still to go (so it can be finished after a crash);
/// both are cleared when it completes, so the finished record names nobody.
/// </summary>
public sealed record ErasureRecord(
    string FirmId,
    string ErasureId,
    string Kind,
    string Reason,
    string RequestedBy,
    string RequestedByRole,
    DateTimeOffset RequestedAt,
    string Status,
    DateTimeOffset? CompletedAt,
    DateTimeOffset HeartbeatAt,
    int Engagements,
    IReadOnlyList<string> Tombstones,
    IReadOnlyDictionary<string, int> Removed,
    string? ClientId,
    IReadOnlyList<ErasureTarget> Pending,
    ETag ETag = default)
{
    public const string Running = "running";
    public const string Completed = "completed";
}

/// <summary>
/// Table <c>{prefix}erasures</c>: partition = firm id, row = erasure id (<c>erasure-…</c>). Written before anything is
/// erased and after each engagement, so an erasure that stopped half-way (a crash) is finished by the next sweep.
/// </summary>
public sealed class ErasureStore(StorageAccount storage)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public TableClient Table { get; } = storage.Table("erasures");

    public Task EnsureCreatedAsync(CancellationToken ct = default) => Table.CreateIfNotExistsAsync(ct);

    /// <summary>Adds a new record (its ETag default) or replaces it if unchanged since read; the stored record with its new ETag, or null when another writer came first.</summary>
    public async Task<ErasureRecord?> SaveAsync(ErasureRecord record, CancellationToken ct)
    {
        var row = ToEntity(record);
        try
        {
            var response = record.ETag == default
                ? await Table.AddEntityAsync(row, ct)
                : await Table.UpdateEntityAsync(row, record.ETag, TableUpdateMode.Replace, ct);
            return record with { ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;
        }
    }

    public async Task<ErasureRecord?> GetAsync(string firmId, string erasureId, CancellationToken ct)
    {
        if (erasureId.Length is 0 or > 100 || !erasureId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return null;
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(firmId, erasureId, cancellationToken: ct);
        return row.HasValue ? FromEntity(row.Value!) : null;
    }

    /// <summary>The firm's erasures, newest first.</summary>
    public async Task<IReadOnlyList<ErasureRecord>> ListAsync(string firmId, int max, CancellationToken ct) =>
        [.. (await QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {firmId}"), ct)).OrderByDescending(r => r.RequestedAt).Take(max)];

    /// <summary>Erasures of any firm that are still running (finished by the sweep when nobody has moved them on for a while).</summary>
    public Task<List<ErasureRecord>> RunningAsync(CancellationToken ct) =>
        QueryAsync(TableClient.CreateQueryFilter($"Status eq {ErasureRecord.Running}"), ct);

    /// <summary>The running erasure of this client in this firm, if one is under way.</summary>
    public async Task<ErasureRecord?> RunningForClientAsync(string firmId, string clientId, CancellationToken ct) =>
        (await QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {firmId} and Status eq {ErasureRecord.Running} and ClientId eq {clientId}"), ct)).FirstOrDefault();

    private async Task<List<ErasureRecord>> QueryAsync(string filter, CancellationToken ct)
    {
        var found = new List<ErasureRecord>();
        try
        {
            await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) found.Add(FromEntity(row));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Nothing was ever erased here: no table yet.
        }
        return found;
    }

    private static TableEntity ToEntity(ErasureRecord r) => new(r.FirmId, r.ErasureId)
    {
        ["Kind"] = r.Kind, ["Reason"] = r.Reason, ["RequestedBy"] = r.RequestedBy, ["RequestedByRole"] = r.RequestedByRole, ["RequestedAt"] = r.RequestedAt,
        ["Status"] = r.Status, ["CompletedAt"] = r.CompletedAt, ["HeartbeatAt"] = r.HeartbeatAt, ["Engagements"] = r.Engagements,
        ["Tombstones"] = JsonSerializer.Serialize(r.Tombstones, Json), ["Removed"] = JsonSerializer.Serialize(r.Removed, Json),
        ["ClientId"] = r.ClientId, ["Pending"] = JsonSerializer.Serialize(r.Pending, Json),
    };

    private static ErasureRecord FromEntity(TableEntity e) => new(
        e.PartitionKey, e.RowKey, e.GetString("Kind") ?? ErasureKinds.Client, e.GetString("Reason") ?? ErasureReasons.Request, e.GetString("RequestedBy") ?? "",
        e.GetString("RequestedByRole") ?? "", e.GetDateTimeOffset("RequestedAt") ?? default, e.GetString("Status") ?? ErasureRecord.Running,
        e.GetDateTimeOffset("CompletedAt"), e.GetDateTimeOffset("HeartbeatAt") ?? default, e.GetInt32("Engagements") ?? 0,
        Read<List<string>>(e, "Tombstones") ?? [], Read<Dictionary<string, int>>(e, "Removed") ?? [],
        e.GetString("ClientId"), Read<List<ErasureTarget>>(e, "Pending") ?? [], e.ETag);

    private static T? Read<T>(TableEntity e, string column) => e.GetString(column) is { Length: > 0 } json ? JsonSerializer.Deserialize<T>(json, Json) : default;
}
