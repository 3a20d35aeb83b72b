using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using CoachFlow.Web.Hosting;

namespace CoachFlow.Web.Cohorts;

/// <summary>A cohort as its table row keeps it (<c>{prefix}cohorts</c>: partition = firm, row = cohort id).</summary>
/// <param name="Status"><c>validated</c> (a file was checked, nothing started), <c>importing</c>, <c>completed</c>.</param>
/// <param name="Processed">Rows the current run has handled; <see cref="ChunksDone"/> of <see cref="Chunks"/> batches.</param>
public sealed record Cohort(
    string FirmId, string CohortId, string Name, string ProgramId, DateTimeOffset CreatedAt, string CreatedBy, string Status,
    int Rows, int Valid, int Rejected, int Started, int AlreadyStarted, int Failed, int Processed, int Chunks, int ChunksDone,
    string UploadId, string? RunId, DateTimeOffset? StartedAt, string? StartedBy, DateTimeOffset? CompletedAt, DateTimeOffset UpdatedAt, ETag ETag)
{
    public const string Validated = "validated";
    public const string Importing = "importing";
    public const string Completed = "completed";
}

/// <summary>What the rejected rows of an upload were, kept for the report and <c>rejected.csv</c>.</summary>
public sealed record CohortRejections(IReadOnlyList<RejectedRow> Rows, IReadOnlyList<string> IgnoredColumns);

/// <summary>One batch of an import: a chunk of a run, as a queue message.</summary>
/// <param name="Attempt">How often this message was put back because the run was not recorded yet.</param>
public sealed record CohortBatch(string FirmId, string CohortId, string RunId, int Chunk, int Attempt = 0);

/// <summary>
/// Where cohorts live: the <c>{prefix}cohorts</c> table (one row per cohort: name, program, status, counts), the
/// <c>{prefix}-cohorts</c> container (an upload's valid rows in chunks of <see cref="ChunkRows"/>, its rejected rows,
/// and each run's per-batch plans) and the <c>{prefix}cohort-imports</c> queue (one message per batch to run).
/// </summary>
public sealed class CohortStore
{
    /// <summary>Rows per blob chunk, and so per batch.</summary>
    public const int ChunkRows = 50;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public CohortStore(StorageAccount storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        Table = storage.Table("cohorts");
        Blobs = storage.Blobs.GetBlobContainerClient($"{storage.Prefix}-cohorts");
        Queue = storage.Queues.GetQueueClient(QueueName(storage.Prefix));
    }

    public TableClient Table { get; }
    public BlobContainerClient Blobs { get; }
    public QueueClient Queue { get; }

    /// <summary>The import queue's name for a storage prefix (the Functions app's <c>CoachFlowCohortQueue</c> setting must equal it).</summary>
    public static string QueueName(string prefix) => $"{prefix}cohort-imports";

    public async Task EnsureCreatedAsync(CancellationToken ct = default) =>
        await Task.WhenAll(Table.CreateIfNotExistsAsync(ct), Blobs.CreateIfNotExistsAsync(cancellationToken: ct), Queue.CreateIfNotExistsAsync(cancellationToken: ct));

    public async Task<Cohort?> GetAsync(string firmId, string cohortId, CancellationToken ct)
    {
        if (!IsKey(firmId) || !IsKey(cohortId)) return null;
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(firmId, cohortId, cancellationToken: ct);
        return row.HasValue ? ToCohort(row.Value!) : null;
    }

    /// <summary>The firm's cohort names by id (the dashboard's labels); no table yet is no names.</summary>
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(string firmId, CancellationToken ct)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {firmId}"), select: ["RowKey", "Name"], cancellationToken: ct))
                names[row.RowKey] = row.GetString("Name") ?? row.RowKey;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No cohort was ever imported here: the table does not exist yet.
        }
        return names;
    }

    public async Task<IReadOnlyList<Cohort>> ListAsync(string firmId, CancellationToken ct)
    {
        var list = new List<Cohort>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {firmId}"), cancellationToken: ct))
            list.Add(ToCohort(row));
        return list;
    }

    /// <summary>Adds the row (<paramref name="cohort"/>'s ETag default) or replaces it if unchanged since read; false when another writer came first.</summary>
    public async Task<bool> SaveAsync(Cohort cohort, CancellationToken ct)
    {
        var row = ToEntity(cohort);
        try
        {
            if (cohort.ETag == default) await Table.AddEntityAsync(row, ct);
            else await Table.UpdateEntityAsync(row, cohort.ETag, TableUpdateMode.Replace, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    public Task WriteChunkAsync(Cohort cohort, int chunk, IReadOnlyList<CohortRow> rows, CancellationToken ct) =>
        WriteAsync($"{Folder(cohort)}/{cohort.UploadId}/chunk-{chunk:D5}.json", rows, overwrite: true, ct);

    public async Task<IReadOnlyList<CohortRow>> ReadChunkAsync(Cohort cohort, int chunk, CancellationToken ct) =>
        await ReadAsync<List<CohortRow>>($"{Folder(cohort)}/{cohort.UploadId}/chunk-{chunk:D5}.json", ct) ?? [];

    public Task WriteRejectionsAsync(Cohort cohort, CohortRejections rejections, CancellationToken ct) =>
        WriteAsync($"{Folder(cohort)}/{cohort.UploadId}/rejected.json", rejections, overwrite: true, ct);

    public async Task<CohortRejections> ReadRejectionsAsync(Cohort cohort, CancellationToken ct) =>
        await ReadAsync<CohortRejections>($"{Folder(cohort)}/{cohort.UploadId}/rejected.json", ct) ?? new CohortRejections([], []);

    /// <summary>
    /// The plan of a run's batch (which of its engagements existed before the batch began), written once: a batch that
    /// runs again after a crash reads the first attempt's plan, so its counts are the same.
    /// </summary>
    public async Task<IReadOnlySet<string>> PlanAsync(Cohort cohort, int chunk, Func<Task<IReadOnlyList<string>>> existing, CancellationToken ct)
    {
        var path = $"{Folder(cohort)}/runs/{cohort.RunId}/plan-{chunk:D5}.json";
        if (await ReadAsync<List<string>>(path, ct) is { } earlier) return earlier.ToHashSet(StringComparer.Ordinal);
        var plan = await existing();
        if (await WriteAsync(path, plan, overwrite: false, ct)) return plan.ToHashSet(StringComparer.Ordinal);
        return (await ReadAsync<List<string>>(path, ct) ?? [.. plan]).ToHashSet(StringComparer.Ordinal);
    }

    public async Task EnqueueAsync(CohortBatch batch, TimeSpan delay, CancellationToken ct) =>
        await Queue.SendMessageAsync(JsonSerializer.Serialize(batch, Json), visibilityTimeout: delay > TimeSpan.Zero ? delay : null, cancellationToken: ct);

    public static CohortBatch? ReadBatch(string message)
    {
        try
        {
            return JsonSerializer.Deserialize<CohortBatch>(message, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Folder(Cohort cohort) => $"{cohort.FirmId}/{cohort.CohortId}";

    /// <summary>
    /// Removes a client from the firm's uploads (their erasure): every valid row whose email is theirs, and every rejected row
    /// whose email is theirs or whose name is one of <paramref name="names"/>, in every upload of <paramref name="cohortId"/>
    /// (or of every cohort of the firm when null). Returns how many rows went.
    /// </summary>
    /// <param name="isClient">Whether an email (as the file had it) is the client's: compare opaque client ids, not strings.</param>
    public async Task<int> EraseClientAsync(string firmId, string? cohortId, Func<string?, bool> isClient, IReadOnlySet<string> names, CancellationToken ct)
    {
        if (!IsKey(firmId) || (cohortId is not null && !IsKey(cohortId))) return 0;
        var removed = 0;
        try
        {
            await foreach (var blob in Blobs.GetBlobsAsync(BlobTraits.None, BlobStates.None, cohortId is null ? $"{firmId}/" : $"{firmId}/{cohortId}/", ct))
            {
                var file = blob.Name[(blob.Name.LastIndexOf('/') + 1)..];
                if (file.StartsWith("chunk-", StringComparison.Ordinal))
                    removed += await RewriteAsync<List<CohortRow>>(blob.Name, rows =>
                    {
                        var kept = rows.Where(r => !isClient(r.Email)).ToList();
                        return (kept, rows.Count - kept.Count);
                    }, ct);
                else if (file == "rejected.json")
                    removed += await RewriteAsync<CohortRejections>(blob.Name, rejections =>
                    {
                        var kept = rejections.Rows.Where(r => !isClient(r.Raw.Email) && !(r.Raw.Name is { } n && names.Contains(n.Trim()))).ToList();
                        return (rejections with { Rows = kept }, rejections.Rows.Count - kept.Count);
                    }, ct);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No cohort was ever uploaded here: no container yet.
        }
        return removed;
    }

    /// <summary>A cohort of the firm being imported right now with a row of the client in it (an import would start them again), or null.</summary>
    public async Task<Cohort?> ImportingWithAsync(string firmId, Func<string?, bool> isClient, CancellationToken ct)
    {
        IReadOnlyList<Cohort> cohorts;
        try
        {
            cohorts = await ListAsync(firmId, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        foreach (var cohort in cohorts.Where(c => c.Status == Cohort.Importing))
            for (var chunk = 0; chunk < cohort.Chunks; chunk++)
                if ((await ReadChunkAsync(cohort, chunk, ct)).Any(r => isClient(r.Email))) return cohort;
        return null;
    }

    /// <summary>Reads a JSON blob, lets <paramref name="change"/> drop rows, and writes it back (only if unchanged since read) when some went.</summary>
    private async Task<int> RewriteAsync<T>(string path, Func<T, (T Kept, int Removed)> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var blob = Blobs.GetBlobClient(path);
            Azure.Response<BlobDownloadResult> content;
            try
            {
                content = await blob.DownloadContentAsync(ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return 0;
            }
            var (kept, removed) = change(content.Value.Content.ToObjectFromJson<T>(Json)!);
            if (removed == 0) return 0;
            try
            {
                await blob.UploadAsync(BinaryData.FromObjectAsJson(kept, Json), new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                    Conditions = new BlobRequestConditions { IfMatch = content.Value.Details.ETag },
                }, ct);
                return removed;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 5)
            {
                // Written in between (a new run's plan, say): read it again.
            }
        }
    }

    private async Task<bool> WriteAsync<T>(string path, T value, bool overwrite, CancellationToken ct)
    {
        var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } };
        if (!overwrite) options.Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            await Blobs.GetBlobClient(path).UploadAsync(BinaryData.FromObjectAsJson(value, Json), options, ct);
            return true;
        }
        catch (RequestFailedException ex) when (!overwrite && ex.Status is 409 or 412)
        {
            return false;
        }
    }

    private async Task<T?> ReadAsync<T>(string path, CancellationToken ct)
    {
        try
        {
            var content = await Blobs.GetBlobClient(path).DownloadContentAsync(ct);
            return content.Value.Content.ToObjectFromJson<T>(Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return default;
        }
    }

    private static bool IsKey(string value) => value.Length is > 0 and <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static TableEntity ToEntity(Cohort c) => new(c.FirmId, c.CohortId)
    {
        ["Name"] = c.Name, ["ProgramId"] = c.ProgramId, ["CreatedAt"] = c.CreatedAt, ["CreatedBy"] = c.CreatedBy, ["Status"] = c.Status,
        ["Rows"] = c.Rows, ["Valid"] = c.Valid, ["Rejected"] = c.Rejected, ["Started"] = c.Started, ["AlreadyStarted"] = c.AlreadyStarted,
        ["Failed"] = c.Failed, ["Processed"] = c.Processed, ["Chunks"] = c.Chunks, ["ChunksDone"] = c.ChunksDone, ["UploadId"] = c.UploadId,
        ["RunId"] = c.RunId, ["StartedAt"] = c.StartedAt, ["StartedBy"] = c.StartedBy, ["CompletedAt"] = c.CompletedAt, ["UpdatedAt"] = c.UpdatedAt,
    };

    private static Cohort ToCohort(TableEntity r) => new(r.PartitionKey, r.RowKey, r.GetString("Name") ?? "", r.GetString("ProgramId") ?? "",
        r.GetDateTimeOffset("CreatedAt") ?? default, r.GetString("CreatedBy") ?? "", r.GetString("Status") ?? Cohort.Validated,
        r.GetInt32("Rows") ?? 0, r.GetInt32("Valid") ?? 0, r.GetInt32("Rejected") ?? 0, r.GetInt32("Started") ?? 0, r.GetInt32("AlreadyStarted") ?? 0,
        r.GetInt32("Failed") ?? 0, r.GetInt32("Processed") ?? 0, r.GetInt32("Chunks") ?? 0, r.GetInt32("ChunksDone") ?? 0, r.GetString("UploadId") ?? "",
        r.GetString("RunId"), r.GetDateTimeOffset("StartedAt"), r.GetString("StartedBy"), r.GetDateTimeOffset("CompletedAt"),
        r.GetDateTimeOffset("UpdatedAt") ?? default, r.ETag);
}
