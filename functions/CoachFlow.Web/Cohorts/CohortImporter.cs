using System.Diagnostics;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.Cohorts;

/// <summary>Pacing and leases of cohort imports (configuration section <c>CoachFlow:Cohorts</c>).</summary>
public sealed class CohortImportOptions
{
    public const string Section = "CoachFlow:Cohorts";

    /// <summary>
    /// Engagements started per second, at most, per import: each start is a contract rendered and emailed a moment
    /// later, and a client acting on a live engagement meanwhile must still get their next email within seconds.
    /// </summary>
    public double StartsPerSecond { get; set; } = 8;

    /// <summary>Starts in flight at once inside a batch.</summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>How long a batch taken by the local worker stays hidden from others: after a crash, it runs again this much later.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the local worker looks at an empty queue.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// Runs one batch of a cohort import; the local host's worker and the Functions app's queue trigger both call
/// <see cref="HandleAsync"/> for a message of <c>{prefix}cohort-imports</c> and delete it once it returns.
/// </summary>
/// <remarks>
/// A batch is safe to run any number of times, so a crash anywhere only repeats it: it reads (or, the first time,
/// writes) its plan (which of its engagements existed before it began), starts its rows through
/// <see cref="EngagementService.StartAsync"/> (idempotent: an engagement's id is its cohort's and client email's),
/// adds its counts to the cohort only if the cohort's row still says this batch is next (ETag-guarded), enqueues the
/// next batch (delayed to keep <see cref="CohortImportOptions.StartsPerSecond"/>), and returns. A repeat after the
/// counts were added adds nothing and enqueues the next batch again (a duplicate next batch is harmless too).
/// </remarks>
public sealed partial class CohortImporter(CohortStore store, EngagementService engagements, TenancyStore tenancy, CohortImportOptions options, TimeProvider time,
    ILogger<CohortImporter> logger)
{
    /// <summary>Times a batch is put back while its run is not recorded yet, before it is dropped as a run that never began.</summary>
    public const int MaxEarlyAttempts = 20;

    public async Task HandleAsync(string message, CancellationToken ct)
    {
        var batch = CohortStore.ReadBatch(message);
        if (batch is null)
        {
            LogUnreadable(logger);
            return;
        }
        var cohort = await store.GetAsync(batch.FirmId, batch.CohortId, ct);
        if (cohort is null) return; // erased
        if (cohort.RunId != batch.RunId || cohort.Status != Cohort.Importing)
        {
            // The start enqueues before it records the run: a batch of a run not recorded yet comes back a moment later.
            if (cohort.Status == Cohort.Validated && batch.Attempt < MaxEarlyAttempts)
                await store.EnqueueAsync(batch with { Attempt = batch.Attempt + 1 }, TimeSpan.FromSeconds(1), ct);
            return;
        }
        if (batch.Chunk < cohort.ChunksDone)
        {
            // Counted before (this is a repeat): make sure the next batch is on its way, unless later ones are done too.
            if (batch.Chunk + 1 == cohort.ChunksDone && cohort.ChunksDone < cohort.Chunks)
                await store.EnqueueAsync(batch with { Chunk = cohort.ChunksDone, Attempt = 0 }, TimeSpan.Zero, ct);
            return;
        }
        if (batch.Chunk > cohort.ChunksDone)
        {
            await store.EnqueueAsync(batch with { Attempt = batch.Attempt + 1 }, TimeSpan.FromSeconds(1), ct);
            return;
        }
        await RunAsync(cohort, batch, ct);
    }

    private async Task RunAsync(Cohort cohort, CohortBatch batch, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var rows = await store.ReadChunkAsync(cohort, batch.Chunk, ct);
        var existed = await store.PlanAsync(cohort, batch.Chunk, () => ExistingAsync(cohort, rows, ct), ct);
        var firm = await tenancy.GetFirmAsync(cohort.FirmId, ct);
        if (firm is null) return; // the firm is gone
        var users = (await tenancy.ListPeopleAsync(cohort.FirmId, ct: ct)).ToDictionary(u => u.CoachId, StringComparer.Ordinal);
        var caller = new Caller(firm, new Coach(firm.FirmId, cohort.StartedBy ?? cohort.CreatedBy, "Cohort import", "", Role.FirmAdmin));

        var failed = 0;
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = ct }, async (row, token) =>
        {
            var request = new CreateEngagementRequest(row.Name, row.Email, cohort.ProgramId, row.Goals);
            var sponsor = row.SponsorId is null ? null : users.GetValueOrDefault(row.SponsorId) ?? new Coach(firm.FirmId, row.SponsorId, "", "", Role.Sponsor);
            try
            {
                await engagements.StartAsync(caller, request, sponsor, null, token, cohort: new CohortStart(cohort.CohortId, row.CoachId, row.TimeZone), waitForFirstStep: false);
            }
            catch (WorkflowException ex)
            {
                Interlocked.Increment(ref failed);
                LogRowFailed(logger, cohort.CohortId, row.Line, ex.GetType().Name);
            }
        });

        var already = rows.Count(r => existed.Contains(EngagementService.CohortEngagementId(cohort.FirmId, cohort.CohortId, r.Email)));
        var last = batch.Chunk + 1 >= cohort.Chunks;
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            var counted = cohort with
            {
                ChunksDone = batch.Chunk + 1, Processed = cohort.Processed + rows.Count, AlreadyStarted = cohort.AlreadyStarted + already,
                Started = cohort.Started + rows.Count - already - failed, Failed = cohort.Failed + failed, UpdatedAt = now,
                Status = last ? Cohort.Completed : Cohort.Importing, CompletedAt = last ? now : null,
            };
            if (await store.SaveAsync(counted, ct)) break;
            var current = await store.GetAsync(cohort.FirmId, cohort.CohortId, ct);
            if (current is null || current.RunId != batch.RunId || current.ChunksDone != batch.Chunk || attempt >= 5) break; // counted by a repeat of this batch, or the run is over
            cohort = current;
        }
        LogBatch(logger, cohort.CohortId, batch.Chunk + 1, cohort.Chunks, rows.Count, already, failed, clock.ElapsedMilliseconds);
        if (last) return;

        // Pacing: this batch and its wait together take at least rows / StartsPerSecond.
        var delay = TimeSpan.FromSeconds(rows.Count / Math.Max(0.1, options.StartsPerSecond)) - clock.Elapsed;
        await store.EnqueueAsync(batch with { Chunk = batch.Chunk + 1, Attempt = 0 }, delay, ct);
    }

    /// <summary>The engagements of these rows that exist already (one point read each, of the engagement's state row).</summary>
    private async Task<IReadOnlyList<string>> ExistingAsync(Cohort cohort, IReadOnlyList<CohortRow> rows, CancellationToken ct)
    {
        var found = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (row, token) =>
        {
            var id = EngagementService.CohortEngagementId(cohort.FirmId, cohort.CohortId, row.Email);
            if (await engagements.ExistsAsync(id, token)) found.Add(id);
        });
        return [.. found.Order(StringComparer.Ordinal)];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cohort {CohortId}: batch {Batch} of {Batches} done ({Rows} rows, {AlreadyStarted} already started, {Failed} failed) in {ElapsedMs} ms")]
    private static partial void LogBatch(ILogger logger, string cohortId, int batch, int batches, int rows, int alreadyStarted, int failed, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cohort {CohortId}: the row on line {Line} did not start ({ErrorType})")]
    private static partial void LogRowFailed(ILogger logger, string cohortId, int line, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A cohort import message could not be read; it is dropped")]
    private static partial void LogUnreadable(ILogger logger);
}
