using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Orchestrations.ReadModel;

/// <summary>The engagement as the read model shows it: the rules' state and where the engine stands.</summary>
/// <param name="StepParked">Why its next step is parked (flag <c>step-parked</c>), or null.</param>
/// <param name="RepairedAt">When the engine last found its orchestration stopped and started it again from this snapshot
/// (flag <c>engagement-repaired</c>, kept from then on), or null.</param>
/// <param name="Repaired">What the engine found then (e.g. <c>Terminated</c>, <c>missing</c>), never client content.</param>
public sealed record EngagementSnapshot(
    string EngagementId,
    long Version,
    string Status,
    EngagementState? State,
    string FirmId,
    string? CoachId,
    string? SponsorId,
    string? ActiveInstance,
    IReadOnlyList<TimerEntry> Timers,
    IReadOnlyList<ParkedEffect> Parked,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? StepParked = null,
    DateTimeOffset? RepairedAt = null,
    string? Repaired = null,
    IReadOnlyList<EffectToRun>? Pending = null);

/// <summary>What <see cref="EngagementStore.RecordAsync"/> did with a step.</summary>
public enum RecordResult
{
    /// <summary>Written now.</summary>
    Written,
    /// <summary>
    /// This step was written already: by an earlier run of its activity, or by its twin (the same instance deciding from
    /// the same version in an episode the engine ran again after a crash, at another moment). Nothing written.
    /// </summary>
    Repeat,
    /// <summary>The engagement was erased: nothing written, nothing more to do.</summary>
    Erased,
    /// <summary>The read model is at another version or state than the step expects: nothing written.</summary>
    Diverged,
}

/// <summary>One recorded event of the timeline.</summary>
public sealed record TimelineEvent(long Version, string Type, DateTimeOffset At, JsonElement Data);

/// <summary>An input as its caller can follow it.</summary>
public sealed record InputRecord(string Key, string Type, string Status, string? Reason, long? Version, DateTimeOffset AcceptedAt);

/// <summary>One row of a firm's listing.</summary>
public sealed record IndexEntry(
    string EngagementId, string Status, long Version, string? CoachId, string? SponsorId, string Phase, string? WaitingFor,
    DateTimeOffset? DueAt, IReadOnlyList<string> Flags, string? Label, string? Category, DateTimeOffset UpdatedAt,
    string? CohortId = null, string? ClientId = null, ProjectedMilestones? Milestones = null, DateTimeOffset? CreatedAt = null,
    DateTimeOffset? FinishedAt = null);

/// <summary>
/// What is left in a firm's listing of an engagement that was erased: that it existed, its program and its dates (as days),
/// so the firm's counts stay honest. Nothing in it names or points to the client: a new id, no client id, cohort or sponsor.
/// </summary>
public sealed record Tombstone(string TombstoneId, string ProgramId, DateTimeOffset? StartedOn, DateTimeOffset? FinishedOn, DateTimeOffset ErasedAt, string Reason);

/// <summary>
/// What the read model knows of one effect's delivery (its row <c>fx-…</c> in the engagement's partition): when it was
/// first attempted, how many attempts began, and when one finished (null while none has).
/// </summary>
public sealed record EffectDelivery(string EffectId, string Type, DateTimeOffset FirstAttemptedAt, int Attempts, DateTimeOffset? DeliveredAt)
{
    public bool Delivered => DeliveredAt is not null;
}

/// <summary>What a listing keeps (every field null: the whole firm). Each is an equality test on an index column.</summary>
/// <param name="IncludeErased">Keep the tombstones of erased engagements too (status <see cref="EngagementStatus.Erased"/>): counts do; listings of engagements do not.</param>
public sealed record IndexFilter(
    string? CoachId = null, string? Phase = null, string? Status = null, string? Flag = null, string? SponsorId = null,
    string? CohortId = null, string? ClientId = null, bool IncludeErased = false);

/// <summary>
/// The engagement read model in Azure Tables, written only by activities (and by the start, before the engine
/// runs): table <c>{prefix}engagements</c> keeps one partition per engagement (row <c>state</c>: the snapshot and
/// where inputs go; rows <c>e…</c>: the timeline; rows <c>in-…</c>: the inbox of accepted inputs; rows <c>fx-…</c>:
/// the delivery record of each effect), and table
/// <c>{prefix}index</c> one partition per firm with a row per engagement, which listing filters on.
/// </summary>
/// <remarks>
/// A step is written once, in one entity-group transaction guarded by the snapshot's ETag, whatever number of
/// times its activity runs: a repeat finds the snapshot at or past the step's version and writes nothing.
/// </remarks>
public sealed class EngagementStore(TableServiceClient tables, string prefix)
{
    private const string StateRow = "state";
    private const string InboxPrefix = "in-";

    /// <summary>How the row keys of effects' delivery records begin (<c>fx-</c>, then a hash of the effect id).</summary>
    public const string EffectPrefix = "fx-";

    public TableClient Engagements { get; } = tables.GetTableClient($"{prefix.ToLowerInvariant()}engagements");

    /// <summary>Another of the read model's tables, <c>{prefix}{name}</c>, in the same account (e.g. bulk actions).</summary>
    public TableClient Table(string name) => tables.GetTableClient($"{prefix.ToLowerInvariant()}{name}");
    public TableClient Index { get; } = tables.GetTableClient($"{prefix.ToLowerInvariant()}index");

    public async Task EnsureCreatedAsync(CancellationToken ct = default) =>
        await Task.WhenAll(Engagements.CreateIfNotExistsAsync(ct), Index.CreateIfNotExistsAsync(ct));

    /// <summary>Claims the engagement id. False when it exists (a repeated start).</summary>
    public async Task<bool> CreateAsync(string engagementId, StartEngagement start, DateTimeOffset at, CancellationToken ct)
    {
        var row = new TableEntity(engagementId, StateRow)
        {
            ["Version"] = 0L, ["Status"] = EngagementStatus.Starting, ["FirmId"] = start.FirmId, ["CoachId"] = start.CoachId, ["SponsorId"] = start.SponsorId,
            ["CreatedAt"] = at, ["UpdatedAt"] = at,
        };
        try
        {
            await Engagements.AddEntityAsync(row, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
        await Index.UpsertEntityAsync(new TableEntity(start.FirmId, engagementId)
        {
            ["Status"] = EngagementStatus.Running, ["Version"] = 0L, ["CoachId"] = start.CoachId, ["SponsorId"] = start.SponsorId, ["Phase"] = "contract",
            ["WaitingFor"] = "client-signature", ["Flags"] = "", ["Label"] = start.ClientName, ["Category"] = start.ProgramId, ["UpdatedAt"] = at,
            ["CohortId"] = start.CohortId, ["ClientId"] = start.ClientId, ["CreatedAt"] = at,
        }, TableUpdateMode.Replace, ct);
        return true;
    }

    /// <summary>Keeps an input. Returns null when it is new, or the input kept earlier under the same key.</summary>
    public async Task<InputRecord?> AcceptAsync(string engagementId, string key, Envelope input, DateTimeOffset at, CancellationToken ct)
    {
        var row = new TableEntity(engagementId, InboxRowKey(key)) { ["Key"] = key, ["Type"] = input.Type, ["Status"] = RaiseOutcome.Accepted, ["AcceptedAt"] = at };
        TableText.Write(row, "Data", input.Json);
        try
        {
            await Engagements.AddEntityAsync(row, ct);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await GetInputAsync(engagementId, key, ct);
        }
    }

    /// <summary>Deletes a kept input (one kept just as its engagement was erased).</summary>
    public async Task ForgetInputAsync(string engagementId, string key, CancellationToken ct)
    {
        try
        {
            await Engagements.DeleteEntityAsync(engagementId, InboxRowKey(key), ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The erasure found it first.
        }
    }

    public async Task<InputRecord?> GetInputAsync(string engagementId, string key, CancellationToken ct)
    {
        var row = await Engagements.GetEntityIfExistsAsync<TableEntity>(engagementId, InboxRowKey(key), cancellationToken: ct);
        return row.HasValue ? ToInput(row.Value!) : null;
    }

    /// <summary>
    /// Makes <paramref name="instanceId"/> the orchestration inputs are raised to, then returns the inputs kept
    /// but never decided. The order matters: a caller keeps its input first and reads the instance second, so
    /// an input is either raised to this instance or found here.
    /// </summary>
    public async Task<IReadOnlyList<PendingInput>> BeginPartAsync(string engagementId, string instanceId, CancellationToken ct)
    {
        try
        {
            await Engagements.UpdateEntityAsync(new TableEntity(engagementId, StateRow) { ["ActiveInstance"] = instanceId }, ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return []; // erased: nothing waits for it
        }
        var waiting = await InboxAsync(engagementId, RaiseOutcome.Accepted, ct);
        // The start comes first whatever the clocks said; then in the order they were kept.
        return [.. waiting.OrderBy(i => i.Input.Type != nameof(StartEngagement)).ThenBy(i => i.AcceptedAt).ThenBy(i => i.Key, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Begins an attempt at an effect: the first attempt creates its delivery record (a conditional insert, so two
    /// attempts never both think they are the first) with the time <paramref name="at"/>; a later one finds the record and
    /// counts itself in it. Returns the record as the attempt may use it, or null when the engagement was erased (run nothing).
    /// </summary>
    /// <remarks>
    /// A delivered record means the effect must not run again. Otherwise the caller runs the effect with
    /// <see cref="EffectDelivery.FirstAttemptedAt"/> (what it signs and dates is then the same on every attempt) and
    /// calls <see cref="MarkDeliveredAsync"/> once it has gone.
    /// </remarks>
    public async Task<EffectDelivery?> BeginEffectAsync(string engagementId, string effectId, string type, DateTimeOffset at, CancellationToken ct)
    {
        var key = EffectRowKey(effectId);
        // Whole seconds: the time comes back from the table exactly so on every later attempt (as an email's Date does).
        at = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        try
        {
            await Engagements.AddEntityAsync(new TableEntity(engagementId, key)
            {
                ["EffectId"] = effectId, ["Type"] = type, ["FirstAttemptedAt"] = at, ["LastAttemptedAt"] = at, ["Attempts"] = 1,
            }, ct);
            // Written just as the engagement was erased: take it back and run nothing. The erasure deletes the snapshot before
            // it lists the partition's rows, so either this read sees the snapshot gone or the erasure's listing sees this row.
            if (await ExistsAsync(engagementId, ct)) return new EffectDelivery(effectId, type, at, 1, null);
            await DeleteEffectRowAsync(engagementId, key, ct);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // An earlier attempt began it.
        }
        var found = await Engagements.GetEntityIfExistsAsync<TableEntity>(engagementId, key, cancellationToken: ct);
        if (!found.HasValue) return null; // deleted since: the erasure's
        var row = found.Value!;
        var recorded = ToDelivery(row);
        if (recorded.Delivered) return recorded;
        var delivery = recorded with { Attempts = recorded.Attempts + 1 };
        // Conditional on what was read: an attempt that began at the same moment fails this one (412), which is then retried.
        await Engagements.UpdateEntityAsync(new TableEntity(engagementId, key) { ["Attempts"] = delivery.Attempts, ["LastAttemptedAt"] = at },
            row.ETag, TableUpdateMode.Merge, ct);
        return delivery;
    }

    /// <summary>Records that an effect begun with <see cref="BeginEffectAsync"/> has gone; never brings back a record the erasure deleted.</summary>
    public async Task MarkDeliveredAsync(string engagementId, string effectId, DateTimeOffset at, CancellationToken ct)
    {
        try
        {
            // If-Match "*": an update of the row that exists, never an insert.
            await Engagements.UpdateEntityAsync(new TableEntity(engagementId, EffectRowKey(effectId)) { ["DeliveredAt"] = at }, ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Erased while the effect ran.
        }
    }

    /// <summary>The delivery record of one effect, or null when no attempt began.</summary>
    public async Task<EffectDelivery?> GetEffectAsync(string engagementId, string effectId, CancellationToken ct)
    {
        var row = await Engagements.GetEntityIfExistsAsync<TableEntity>(engagementId, EffectRowKey(effectId), cancellationToken: ct);
        return row.HasValue ? ToDelivery(row.Value!) : null;
    }

    /// <summary>The delivery records of every effect of an engagement, in no particular order (row keys are hashes).</summary>
    public async IAsyncEnumerable<EffectDelivery> ReadEffectsAsync(string engagementId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {engagementId} and RowKey ge {EffectPrefix} and RowKey lt {"fx."}");
        await foreach (var row in Engagements.QueryAsync<TableEntity>(filter, cancellationToken: ct)) yield return ToDelivery(row);
    }

    private async Task DeleteEffectRowAsync(string engagementId, string key, CancellationToken ct)
    {
        try
        {
            await Engagements.DeleteEntityAsync(engagementId, key, ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The erasure's listing found it first.
        }
    }

    /// <summary>Where inputs for the engagement go now, and whether it takes any. Null when there is no such engagement.</summary>
    public async Task<(string? ActiveInstance, string Status)?> GetRouteAsync(string engagementId, CancellationToken ct)
    {
        var row = await Engagements.GetEntityIfExistsAsync<TableEntity>(engagementId, StateRow, ["ActiveInstance", "Status"], ct);
        return row.HasValue ? (row.Value!.GetString("ActiveInstance"), row.Value.GetString("Status") ?? EngagementStatus.Running) : null;
    }

    /// <summary>
    /// Writes one step (once), then its index row when what listing shows changed. Writes nothing for a repeat of a step
    /// written already, for an erased engagement, and for a step that expects another state than the read model holds.
    /// </summary>
    public async Task<RecordResult> RecordAsync(StepRecord step, CancellationToken ct)
    {
        var current = await Engagements.GetEntityIfExistsAsync<TableEntity>(step.EngagementId, StateRow, cancellationToken: ct);
        if (!current.HasValue) return RecordResult.Erased; // the start created the row; without it the engagement was erased
        var version = current.Value!.GetInt64("Version") ?? 0;
        if (current.Value.GetString("StepAt") == Stamp(step)) return RecordResult.Repeat; // this activity ran before
        if (version > step.FromVersion)
        {
            // A later version is stored: this step's own first event (written by an earlier run of it) says it was this step.
            if (step.Events.Count == 0) return RecordResult.Repeat; // a step without events leaves no row to tell by; as before
            var first = await Engagements.GetEntityIfExistsAsync<TableEntity>(step.EngagementId, EventRowKey(step.FromVersion + 1), ["Step", "Type"], ct);
            if (!first.HasValue) return RecordResult.Diverged;
            // Rows written before steps were stamped cannot tell: taken as a repeat, as before.
            if (first.Value!.GetString("Step") is not { } stamp || stamp == Stamp(step)) return RecordResult.Repeat;
            // Its twin: the same instance decided the same event from this version at another moment.
            return Twins(stamp, step) && first.Value.GetString("Type") == step.Events[0].Type ? RecordResult.Repeat : RecordResult.Diverged;
        }
        // Behind what the orchestration believes, or at the same version with another state: never write past it.
        if (version < step.FromVersion) return RecordResult.Diverged;
        if (step.BeforeHash is { } expected && current.Value.GetString("StateHash") is { } stored && stored != expected) return RecordResult.Diverged;

        var actions = new List<TableTransactionAction>();
        for (var i = 0; i < step.Events.Count; i++)
        {
            var e = step.Events[i];
            var row = new TableEntity(step.EngagementId, EventRowKey(step.FromVersion + i + 1)) { ["Type"] = e.Type, ["At"] = step.At, ["Step"] = Stamp(step) };
            TableText.Write(row, "Data", e.Json);
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, row));
        }
        foreach (var outcome in step.Outcomes)
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity(step.EngagementId, InboxRowKey(outcome.Key))
            {
                ["Status"] = outcome.Result, ["Reason"] = outcome.Reason, ["Version"] = outcome.Version,
            }));

        var status = step.State.Phase switch { EngagementPhase.Closed => EngagementStatus.Completed, EngagementPhase.Ended => EngagementStatus.Ended, _ => EngagementStatus.Running };
        var projection = step.Projection;
        var flags = step.Parked.Count > 0 ? [.. projection.Flags, "effect-parked"] : projection.Flags;
        var repairedAt = current.Value.GetDateTimeOffset("RepairedAt");
        if (repairedAt is not null) flags = [.. flags, RepairedFlag];
        var indexKey = string.Join('|', status, projection.CoachId, projection.Phase, projection.WaitingFor, projection.DueAt?.UtcTicks, string.Join(',', flags), projection.SponsorId,
            projection.CohortId, projection.Milestones);
        var state = new TableEntity(step.EngagementId, StateRow)
        {
            ["Version"] = step.ToVersion, ["Status"] = status, ["FirmId"] = projection.FirmId, ["CoachId"] = projection.CoachId,
            ["SponsorId"] = projection.SponsorId, ["Phase"] = projection.Phase, ["ActiveInstance"] = step.InstanceId,
            ["Timers"] = JsonSerializer.Serialize(step.Timers, EngagementCodec.Json), ["Parked"] = JsonSerializer.Serialize(step.Parked, EngagementCodec.Json),
            ["IndexKey"] = indexKey, ["StepAt"] = Stamp(step), ["StateHash"] = StateHash.Of(step.State),
            ["CreatedAt"] = current.Value.GetDateTimeOffset("CreatedAt") ?? step.At, ["UpdatedAt"] = step.At,
            // The report of a repair stays with the engagement (see ClaimRepairAsync).
            ["RepairedAt"] = repairedAt, ["Repaired"] = current.Value.GetString("Repaired"), ["Repairs"] = current.Value.GetInt32("Repairs"),
        };
        TableText.Write(state, "State", JsonSerializer.Serialize(step.State, EngagementCodec.Json));
        // What may still be undelivered after this step (each effect's own record says which went): a repair runs them.
        if (step.Pending.Any()) TableText.Write(state, "Pending", JsonSerializer.Serialize(step.Pending.ToList(), EngagementCodec.Json));
        actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, state, current.Value.ETag));

        // A transaction holds at most 100 rows: a very large step writes its events first, the snapshot last.
        for (var i = 0; i < actions.Count; i += 100)
            await Engagements.SubmitTransactionAsync(actions.Skip(i).Take(100), ct);

        if (current.Value.GetString("IndexKey") == indexKey && step.FromVersion > 0) return RecordResult.Written;
        var index = new TableEntity(projection.FirmId, step.EngagementId)
        {
            ["Status"] = status, ["Version"] = step.ToVersion, ["CoachId"] = projection.CoachId, ["SponsorId"] = projection.SponsorId,
            ["Phase"] = projection.Phase, ["WaitingFor"] = projection.WaitingFor, ["DueAt"] = projection.DueAt, ["Flags"] = string.Join(',', flags),
            ["Label"] = projection.Label, ["Category"] = projection.Category, ["UpdatedAt"] = step.At,
            ["CohortId"] = projection.CohortId, ["ClientId"] = projection.ClientId, ["CreatedAt"] = current.Value.GetDateTimeOffset("CreatedAt") ?? step.At,
            ["FinishedAt"] = step.State.ClosedAt,
        };
        if (projection.Milestones is { } m)
        {
            index["Signed"] = m.Signed; index["IntakeCompleted"] = m.IntakeCompleted; index["SessionsHeld"] = m.SessionsHeld;
            index["ReassessmentsCompleted"] = m.ReassessmentsCompleted; index["Graduated"] = m.Graduated; index["Progress"] = m.ProgressSinceBaseline;
        }
        foreach (var flag in flags) index[FlagColumn(flag)] = true;
        await Index.UpsertEntityAsync(index, TableUpdateMode.Replace, ct);
        return RecordResult.Written;
    }

    /// <summary>
    /// Flags the engagement <see cref="StepParkedFlag"/> with why (snapshot and index row): its next recorded step
    /// replaces both rows and so clears it. Returns the firm and whether the flag is new (so its notice goes once), or
    /// null when the engagement was erased.
    /// </summary>
    public async Task<(string FirmId, bool First)?> ParkStepAsync(string engagementId, string reason, DateTimeOffset at, CancellationToken ct)
    {
        var current = await Engagements.GetEntityIfExistsAsync<TableEntity>(engagementId, StateRow, ["FirmId"], ct);
        if (!current.HasValue || current.Value!.GetString("FirmId") is not { Length: > 0 } firmId) return null;
        // A changed IndexKey makes the next step write the index row again (which drops the flag).
        await Engagements.UpdateEntityAsync(new TableEntity(engagementId, StateRow)
        {
            ["StepParked"] = reason, ["StepParkedAt"] = at, ["IndexKey"] = StepParkedFlag,
        }, ETag.All, TableUpdateMode.Merge, ct);
        var index = await Index.GetEntityIfExistsAsync<TableEntity>(firmId, engagementId, ["Flags"], ct);
        if (!index.HasValue) return (firmId, true);
        var flags = (index.Value!.GetString("Flags") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (flags.Contains(StepParkedFlag, StringComparer.Ordinal)) return (firmId, false);
        await Index.UpdateEntityAsync(new TableEntity(firmId, engagementId)
        {
            ["Flags"] = string.Join(',', [.. flags, StepParkedFlag]), [FlagColumn(StepParkedFlag)] = true,
        }, ETag.All, TableUpdateMode.Merge, ct);
        return (firmId, true);
    }

    /// <summary>The flag of an engagement whose step is parked (its activity kept failing, or the read model drifted).</summary>
    public const string StepParkedFlag = "step-parked";

    /// <summary>The flag of an engagement whose orchestration the engine found stopped (failed, terminated or missing) and started again from the read model.</summary>
    public const string RepairedFlag = "engagement-repaired";

    /// <summary>
    /// Claims the repair of an engagement the read model says runs (status <c>running</c> or <c>starting</c>) and records it as
    /// the report: snapshot columns <c>RepairedAt</c>, <c>Repaired</c> (<paramref name="found"/>) and <c>Repairs</c>, kept by every
    /// later step, and the flag <see cref="RepairedFlag"/> on the firm's index row. Returns the snapshot as claimed, or null when
    /// there is nothing to repair (erased, over) or another repair claimed it within <paramref name="notWithin"/>.
    /// </summary>
    /// <remarks>Conditional on the snapshot's ETag, so of two sweeps (or a sweep and a request) at once only one repairs.</remarks>
    public async Task<EngagementSnapshot?> ClaimRepairAsync(string engagementId, string found, DateTimeOffset at, TimeSpan notWithin, CancellationToken ct)
    {
        var current = await Engagements.GetEntityIfExistsAsync<TableEntity>(engagementId, StateRow, ["Status", "RepairedAt", "Repairs", "FirmId"], ct);
        if (!current.HasValue) return null;
        var row = current.Value!;
        if (!EngagementStatus.IsLive(row.GetString("Status"))) return null;
        if (row.GetDateTimeOffset("RepairedAt") is { } last && at - last < notWithin) return null;
        try
        {
            // A changed IndexKey makes the next step write the index row again, with the flag (see RecordAsync).
            await Engagements.UpdateEntityAsync(new TableEntity(engagementId, StateRow)
            {
                ["RepairedAt"] = at, ["Repaired"] = found, ["Repairs"] = (row.GetInt32("Repairs") ?? 0) + 1, ["IndexKey"] = RepairedFlag,
            }, row.ETag, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null; // erased, or moved on (a step, another repair) since it was read: the next look decides again
        }
        if (row.GetString("FirmId") is { Length: > 0 } firmId
            && await Index.GetEntityIfExistsAsync<TableEntity>(firmId, engagementId, ["Flags"], ct) is { HasValue: true } index)
        {
            var flags = (index.Value!.GetString("Flags") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (!flags.Contains(RepairedFlag, StringComparer.Ordinal))
                await Index.UpdateEntityAsync(new TableEntity(firmId, engagementId)
                {
                    ["Flags"] = string.Join(',', [.. flags, RepairedFlag]), [FlagColumn(RepairedFlag)] = true,
                }, ETag.All, TableUpdateMode.Merge, ct);
        }
        return await GetAsync(engagementId, ct);
    }

    /// <summary>
    /// Every engagement the firms' listings show as running, as (firm, engagement), page by page: one query over the index
    /// (a row per engagement, two columns read), never a read of the engagements' own partitions.
    /// </summary>
    public async IAsyncEnumerable<(string FirmId, string EngagementId)> ListRunningAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var row in Index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Status eq {EngagementStatus.Running}"), maxPerPage: 1000,
                           select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            yield return (row.PartitionKey, row.RowKey);
    }

    /// <summary>The inputs whose outcome is <c>deferred</c> (kept until the engagement can take them), in the order they were kept.</summary>
    public async Task<IReadOnlyList<PendingInput>> DeferredInputsAsync(string engagementId, CancellationToken ct) =>
        [.. (await InboxAsync(engagementId, InputOutcome.Deferred, ct)).OrderBy(i => i.AcceptedAt).ThenBy(i => i.Key, StringComparer.Ordinal)];

    private async Task<List<PendingInput>> InboxAsync(string engagementId, string status, CancellationToken ct)
    {
        var inputs = new List<PendingInput>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {engagementId} and RowKey ge {InboxPrefix} and RowKey lt {"in."} and Status eq {status}");
        await foreach (var row in Engagements.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            inputs.Add(new PendingInput(row.GetString("Key"), new Envelope(row.GetString("Type"), TableText.Read(row, "Data") ?? "{}"), row.GetDateTimeOffset("AcceptedAt") ?? default));
        return inputs;
    }

    /// <summary>The snapshot of an engagement, or null.</summary>
    public async Task<EngagementSnapshot?> GetAsync(string engagementId, CancellationToken ct)
    {
        var row = await Engagements.GetEntityIfExistsAsync<TableEntity>(engagementId, StateRow, cancellationToken: ct);
        if (!row.HasValue) return null;
        var r = row.Value!;
        var state = TableText.Read(r, "State") is { } json ? JsonSerializer.Deserialize<EngagementState>(json, EngagementCodec.Json) : null;
        return new EngagementSnapshot(engagementId, r.GetInt64("Version") ?? 0, r.GetString("Status") ?? EngagementStatus.Running, state, r.GetString("FirmId") ?? "",
            r.GetString("CoachId"), r.GetString("SponsorId"), r.GetString("ActiveInstance"),
            r.GetString("Timers") is { } t ? JsonSerializer.Deserialize<List<TimerEntry>>(t, EngagementCodec.Json)! : [],
            r.GetString("Parked") is { } p ? JsonSerializer.Deserialize<List<ParkedEffect>>(p, EngagementCodec.Json)! : [],
            r.GetDateTimeOffset("CreatedAt") ?? default, r.GetDateTimeOffset("UpdatedAt") ?? default, r.GetString("StepParked"),
            r.GetDateTimeOffset("RepairedAt"), r.GetString("Repaired"),
            TableText.Read(r, "Pending") is { } pending ? JsonSerializer.Deserialize<List<EffectToRun>>(pending, EngagementCodec.Json)! : []);
    }

    /// <summary>The timeline: every recorded event in order.</summary>
    public async Task<IReadOnlyList<TimelineEvent>> TimelineAsync(string engagementId, CancellationToken ct)
    {
        var events = new List<TimelineEvent>();
        await foreach (var e in ReadTimelineAsync(engagementId, ct: ct)) events.Add(e);
        return events;
    }

    /// <summary>
    /// The timeline one event at a time, in version order (only events of <paramref name="type"/> when given), for
    /// readers that must not hold a whole timeline (the data export).
    /// </summary>
    public async IAsyncEnumerable<TimelineEvent> ReadTimelineAsync(string engagementId, string? type = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {engagementId} and RowKey ge {"e"} and RowKey lt {"f"}");
        if (type is not null) filter += " and " + TableClient.CreateQueryFilter($"Type eq {type}");
        await foreach (var row in Engagements.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            using var data = JsonDocument.Parse(TableText.Read(row, "Data") ?? "{}");
            yield return new TimelineEvent(long.Parse(row.RowKey[1..], CultureInfo.InvariantCulture), row.GetString("Type"), row.GetDateTimeOffset("At") ?? default,
                data.RootElement.Clone());
        }
    }

    /// <summary>
    /// Every input the inbox kept, with its payload (JSON) and what came of it, in no particular order (row keys are
    /// hashes: order by <see cref="InputRecord.AcceptedAt"/>). The data export reads it; nothing else needs the payloads back.
    /// </summary>
    public async IAsyncEnumerable<(InputRecord Input, string Data)> ReadInboxAsync(string engagementId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {engagementId} and RowKey ge {InboxPrefix} and RowKey lt {"in."}");
        await foreach (var row in Engagements.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            yield return (ToInput(row), TableText.Read(row, "Data") ?? "{}");
    }

    /// <summary>One engagement's row of its firm's listing (one point read), or null.</summary>
    public async Task<IndexEntry?> GetIndexEntryAsync(string firmId, string engagementId, CancellationToken ct)
    {
        var row = await Index.GetEntityIfExistsAsync<TableEntity>(firmId, engagementId, cancellationToken: ct);
        return row.HasValue ? ToIndexEntry(row.Value!) : null;
    }

    /// <summary>A firm's engagements, filtered on what the index keeps; one query a page, never a scan of engagements.</summary>
    public async Task<(IReadOnlyList<IndexEntry> Items, string? ContinuationToken)> ListAsync(string firmId, IndexFilter where, int pageSize, string? continuationToken, CancellationToken ct)
    {
        await foreach (var page in Index.QueryAsync<TableEntity>(Filter(firmId, where), maxPerPage: Math.Clamp(pageSize, 1, 1000), cancellationToken: ct).AsPages(continuationToken))
            return ([.. page.Values.Select(ToIndexEntry)], page.ContinuationToken);
        return ([], null);
    }

    /// <summary>Every row of a firm's listing that the filter keeps, page after page (for counts and bulk selection; one partition, never a scan of engagements).</summary>
    public async IAsyncEnumerable<IndexEntry> ListAllAsync(string firmId, IndexFilter where, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var row in Index.QueryAsync<TableEntity>(Filter(firmId, where), maxPerPage: 1000, cancellationToken: ct))
            yield return ToIndexEntry(row);
    }

    private static string Filter(string firmId, IndexFilter where)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {firmId}");
        if (where.CoachId is not null) filter += " and " + TableClient.CreateQueryFilter($"CoachId eq {where.CoachId}");
        if (where.SponsorId is not null) filter += " and " + TableClient.CreateQueryFilter($"SponsorId eq {where.SponsorId}");
        if (where.Phase is not null) filter += " and " + TableClient.CreateQueryFilter($"Phase eq {where.Phase}");
        if (where.Status is not null) filter += " and " + TableClient.CreateQueryFilter($"Status eq {where.Status}");
        if (where.CohortId is not null) filter += " and " + TableClient.CreateQueryFilter($"CohortId eq {where.CohortId}");
        if (where.ClientId is not null) filter += " and " + TableClient.CreateQueryFilter($"ClientId eq {where.ClientId}");
        if (where.Flag is not null) filter += $" and {FlagColumn(where.Flag)} eq true";
        if (where.Status is null && !where.IncludeErased) filter += " and " + TableClient.CreateQueryFilter($"Status ne {EngagementStatus.Erased}");
        return filter;
    }

    /// <summary>
    /// Deletes the engagement's snapshot row first: from then on a late activity records nothing and an effect that wrote
    /// something checks and takes it back (see <see cref="ExistsAsync"/>). False when it was gone already.
    /// </summary>
    public async Task<bool> DeleteSnapshotAsync(string engagementId, CancellationToken ct)
    {
        try
        {
            await Engagements.DeleteEntityAsync(engagementId, StateRow, ETag.All, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>Whether the engagement still exists (its snapshot row); one point read of one column.</summary>
    public async Task<bool> ExistsAsync(string engagementId, CancellationToken ct) =>
        (await Engagements.GetEntityIfExistsAsync<TableEntity>(engagementId, StateRow, ["Version"], ct)).HasValue;

    /// <summary>Deletes every row of an engagement (the snapshot among them) and its index row; returns how many rows went.</summary>
    /// <remarks>Idempotent: an erasure that stopped half-way and runs again deletes what is left.</remarks>
    public async Task<int> PurgeAsync(string engagementId, string firmId, CancellationToken ct)
    {
        var rows = await DeleteSnapshotAsync(engagementId, ct) ? 1 : 0;
        var keys = new List<string>();
        await foreach (var row in Engagements.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {engagementId}"), select: ["RowKey"], cancellationToken: ct))
            keys.Add(row.RowKey);
        foreach (var chunk in keys.Chunk(100))
        {
            await Engagements.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(engagementId, k), ETag.All)), ct);
            rows += chunk.Length;
        }
        try
        {
            await Index.DeleteEntityAsync(firmId, engagementId, ETag.All, ct);
            rows++;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Deleted by an earlier run of the same erasure.
        }
        return rows;
    }

    /// <summary>Writes an erased engagement's tombstone into the firm's listing (again, harmlessly, on a repeat).</summary>
    public Task WriteTombstoneAsync(string firmId, Tombstone tombstone, CancellationToken ct) =>
        Index.UpsertEntityAsync(new TableEntity(firmId, tombstone.TombstoneId)
        {
            ["Status"] = EngagementStatus.Erased, ["Phase"] = EngagementStatus.Erased, ["Version"] = 0L, ["Flags"] = "", ["Category"] = tombstone.ProgramId,
            ["CreatedAt"] = tombstone.StartedOn, ["FinishedAt"] = tombstone.FinishedOn, ["ErasedAt"] = tombstone.ErasedAt, ["UpdatedAt"] = tombstone.ErasedAt,
            ["ErasedBy"] = tombstone.Reason,
        }, TableUpdateMode.Replace, ct);

    private static IndexEntry ToIndexEntry(TableEntity r) => new(r.RowKey, r.GetString("Status") ?? EngagementStatus.Running, r.GetInt64("Version") ?? 0, r.GetString("CoachId"),
        r.GetString("SponsorId"), r.GetString("Phase") ?? "", r.GetString("WaitingFor"), r.GetDateTimeOffset("DueAt"),
        (r.GetString("Flags") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries), r.GetString("Label"), r.GetString("Category"),
        r.GetDateTimeOffset("UpdatedAt") ?? default, r.GetString("CohortId"), r.GetString("ClientId"),
        r.ContainsKey("Signed")
            ? new ProjectedMilestones(r.GetBoolean("Signed") ?? false, r.GetBoolean("IntakeCompleted") ?? false, r.GetInt32("SessionsHeld") ?? 0,
                r.GetInt32("ReassessmentsCompleted") ?? 0, r.GetBoolean("Graduated") ?? false, r.GetDouble("Progress"))
            : null,
        r.GetDateTimeOffset("CreatedAt"), r.GetDateTimeOffset("FinishedAt"));

    /// <summary>Which step wrote a row: its instance, the version it decided from, and when (<see cref="Twins"/> leaves the time out).</summary>
    private static string Stamp(StepRecord step) => $"{StepOf(step)}:{step.At.UtcTicks}";

    private static string StepOf(StepRecord step) => $"{step.InstanceId}@{step.FromVersion}";

    /// <summary>
    /// Whether <paramref name="stamp"/> was written by this instance from this step's version at another moment: a twin
    /// episode (run again after a crash before its episode was saved) decides the same step with another "now". Only
    /// steps with events can be told apart so (an instance records several steps without events from one version).
    /// </summary>
    private static bool Twins(string stamp, StepRecord step) => stamp.StartsWith(StepOf(step) + ":", StringComparison.Ordinal);

    private static InputRecord ToInput(TableEntity row) => new(row.GetString("Key"), row.GetString("Type"), row.GetString("Status") ?? RaiseOutcome.Accepted,
        row.GetString("Reason"), row.GetInt64("Version"), row.GetDateTimeOffset("AcceptedAt") ?? default);

    public static string InboxRowKey(string key) => Hashed(InboxPrefix, key);

    /// <summary>An effect's delivery record: <c>fx-</c> and a hash of its id (effect ids hold '/', which a row key cannot).</summary>
    public static string EffectRowKey(string effectId) => Hashed(EffectPrefix, effectId);

    private static string Hashed(string prefix, string key) => prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];

    private static EffectDelivery ToDelivery(TableEntity row) => new(row.GetString("EffectId") ?? "", row.GetString("Type") ?? "",
        row.GetDateTimeOffset("FirstAttemptedAt") ?? default, row.GetInt32("Attempts") ?? 1, row.GetDateTimeOffset("DeliveredAt"));

    private static string EventRowKey(long version) => "e" + version.ToString("D10", CultureInfo.InvariantCulture);

    public static string FlagColumn(string flag) => "F_" + new string([.. flag.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
