using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;
using CoachFlow.Workflows.Programs;
using CsvHelper;

namespace CoachFlow.Web.Cohorts;

/// <summary>A bad row as the report shows it.</summary>
public sealed record BadRow(int Line, IReadOnlyList<string> Codes, string Reason);

/// <summary>
/// A cohort and how its import stands. While <c>validated</c>, <see cref="AlreadyStarted"/> counts the valid rows an
/// earlier run started; once a run begins, <see cref="Started"/>, <see cref="AlreadyStarted"/> and
/// <see cref="Failed"/> count what this run did with the <see cref="Processed"/> rows so far.
/// </summary>
/// <param name="BadRows">The rejected rows (at most <see cref="CohortService.ReportedBadRows"/>; all of them in <c>rejected.csv</c>); absent in a listing.</param>
public sealed record CohortView(
    string Id, string Name, string ProgramId, string Status, int Rows, int Valid, int Rejected, int Started, int AlreadyStarted, int Failed, int Processed,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, IReadOnlyList<BadRow>? BadRows = null,
    IReadOnlyList<string>? IgnoredColumns = null);

public sealed record CohortList(IReadOnlyList<CohortView> Items);

/// <summary>The cohort is not one of the caller's firm (or does not exist): a 404.</summary>
public sealed class CohortNotFoundException(string cohortId) : WorkflowException($"There is no cohort '{cohortId}' in your firm. GET /api/cohorts lists them.");

/// <summary>The file has bad rows and the caller did not ask for the valid rows only: nothing starts (a 422 with the report).</summary>
public sealed class CohortHasBadRowsException(CohortView report) : WorkflowException(
    $"{report.Rejected} of {report.Rows} rows cannot start, so nothing was started. Fix those rows and upload the file again, or start the {report.Valid} valid rows only (validOnly=true).")
{
    public CohortView Report { get; } = report;
}

/// <summary>
/// Cohort import's one code path, for the API and the CLI alike: a file is validated and its rows kept (nothing
/// starts), then a start enqueues the first batch and the host's worker (<see cref="CohortImporter"/>) does the rest.
/// Every read is scoped to the caller's firm (the table's partition): another firm's cohort is "not found".
/// </summary>
public sealed class CohortService(CohortStore store, TenancyStore tenancy, EngagementStore engagements, ProgramCatalog programs, TimeProvider time)
{
    public const int ReportedBadRows = 1000;
    public const int MaxNameLength = 100;

    public CohortStore Store => store;

    /// <summary>The cohort id: the firm's and the name's, compared without case or repeated spaces (so the same name is the same cohort).</summary>
    public static string CohortIdOf(string firmId, string name) =>
        "cohort-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{firmId}|{NormaliseName(name)}")))[..16];

    public static string NormaliseName(string name) =>
        string.Join(' ', name.Normalize(NormalizationForm.FormKC).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    /// <summary>Validates <paramref name="content"/> for the cohort <paramref name="name"/> on <paramref name="programId"/> and keeps its rows; starts nothing.</summary>
    public async Task<CohortView> UploadAsync(Caller caller, string? name, string? programId, byte[] content, CancellationToken ct)
    {
        RequireAdmin(caller);
        if (string.IsNullOrWhiteSpace(name)) throw new BadInputException("Name the cohort: ?name=Spring leaders (the same name again is the same cohort).");
        name = string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (name.Length > MaxNameLength) throw new BadInputException($"A cohort name is at most {MaxNameLength} characters.");
        if (string.IsNullOrWhiteSpace(programId)) throw new BadInputException($"Name the program the cohort is on: ?program=… (one of {KnownPrograms()}).");
        var program = programs.Find(programId) ?? throw new BadInputException($"There is no program '{programId}'. Known programs: {KnownPrograms()}.");
        if (content.Length == 0)
            throw new BadInputException("The body is empty. Send the CSV file as the request body (Content-Type: text/csv): a header row, then one client per line.");

        var cohortId = CohortIdOf(caller.FirmId, name);
        var existing = await store.GetAsync(caller.FirmId, cohortId, ct);
        if (existing is not null && existing.ProgramId != program.Id)
            throw new NotPossibleNowException($"The cohort '{existing.Name}' is on the program '{existing.ProgramId}'; a cohort is on one program. Give a cohort on '{program.Id}' another name.");
        if (existing?.Status == Cohort.Importing)
            throw new NotPossibleNowException($"The cohort '{existing.Name}' is importing ({existing.Processed} of {existing.Valid} rows so far); upload a file again once it has finished (GET /api/cohorts/{cohortId}).");

        var file = CohortCsv.Parse(content);
        var directory = await DirectoryAsync(caller.FirmId, cohortId, program.Id, file.Rows, ct);
        var result = CohortValidation.Validate(caller.FirmId, program.Id, file.Rows, directory);

        var now = time.GetUtcNow();
        var chunks = result.Valid.Chunk(CohortStore.ChunkRows).ToList();
        var cohort = new Cohort(caller.FirmId, cohortId, existing?.Name ?? name, program.Id, existing?.CreatedAt ?? now, existing?.CreatedBy ?? caller.Coach.CoachId,
            Cohort.Validated, file.Rows.Count, result.Valid.Count, result.Rejected.Count, 0, result.Valid.Count(r => r.AlreadyStarted), 0, 0, chunks.Count, 0,
            Guid.NewGuid().ToString("N"), existing?.RunId, existing?.StartedAt, existing?.StartedBy, existing?.CompletedAt, now, existing?.ETag ?? default);
        for (var i = 0; i < chunks.Count; i++) await store.WriteChunkAsync(cohort, i, chunks[i], ct);
        var rejections = new CohortRejections(result.Rejected, file.IgnoredColumns);
        await store.WriteRejectionsAsync(cohort, rejections, ct);
        if (!await store.SaveAsync(cohort, ct))
            throw new NotPossibleNowException($"The cohort '{name}' changed while this file was checked (another upload or a start); send the file again.");
        return View(cohort, rejections);
    }

    /// <summary>
    /// Starts the import of the last file uploaded: the first batch is enqueued and the host's worker starts the rows,
    /// paced. Refused when rows are bad unless <paramref name="validOnly"/>. Starting a cohort that is importing
    /// changes nothing (and re-sends its next batch if it has not moved for a while); a completed cohort runs again,
    /// starting only the rows not started yet.
    /// </summary>
    /// <exception cref="CohortHasBadRowsException">Bad rows and not <paramref name="validOnly"/>.</exception>
    public async Task<CohortView> StartAsync(Caller caller, string cohortId, bool validOnly, TimeSpan stalledAfter, CancellationToken ct)
    {
        RequireAdmin(caller);
        var cohort = await store.GetAsync(caller.FirmId, cohortId, ct) ?? throw new CohortNotFoundException(cohortId);
        if (cohort.Status == Cohort.Importing)
        {
            if (time.GetUtcNow() - cohort.UpdatedAt > stalledAfter && cohort.RunId is not null)
                await store.EnqueueAsync(new CohortBatch(cohort.FirmId, cohort.CohortId, cohort.RunId, cohort.ChunksDone), TimeSpan.Zero, ct);
            return View(cohort, null);
        }
        if (cohort.Rejected > 0 && !validOnly) throw new CohortHasBadRowsException(View(cohort, await store.ReadRejectionsAsync(cohort, ct)));
        if (cohort.Valid == 0) throw new NotPossibleNowException("No row of the last file uploaded can start; fix the rows and upload the file again.");

        // The batch goes out first and the run is recorded second: a batch that arrives before the record is put back
        // until it appears, and one whose run never got recorded (a crash in between) is dropped.
        var run = cohort with
        {
            Status = Cohort.Importing, RunId = Guid.NewGuid().ToString("N"), StartedAt = time.GetUtcNow(), StartedBy = caller.Coach.CoachId, CompletedAt = null,
            Started = 0, AlreadyStarted = 0, Failed = 0, Processed = 0, ChunksDone = 0, UpdatedAt = time.GetUtcNow(),
        };
        await store.EnqueueAsync(new CohortBatch(run.FirmId, run.CohortId, run.RunId, 0), TimeSpan.Zero, ct);
        if (!await store.SaveAsync(run, ct))
        {
            var now = await store.GetAsync(caller.FirmId, cohortId, ct) ?? throw new CohortNotFoundException(cohortId);
            if (now.Status == Cohort.Importing) return View(now, null); // another start came first: that run goes on
            throw new NotPossibleNowException("The cohort changed while it was being started (a new file was uploaded); check the report and start it again.");
        }
        return View(run, null);
    }

    public async Task<CohortView> GetAsync(Caller caller, string cohortId, CancellationToken ct)
    {
        RequireReader(caller);
        var cohort = await store.GetAsync(caller.FirmId, cohortId, ct) ?? throw new CohortNotFoundException(cohortId);
        return View(cohort, caller.Role == Role.FirmAdmin ? await store.ReadRejectionsAsync(cohort, ct) : null);
    }

    public async Task<IReadOnlyList<CohortView>> ListAsync(Caller caller, CancellationToken ct)
    {
        RequireReader(caller);
        return [.. (await store.ListAsync(caller.FirmId, ct)).OrderByDescending(c => c.CreatedAt).Select(c => View(c, null) with { BadRows = null })];
    }

    /// <summary>The rejected rows of the last file uploaded as CSV: line, reason, then the row as it was written.</summary>
    public async Task<string> RejectedCsvAsync(Caller caller, string cohortId, CancellationToken ct)
    {
        RequireAdmin(caller);
        var cohort = await store.GetAsync(caller.FirmId, cohortId, ct) ?? throw new CohortNotFoundException(cohortId);
        return RejectedCsv((await store.ReadRejectionsAsync(cohort, ct)).Rows);
    }

    public static string RejectedCsv(IReadOnlyList<RejectedRow> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, CultureInfo.InvariantCulture))
        {
            foreach (var header in new[] { "line", "reason", "codes", "client name", "client email", "coach", "sponsor", "overall goals", "time zone" }) csv.WriteField(header);
            csv.NextRecord();
            foreach (var r in rows)
            {
                csv.WriteField(r.Line);
                // What the file said goes back as text a spreadsheet shows, never runs ("=HYPERLINK(…)" in a name).
                foreach (var field in new[] { r.Reason, string.Join(' ', r.Codes), r.Raw.Name, r.Raw.Email, r.Raw.Coach, r.Raw.Sponsor, r.Raw.Goals, r.Raw.TimeZone })
                    csv.WriteField(Hosting.CsvCells.Text(field));
                csv.NextRecord();
            }
        }
        return text.ToString();
    }

    /// <summary>The firm's facts the rows are checked against: one partition query each, and a cross-firm look-up only for coach references the firm does not know.</summary>
    private async Task<CohortDirectory> DirectoryAsync(string firmId, string cohortId, string programId, IReadOnlyList<CohortCsvRow> rows, CancellationToken ct)
    {
        var users = await tenancy.ListPeopleAsync(firmId, ct: ct);
        var known = users.SelectMany(u => new[] { u.CoachId, u.Email.ToLowerInvariant() }).ToHashSet(StringComparer.Ordinal);
        var elsewhere = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in rows.Select(r => r.Coach).OfType<string>().Where(c => !known.Contains(c) && !known.Contains(c.ToLowerInvariant()))
                     .Select(c => c.ToLowerInvariant()).Distinct().Take(100))
            if (await tenancy.FindUserFirmAsync(reference, ct) is { } other && other != firmId) elsewhere.Add(reference);

        var running = new Dictionary<string, string?>(StringComparer.Ordinal);
        await foreach (var entry in engagements.ListAllAsync(firmId, new IndexFilter(Status: EngagementStatus.Running), ct))
            if (entry.Category == programId && entry.ClientId is { } clientId) running.TryAdd(clientId, entry.CohortId);
        var started = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in engagements.ListAllAsync(firmId, new IndexFilter(CohortId: cohortId), ct))
            if (entry.ClientId is { } clientId) started.Add(clientId);
        return new CohortDirectory(users, elsewhere, running, started);
    }

    private string KnownPrograms() => string.Join(", ", programs.All.Select(p => p.Id).Distinct());

    public static CohortView View(Cohort c, CohortRejections? rejections) => new(c.CohortId, c.Name, c.ProgramId, c.Status, c.Rows, c.Valid, c.Rejected, c.Started,
        c.AlreadyStarted, c.Failed, c.Processed, c.CreatedAt, c.StartedAt, c.CompletedAt,
        rejections?.Rows.Take(ReportedBadRows).Select(r => new BadRow(r.Line, r.Codes, r.Reason)).ToList(), rejections?.IgnoredColumns);

    /// <summary>Uploading and starting cohorts, and their rejected rows (which name clients), are a firm admin's.</summary>
    public static void RequireAdmin(Caller caller)
    {
        if (caller.Role != Role.FirmAdmin) throw new ForbiddenException("Only a firm admin can import a cohort or read its rejected rows.");
    }

    /// <summary>A coach reads the firm's cohorts (names and counts: the extension filters "My engagements" by them); a sponsor does not.</summary>
    public static void RequireReader(Caller caller)
    {
        if (caller.Role == Role.Sponsor) throw new ForbiddenException("A sponsor reads the progress of the engagements they sponsor, not the firm's cohorts.");
    }
}
