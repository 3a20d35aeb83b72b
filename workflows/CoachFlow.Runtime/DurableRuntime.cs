using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CoachFlow.Workflows.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoachFlow.Runtime;

/// <summary>
/// CoachFlow's durable workflow runtime on Azure Storage. One instance (engagement) is one table partition;
/// each step commits its events, snapshot, inbox and outbox in one entity-group transaction guarded by the
/// snapshot's ETag. Effects run at least once after their step; timers of any length live in a due-timer table.
/// </summary>
/// <remarks>
/// Thread-safe. Requests for one instance are serialized in this host and committed together when they
/// queue up (group commit); across hosts the snapshot ETag keeps steps from being applied twice or lost.
/// Time comes only from the <see cref="TimeProvider"/> given here.
/// </remarks>
public sealed partial class DurableRuntime
{
    private readonly ConcurrentDictionary<string, InstanceSlot> _slots = new(StringComparer.Ordinal);
    private readonly RuntimeOptions _options;
    private readonly StorageAccount _storage;
    private readonly WorkflowRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GuardLanes _guards;
    private readonly EffectRunner _effects;
    private readonly TimerScanner _scanner;

    /// <summary>Creates a runtime over a storage account; call <see cref="StorageAccount.EnsureCreatedAsync"/> first.</summary>
    public DurableRuntime(StorageAccount storage, WorkflowRegistry registry, RuntimeOptions options, TimeProvider? time = null, ILogger<DurableRuntime>? logger = null)
    {
        _storage = storage;
        _registry = registry;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        // Guard windows live in queue time (message visibility), which is real time even when steps run on a fake clock.
        _guards = new GuardLanes(storage, options, TimeProvider.System, _logger);
        _effects = new EffectRunner(this, storage, options, _time, _logger);
        _scanner = new TimerScanner(this, storage, options, _time, _logger);
    }

    internal RuntimeOptions Options => _options;
    internal StorageAccount Storage => _storage;
    internal WorkflowRegistry Registry => _registry;
    internal EffectRunner Effects => _effects;
    internal TimerScanner Scanner => _scanner;

    /// <summary>Storage requests sent by this runtime so far (every table, queue and blob call, retries included).</summary>
    public long StorageRequests => _storage.Counter.Count;

    /// <summary>Registers the handler of one effect type. Handlers run at least once per effect; use <see cref="EffectContext.EffectId"/> as the idempotency key.</summary>
    public DurableRuntime Handle<TEffect>(Func<EffectContext, TEffect, CancellationToken, Task> handler) where TEffect : WorkflowEffect
    {
        _effects.Handle(typeof(TEffect), (ctx, ct) => handler(ctx, (TEffect)ctx.Effect, ct));
        return this;
    }

    /// <summary>Starts an instance of the latest version of a definition. Starting again with the same key returns <see cref="InputResult.Duplicate"/>.</summary>
    /// <exception cref="InstanceAlreadyExistsException">The id is taken by another start.</exception>
    public Task<InputOutcome> StartAsync(string definition, string instanceId, WorkflowInput input, string idempotencyKey, CancellationToken ct = default) =>
        StartAsync(definition, null, instanceId, input, idempotencyKey, ct);

    /// <summary>Starts an instance on a given version of a definition.</summary>
    public Task<InputOutcome> StartAsync(string definition, int? version, string instanceId, WorkflowInput input, string idempotencyKey, CancellationToken ct = default)
    {
        Keys.ValidateInstanceId(instanceId);
        ValidateKey(idempotencyKey);
        var adapter = version is int v ? _registry.Get(definition, v) : _registry.Latest(definition);
        return SubmitAsync(instanceId, new StartRequest(adapter, input, idempotencyKey), ct);
    }

    /// <summary>Delivers an input now. The same idempotency key twice applies once.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="input">The input.</param>
    /// <param name="idempotencyKey">Identifies this input; a repeat is reported as <see cref="InputResult.Duplicate"/>.</param>
    /// <param name="expectedVersion">When set, the input applies only if the instance is still at this version.</param>
    /// <param name="ct">Cancels waiting (the input may still apply).</param>
    public Task<InputOutcome> RaiseAsync(string instanceId, WorkflowInput input, string idempotencyKey, long? expectedVersion = null, CancellationToken ct = default)
    {
        Keys.ValidateInstanceId(instanceId);
        ValidateKey(idempotencyKey);
        return SubmitAsync(instanceId, new InputRequest(input, null, idempotencyKey, expectedVersion), ct);
    }

    /// <summary>Delivers an input given as JSON (with its <c>$type</c>), e.g. from a queue message.</summary>
    public Task<InputOutcome> RaiseJsonAsync(string instanceId, string inputJson, string idempotencyKey, CancellationToken ct = default)
    {
        Keys.ValidateInstanceId(instanceId);
        ValidateKey(idempotencyKey);
        if (inputJson.Length > _options.MaxInputBytes) throw new BadInputException($"The input is larger than {_options.MaxInputBytes / 1024} KB.");
        return SubmitAsync(instanceId, new InputRequest(null, inputJson, idempotencyKey, null), ct);
    }

    /// <summary>Queues an input for any host to deliver (bulk automation). Returns once the message is stored.</summary>
    public async Task EnqueueInputAsync(string instanceId, string inputJson, string idempotencyKey, CancellationToken ct = default)
    {
        Keys.ValidateInstanceId(instanceId);
        ValidateKey(idempotencyKey);
        if (inputJson.Length > 48 * 1024) throw new BadInputException("A queued input is at most 48 KB; deliver larger ones directly.");
        var body = JsonSerializer.Serialize(new InputMessage("input", instanceId, idempotencyKey, inputJson));
        await _storage.Work.SendMessageAsync(body, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: ct);
        _poller?.Wake();
    }

    internal Task<InputOutcome> DeliverTimerAsync(string instanceId, string timerRowKey, long generation, CancellationToken ct) =>
        SubmitAsync(instanceId, new TimerRequest(timerRowKey, generation), ct);

    internal Task ParkAsync(string instanceId, string outboxRowKey, string error) =>
        SubmitAsync(instanceId, new ParkRequest(outboxRowKey, error), CancellationToken.None).ContinueWith(
            t => { if (t.IsFaulted) LogParkFailed(_logger, instanceId, t.Exception!.InnerException!.GetType().Name); },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Pauses: inputs and due timers are kept and applied on resume.</summary>
    public Task<InputOutcome> SuspendAsync(string instanceId, string? reason = null, CancellationToken ct = default) => Control(instanceId, ControlKind.Suspend, reason, null, ct);

    /// <summary>Resumes a paused instance; kept inputs are offered again and overdue timers fire once.</summary>
    public Task<InputOutcome> ResumeAsync(string instanceId, string? reason = null, CancellationToken ct = default) => Control(instanceId, ControlKind.Resume, reason, null, ct);

    /// <summary>Stops an instance for good; its timers are cancelled and it takes no more input.</summary>
    public Task<InputOutcome> TerminateAsync(string instanceId, string? reason = null, CancellationToken ct = default) => Control(instanceId, ControlKind.Terminate, reason, null, ct);

    /// <summary>Retries every parked effect of an instance (after the cause was fixed).</summary>
    public Task<InputOutcome> RedriveAsync(string instanceId, CancellationToken ct = default) => Control(instanceId, ControlKind.Redrive, null, null, ct);

    /// <summary>Moves an instance to another version of its definition, through that version's migration.</summary>
    public Task<InputOutcome> MigrateAsync(string instanceId, int toVersion, CancellationToken ct = default) => Control(instanceId, ControlKind.Migrate, null, toVersion, ct);

    private Task<InputOutcome> Control(string instanceId, ControlKind kind, string? reason, int? toVersion, CancellationToken ct)
    {
        Keys.ValidateInstanceId(instanceId);
        if (reason is { Length: > 500 }) throw new BadInputException("A reason is at most 500 characters.");
        return SubmitAsync(instanceId, new ControlRequest(kind, reason, toVersion), ct);
    }

    /// <summary>Reads one instance: state, phase, timers, effects not yet done, full history.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="firmId">When set, an instance of another firm is reported as not found.</param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="InstanceNotFoundException">No such instance (in that firm).</exception>
    public async Task<InstanceView> GetAsync(string instanceId, string? firmId = null, CancellationToken ct = default)
    {
        Keys.ValidateInstanceId(instanceId);
        TableEntity? state = null;
        var events = new List<TableEntity>();
        var timers = new List<TableEntity>();
        var outbox = new List<TableEntity>();
        var pending = 0;
        await foreach (var row in _storage.Instances.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}"), cancellationToken: ct))
        {
            switch (row.RowKey[0])
            {
                case 's': state = row; break;
                case 'e': events.Add(row); break;
                case 't': timers.Add(row); break;
                case 'o': outbox.Add(row); break;
                case 'p': pending++; break;
            }
        }
        if (state is null || (firmId is not null && state.GetString("FirmId") != firmId)) throw new InstanceNotFoundException(instanceId);

        var definition = _registry.Get(state.GetString("Definition"), state.GetInt32("DefinitionVersion")!.Value);
        var stateObject = definition.DeserializeState(await ReadInlineAsync(instanceId, state.GetString("State"), ct));
        var projection = definition.Project(stateObject);
        var parked = state.GetInt32("ParkedCount") ?? 0;
        var history = new List<HistoryEntry>(events.Count);
        foreach (var e in events)
            history.Add(new HistoryEntry(long.Parse(e.RowKey[1..], System.Globalization.CultureInfo.InvariantCulture), e.GetString("Type"), e.GetDateTimeOffset("At") ?? default,
                ParseOrString(await ReadInlineAsync(instanceId, e.GetString("Data"), ct))));

        return new InstanceView(
            instanceId,
            definition.Name,
            definition.Version,
            Enum.Parse<InstanceStatus>(state.GetString("Status")),
            state.GetInt64("Version") ?? 0,
            projection.FirmId,
            projection.CoachId,
            projection.Phase,
            projection.WaitingFor,
            projection.DueAt,
            parked > 0 ? [.. projection.Flags, "effect-parked"] : projection.Flags,
            state.GetDateTimeOffset("CreatedAt") ?? default,
            state.GetDateTimeOffset("UpdatedAt") ?? default,
            JsonSerializer.SerializeToElement(stateObject, stateObject.GetType(), definition.Json),
            [.. (await ReadTimersAsync(instanceId, state, timers, ct)).Values.Select(t => new TimerView(t.TimerId, t.DueAt)).OrderBy(t => t.DueAt)],
            pending,
            [.. outbox.Where(o => o.GetString("Status") != "pending").Select(o => new EffectView(
                Keys.EffectId(instanceId, o.RowKey), o.GetString("Type"), o.GetString("Status"), o.GetInt32("Attempts") ?? 0,
                o.GetDateTimeOffset("NextAttemptAt"), o.GetString("LastError")))],
            history);
    }

    /// <summary>The firm and coach of an instance, from one point read of its snapshot row (no history).</summary>
    /// <exception cref="InstanceNotFoundException">No such instance (in that firm).</exception>
    public async Task<InstanceOwner> GetOwnerAsync(string instanceId, string? firmId = null, CancellationToken ct = default)
    {
        Keys.ValidateInstanceId(instanceId);
        var row = await _storage.Instances.GetEntityIfExistsAsync<TableEntity>(instanceId, Keys.State, ["FirmId", "CoachId", "SponsorId"], ct);
        if (!row.HasValue || (firmId is not null && row.Value!.GetString("FirmId") != firmId)) throw new InstanceNotFoundException(instanceId);
        return new InstanceOwner(row.Value!.GetString("FirmId"), row.Value.GetString("CoachId"), row.Value.GetString("SponsorId"));
    }

    /// <summary>Lists a firm's instances through the index table (one partition per firm; never a full scan), a page at a time.</summary>
    public async Task<InstancePage> ListAsync(string firmId, InstanceFilter? filter = null, int pageSize = 50, string? continuationToken = null, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(firmId)) throw new BadInputException("A firm id is required.");
        if (pageSize is < 1 or > 500) throw new BadInputException("Page size is between 1 and 500.");
        filter ??= new InstanceFilter();
        var clauses = new List<string> { TableClient.CreateQueryFilter($"PartitionKey eq {firmId}") };
        if (filter.CoachId is not null) clauses.Add(TableClient.CreateQueryFilter($"CoachId eq {filter.CoachId}"));
        if (filter.SponsorId is not null) clauses.Add(TableClient.CreateQueryFilter($"SponsorId eq {filter.SponsorId}"));
        if (filter.Phase is not null) clauses.Add(TableClient.CreateQueryFilter($"Phase eq {filter.Phase}"));
        if (filter.Status is { } status) clauses.Add(TableClient.CreateQueryFilter($"Status eq {status.ToString()}"));
        if (filter.Flag is not null) clauses.Add($"{IndexEntry.FlagColumn(filter.Flag)} eq true");
        if (filter.OverdueOnly)
        {
            clauses.Add(TableClient.CreateQueryFilter($"DueAt lt {_time.GetUtcNow()}"));
            clauses.Add(TableClient.CreateQueryFilter($"Status eq {nameof(InstanceStatus.Running)}"));
        }
        var query = _storage.Index.QueryAsync<TableEntity>(string.Join(" and ", clauses), maxPerPage: pageSize, cancellationToken: ct);
        await foreach (var page in query.AsPages(continuationToken, pageSize))
        {
            var items = page.Values.Select(r => new InstanceSummary(
                r.RowKey, r.GetString("Definition"), r.GetInt32("DefinitionVersion") ?? 0, Enum.Parse<InstanceStatus>(r.GetString("Status")),
                r.GetInt64("Version") ?? 0, r.GetString("CoachId"), r.GetString("Phase"), r.GetString("WaitingFor"), r.GetDateTimeOffset("DueAt"),
                (r.GetString("Flags") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries), r.GetDateTimeOffset("UpdatedAt") ?? default,
                r.GetString("Label"), r.GetString("Category"))).ToList();
            return new InstancePage(items, page.ContinuationToken);
        }
        return new InstancePage([], null);
    }

    /// <summary>Erases every row and blob of an instance, its index row and its due timers. Purging twice is fine.</summary>
    public async Task<PurgeResult> PurgeAsync(string instanceId, string? firmId = null, CancellationToken ct = default)
    {
        Keys.ValidateInstanceId(instanceId);
        var slot = _slots.GetOrAdd(instanceId, _ => new InstanceSlot());
        await slot.Gate.WaitAsync(ct);
        try
        {
            var rows = new List<TableEntity>();
            await foreach (var row in _storage.Instances.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}"), cancellationToken: ct))
                rows.Add(row);
            var state = rows.FirstOrDefault(r => r.RowKey == Keys.State);
            if (state is null) throw new InstanceNotFoundException(instanceId);
            if (firmId is not null && state.GetString("FirmId") != firmId) throw new InstanceNotFoundException(instanceId);

            foreach (var (timerKey, timer) in await ReadTimersAsync(instanceId, state, rows.Where(r => r.RowKey.StartsWith('t')), ct))
                await DeleteIfExistsAsync(_storage.Timers, Keys.DueBucket(timer.DueAt), Keys.TimerIndexRow(instanceId, timerKey, timer.Generation), ct);
            foreach (var row in rows.Where(r => r.RowKey.StartsWith('o') && r.GetString("Status") == "retry"))
                await DeleteIfExistsAsync(_storage.Timers, Keys.DueBucket(row.GetDateTimeOffset("NextAttemptAt")!.Value), Keys.RetryIndexRow(instanceId, row.RowKey), ct);
            _effects.ForgetIndex(instanceId);
            await DeleteIfExistsAsync(_storage.Index, state.GetString("FirmId"), instanceId, ct);

            var blobs = 0;
            await foreach (var blob in _storage.Documents.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"instances/{instanceId}/", ct))
            {
                await _storage.Documents.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: ct);
                blobs++;
            }
            // The state row goes last, so a purge interrupted half-way can simply be run again.
            foreach (var chunk in rows.Where(r => r.RowKey != Keys.State).Chunk(100))
                await _storage.Instances.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), ct);
            await DeleteIfExistsAsync(_storage.Instances, instanceId, Keys.State, ct);
            slot.Cache = null;
            slot.DoneOutbox.Clear();
            return new PurgeResult(rows.Count, blobs);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private static async Task DeleteIfExistsAsync(TableClient table, string partitionKey, string rowKey, CancellationToken ct)
    {
        try { await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, ct); }
        catch (RequestFailedException ex) when (ex.Status == 404) { }
    }

    internal async Task<List<TableEntity>> ReadOutboxAsync(string instanceId, string status, CancellationToken ct)
    {
        var filter = Keys.Range(instanceId, 'o') + " and " + TableClient.CreateQueryFilter($"Status eq {status}");
        var rows = new List<TableEntity>();
        await foreach (var row in _storage.Instances.QueryAsync<TableEntity>(filter, cancellationToken: ct)) rows.Add(row);
        return rows;
    }

    /// <summary>Fires every timer and effect retry due now (the timer trigger calls this). Returns how many ran.</summary>
    public Task<int> FireDueTimersAsync(CancellationToken ct = default) => _scanner.FireDueAsync(ct);

    /// <summary>Waits until this host has no effect or index write in flight (tests and graceful shutdown).</summary>
    public async Task WhenIdleAsync(TimeSpan? timeout = null)
    {
        var deadline = Environment.TickCount64 + (long)(timeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds;
        while (_effects.InFlight > 0 || _slots.Values.Any(s => s.Gate.CurrentCount == 0))
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException("The runtime did not become idle in time.");
            await Task.Delay(5);
        }
    }

    /// <summary>Closes the current guard window now (graceful shutdown; tests).</summary>
    public async Task FlushGuardsAsync(TimeSpan? timeout = null)
    {
        await WhenIdleAsync(timeout);
        _guards.RetireCurrent();
        var deadline = Environment.TickCount64 + (long)(timeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds;
        while (!_guards.AllClosed && Environment.TickCount64 < deadline) await Task.Delay(5);
    }

    /// <summary>Drops this host's snapshot cache (tests use it to force reads from storage).</summary>
    public void ClearCache() => _slots.Clear();

    private static void ValidateKey(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > 200) throw new BadInputException("An idempotency key is 1–200 characters.");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record a parked effect on engagement {InstanceId} ({ErrorType})")]
    private static partial void LogParkFailed(ILogger logger, string instanceId, string errorType);
}
