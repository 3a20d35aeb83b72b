using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CoachFlow.Orchestrations.ReadModel;

namespace CoachFlow.Orchestrations.Bulk;

/// <summary>The actions a bulk follow-up can take on every selected engagement.</summary>
public static class BulkActionKinds
{
    public const string ResendLink = "resend-link";
    public const string Nudge = "nudge";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string End = "end";

    public static readonly IReadOnlyList<string> All = [ResendLink, Nudge, Pause, Resume, End];
}

/// <summary>What a bulk action's status counts.</summary>
public static class BulkOutcomes
{
    /// <summary>Kept in the engagement's inbox and raised; not decided yet.</summary>
    public const string Kept = "kept";
    /// <summary>Never kept: the engagement has ended, was erased, or the client was nudged already (the reason says which).</summary>
    public const string Skipped = "skipped";
}

/// <summary>A bulk action as its audit row keeps it: who asked for what on how many, and how its run went.</summary>
public sealed record BulkActionRecord(
    string FirmId, string ActionId, string Action, string? Message, string? Reason, string Filter, string CreatedBy, string CreatedByRole,
    DateTimeOffset CreatedAt, int Selected, string Status, string? RunBy, DateTimeOffset? RunAt, DateTimeOffset? FinishedAt,
    int Done, int Applied, int Deferred, int Rejected, int Skipped, int Pending, IReadOnlyDictionary<string, int> Reasons)
{
    public const string Draft = "draft";
    public const string Running = "running";
    public const string Finished = "finished";

    /// <summary>The engagements are picked in batches of this many; one activity keeps a batch's inputs.</summary>
    public const int BatchSize = 50;

    public int Batches => (Selected + BatchSize - 1) / BatchSize;
}

/// <summary>One selected engagement of a bulk action and what came of its input.</summary>
public sealed record BulkItem(int Index, string EngagementId, string? ClientId, string? Outcome, string? Reason);

/// <summary>
/// Table <c>{prefix}bulkactions</c>: per firm (partition = firm id) one audit row per bulk action; its selection
/// in partition <c>{firm}|{action}</c> (a row per engagement, in the order picked, with its outcome); and the
/// clients nudged in the last day in partition <c>nudge|{firm}</c> (a row per client id), so one client is never
/// nudged twice a day by bulk actions, however many engagements or actions name them.
/// </summary>
/// <remarks>A draft records exactly the engagement ids its dry run counted; running it touches those and no others.</remarks>
public sealed class BulkActionStore(EngagementStore store)
{
    public TableClient Table { get; } = store.Table("bulkactions");

    public Task EnsureCreatedAsync(CancellationToken ct) => Table.CreateIfNotExistsAsync(ct);

    public static string SelectionPartition(string firmId, string actionId) => $"{firmId}|{actionId}";

    private static string NudgePartition(string firmId) => $"nudge|{firmId}";

    private static string ItemKey(int index) => index.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Records a draft: its selection first, the audit row last (a draft without its row is never seen).</summary>
    public async Task CreateDraftAsync(BulkActionRecord draft, IReadOnlyList<(string EngagementId, string? ClientId)> selection, CancellationToken ct)
    {
        await Table.CreateIfNotExistsAsync(ct);
        var partition = SelectionPartition(draft.FirmId, draft.ActionId);
        var rows = selection.Select((s, i) => new TableEntity(partition, ItemKey(i)) { ["EngagementId"] = s.EngagementId, ["ClientId"] = s.ClientId });
        foreach (var chunk in rows.Chunk(100))
            await Table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), ct);
        await Table.AddEntityAsync(ToEntity(draft), ct);
    }

    public async Task<(BulkActionRecord Record, ETag ETag)?> GetAsync(string firmId, string actionId, CancellationToken ct)
    {
        if (actionId.Length is 0 or > 100 || actionId.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c))) return null;
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(firmId, actionId, cancellationToken: ct);
        return row.HasValue ? (FromEntity(row.Value!), row.Value!.ETag) : null;
    }

    /// <summary>The firm's bulk actions, newest first.</summary>
    public async Task<IReadOnlyList<BulkActionRecord>> ListAsync(string firmId, int max, CancellationToken ct)
    {
        var all = new List<BulkActionRecord>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {firmId}"), cancellationToken: ct))
            all.Add(FromEntity(row));
        return [.. all.OrderByDescending(r => r.CreatedAt).Take(max)];
    }

    /// <summary>Draft → running, once: false when it is no longer a draft (run before, or by someone else a moment ago).</summary>
    public async Task<bool> MarkRunningAsync(string firmId, string actionId, string runBy, DateTimeOffset at, ETag etag, CancellationToken ct)
    {
        try
        {
            await Table.UpdateEntityAsync(new TableEntity(firmId, actionId) { ["Status"] = BulkActionRecord.Running, ["RunBy"] = runBy, ["RunAt"] = at },
                etag, TableUpdateMode.Merge, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>Back to a draft, when the run could not be scheduled (so it can be run again).</summary>
    public Task RevertToDraftAsync(string firmId, string actionId, CancellationToken ct) =>
        Table.UpdateEntityAsync(new TableEntity(firmId, actionId) { ["Status"] = BulkActionRecord.Draft, ["RunBy"] = null, ["RunAt"] = null }, ETag.All, TableUpdateMode.Merge, ct);

    /// <summary>The selection from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), in the order picked.</summary>
    public async Task<IReadOnlyList<BulkItem>> ItemsAsync(string firmId, string actionId, int from, int to, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {SelectionPartition(firmId, actionId)} and RowKey ge {ItemKey(from)} and RowKey lt {ItemKey(to)}");
        var items = new List<BulkItem>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            items.Add(new BulkItem(int.Parse(row.RowKey, CultureInfo.InvariantCulture), row.GetString("EngagementId"), row.GetString("ClientId"),
                row.GetString("Outcome"), row.GetString("Reason")));
        return items;
    }

    public Task SetOutcomeAsync(string firmId, string actionId, int index, string outcome, string? reason, CancellationToken ct) =>
        Table.UpdateEntityAsync(new TableEntity(SelectionPartition(firmId, actionId), ItemKey(index)) { ["Outcome"] = outcome, ["Reason"] = reason },
            ETag.All, TableUpdateMode.Merge, ct);

    public Task SaveProgressAsync(BulkActionRecord record, CancellationToken ct) =>
        Table.UpdateEntityAsync(new TableEntity(record.FirmId, record.ActionId)
        {
            ["Status"] = record.Status, ["FinishedAt"] = record.FinishedAt, ["Done"] = record.Done, ["Applied"] = record.Applied, ["Deferred"] = record.Deferred,
            ["Rejected"] = record.Rejected, ["Skipped"] = record.Skipped, ["Pending"] = record.Pending,
            ["Reasons"] = JsonSerializer.Serialize(record.Reasons),
        }, ETag.All, TableUpdateMode.Merge, ct);

    /// <summary>
    /// Claims the client's nudge for today for this action and engagement. Null when claimed (or claimed before by this
    /// very action and engagement: a repeated batch); otherwise the reason the client is skipped.
    /// </summary>
    public async Task<string?> ClaimNudgeAsync(string firmId, string clientId, string actionId, string engagementId, DateTimeOffset now, TimeSpan interval, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var row = await Table.GetEntityIfExistsAsync<TableEntity>(NudgePartition(firmId), clientId, cancellationToken: ct);
            var claim = new TableEntity(NudgePartition(firmId), clientId) { ["ActionId"] = actionId, ["EngagementId"] = engagementId, ["At"] = now };
            try
            {
                if (!row.HasValue)
                {
                    await Table.AddEntityAsync(claim, ct);
                    return null;
                }
                var earlier = row.Value!;
                if (earlier.GetString("ActionId") == actionId)
                    return earlier.GetString("EngagementId") == engagementId ? null : "this action already nudges the same client on another engagement";
                if (earlier.GetDateTimeOffset("At") is { } at && now - at < interval)
                    return "the client was already nudged in the last 24 hours; one nudge a day at most";
                await Table.UpdateEntityAsync(claim, earlier.ETag, TableUpdateMode.Replace, ct);
                return null;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 5)
            {
                // Another batch claimed the client in between: look again.
            }
        }
    }

    /// <summary>Gives back a claim whose nudge the engagement's rules refused (paused, say): the client was not nudged after all.</summary>
    public async Task ReleaseNudgeAsync(string firmId, string clientId, string actionId, string engagementId, CancellationToken ct)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(NudgePartition(firmId), clientId, cancellationToken: ct);
        if (!row.HasValue || row.Value!.GetString("ActionId") != actionId || row.Value.GetString("EngagementId") != engagementId) return;
        try
        {
            await Table.DeleteEntityAsync(NudgePartition(firmId), clientId, row.Value.ETag, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone already, or claimed since by another action.
        }
    }

    /// <summary>
    /// An erased engagement in the firm's bulk actions: each selection row naming it names its tombstone instead (so every
    /// action's counts stay what they were) and loses the client id; returns the actions that named it (their orchestrations'
    /// histories hold the engagement's id too).
    /// </summary>
    public async Task<IReadOnlyList<string>> ForgetEngagementAsync(string firmId, string engagementId, string tombstoneId, CancellationToken ct)
    {
        var actions = new List<string>();
        // Selections live in partitions "{firm}|{action}": the key range from "{firm}|" up to "{firm}}" ('}' follows '|').
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {firmId + "|"} and PartitionKey lt {firmId + "}"} and EngagementId eq {engagementId}");
        try
        {
            await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            {
                // Replaced without the client id (a merge cannot remove a property).
                var item = (await Table.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct)).Value;
                item.Remove("ClientId");
                item["EngagementId"] = tombstoneId;
                await Table.UpdateEntityAsync(item, item.ETag, TableUpdateMode.Replace, ct);
                actions.Add(row.PartitionKey[(firmId.Length + 1)..]);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The firm never ran a bulk action here: no table yet.
        }
        return [.. actions.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Deletes the client's nudge claim (the last bulk nudge of them), or only when it came from <paramref name="engagementId"/>
    /// if given (one engagement erased while the client has others); returns whether one went.
    /// </summary>
    public async Task<bool> ForgetNudgeClaimAsync(string firmId, string clientId, string? engagementId, CancellationToken ct)
    {
        try
        {
            var row = await Table.GetEntityIfExistsAsync<TableEntity>(NudgePartition(firmId), clientId, cancellationToken: ct);
            if (!row.HasValue || (engagementId is not null && row.Value!.GetString("EngagementId") != engagementId)) return false;
            await Table.DeleteEntityAsync(NudgePartition(firmId), clientId, ETag.All, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    private static TableEntity ToEntity(BulkActionRecord r) => new(r.FirmId, r.ActionId)
    {
        ["Action"] = r.Action, ["Message"] = r.Message, ["Reason"] = r.Reason, ["Filter"] = r.Filter, ["CreatedBy"] = r.CreatedBy,
        ["CreatedByRole"] = r.CreatedByRole, ["CreatedAt"] = r.CreatedAt, ["Selected"] = r.Selected, ["Status"] = r.Status, ["RunBy"] = r.RunBy,
        ["RunAt"] = r.RunAt, ["FinishedAt"] = r.FinishedAt, ["Done"] = r.Done, ["Applied"] = r.Applied, ["Deferred"] = r.Deferred, ["Rejected"] = r.Rejected,
        ["Skipped"] = r.Skipped, ["Pending"] = r.Pending, ["Reasons"] = JsonSerializer.Serialize(r.Reasons),
    };

    private static BulkActionRecord FromEntity(TableEntity e) => new(
        e.PartitionKey, e.RowKey, e.GetString("Action") ?? "", e.GetString("Message"), e.GetString("Reason"), e.GetString("Filter") ?? "{}",
        e.GetString("CreatedBy") ?? "", e.GetString("CreatedByRole") ?? "", e.GetDateTimeOffset("CreatedAt") ?? default, e.GetInt32("Selected") ?? 0,
        e.GetString("Status") ?? BulkActionRecord.Draft, e.GetString("RunBy"), e.GetDateTimeOffset("RunAt"), e.GetDateTimeOffset("FinishedAt"),
        e.GetInt32("Done") ?? 0, e.GetInt32("Applied") ?? 0, e.GetInt32("Deferred") ?? 0, e.GetInt32("Rejected") ?? 0, e.GetInt32("Skipped") ?? 0,
        e.GetInt32("Pending") ?? 0,
        e.GetString("Reasons") is { Length: > 0 } json ? JsonSerializer.Deserialize<Dictionary<string, int>>(json) ?? [] : new Dictionary<string, int>());
}
