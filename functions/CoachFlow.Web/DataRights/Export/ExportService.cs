using System.Diagnostics;
using System.Text.Json;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.DataRights;

/// <summary>What one export covers: whose data, for whom, asked by whom, and the engagements in it.</summary>
/// <param name="Kind"><c>engagement</c>, <c>client</c>, <c>coach</c> (a coach's own engagements) or <c>firm</c>.</param>
/// <param name="Subject">The engagement, client (<c>client-…</c>) or coach id; null for a firm.</param>
/// <param name="RequestedByRole"><c>firm-admin</c>, <c>coach</c> or <c>client</c>.</param>
/// <param name="RequestedById">The person of the firm who asked (<c>cli</c> for the command line); null for a client.</param>
/// <param name="EngagementIds">Already scoped to what the requester may see, in the order they are written.</param>
public sealed record ExportScope(
    Firm Firm,
    string Kind,
    string? Subject,
    ExportAudience Audience,
    string RequestedByRole,
    string? RequestedById,
    IReadOnlyList<string> EngagementIds)
{
    /// <summary>e.g. <c>coachflow-export-firm-demo-eng-1a2b…-20260301-101500.zip</c>.</summary>
    public string FileName(DateTimeOffset at) =>
        $"coachflow-export-{Firm.FirmId}-{Subject ?? Kind}-{at.UtcDateTime:yyyyMMdd-HHmmss}.zip";
}

/// <summary>How far an export is: engagements written of the total, and the ZIP's bytes so far.</summary>
public sealed record ExportProgress(int Done, int Total, long Bytes);

/// <summary>What an export wrote.</summary>
public sealed record ExportSummary(int Engagements, int Documents, int Files, long Bytes);

/// <summary>
/// Data portability (GDPR Art. 20): a ZIP of everything CoachFlow holds about one engagement, one client or a whole
/// firm, with a README of the format and a manifest of what is in it and what is left out (<c>docs/exports.md</c>).
/// </summary>
/// <remarks>
/// Scoping comes first and follows the API's rules: a firm admin exports anything of their firm, a coach their own
/// engagements, a sponsor nothing (403); another firm's engagement, or one the caller may not see, is a 404. The ZIP
/// is then written to any stream one engagement at a time, each part streaming what it reads, so memory does not
/// grow with the engagements' content. Logs name firms, engagements and clients by id, never an email or answer.
/// </remarks>
public sealed partial class ExportService(
    EngagementStore store,
    EngagementWorkflow rules,
    TenancyStore tenancy,
    IEnumerable<IEngagementExportPart> parts,
    TimeProvider time,
    ILogger<ExportService> logger)
{
    /// <summary>The format's name and version in every manifest; a change a reader would notice is a new version.</summary>
    public const string Format = "coachflow-data-export";
    public const int FormatVersion = 1;

    private static readonly IReadOnlyList<ExportOmission> Always =
    [
        new("Copies of the emails CoachFlow sent",
            "CoachFlow does not keep the emails it sends. timeline.json records each one (contract-sent, session-reminder-sent…) and the documents hold what their links opened."),
        new("Records about the firm's own people and their access",
            "Sign-in links, sessions, access tokens, single-use link records and the firm's settings concern the firm's staff and security, not the engagement."),
        new("The file a cohort was imported from",
            "The rows a firm uploaded to start engagements together; each engagement holds the name, email, coach, goals and time zone its row carried."),
    ];

    private readonly IReadOnlyList<IEngagementExportPart> _parts = [.. parts];

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>One engagement the caller may see.</summary>
    public async Task<ExportScope> EngagementAsync(Caller caller, string engagementId, CancellationToken ct)
    {
        RequireExporter(caller);
        var snapshot = await store.GetAsync(engagementId, ct) ?? throw new EngagementNotFoundException(engagementId);
        EngagementService.CheckAccess(caller, engagementId, snapshot.FirmId, snapshot.CoachId, snapshot.SponsorId);
        return ScopeOf(caller, "engagement", engagementId, [engagementId]);
    }

    /// <summary>The client's engagements the caller may see (by the client's opaque id); none is an empty scope.</summary>
    public async Task<ExportScope> ClientAsync(Caller caller, string clientId, CancellationToken ct)
    {
        RequireExporter(caller);
        return ScopeOf(caller, "client", clientId, await ListAsync(caller.FirmId, EngagementService.ScopeOf(caller, new IndexFilter(ClientId: clientId)), ct));
    }

    /// <summary>A firm admin's whole firm, or a coach's own engagements.</summary>
    public async Task<ExportScope> CallerAsync(Caller caller, CancellationToken ct)
    {
        RequireExporter(caller);
        var ids = await ListAsync(caller.FirmId, EngagementService.ScopeOf(caller, new IndexFilter()), ct);
        return caller.Role == Role.Coach ? ScopeOf(caller, "coach", caller.Coach.CoachId, ids) : ScopeOf(caller, "firm", null, ids);
    }

    /// <summary>
    /// The client's own copy, from an engagement of theirs (the one their link was sent for): all their engagements in
    /// its firm, without what is private to the coach. Null when the firm is gone.
    /// </summary>
    public async Task<ExportScope?> ClientCopyAsync(EngagementState state, CancellationToken ct)
    {
        var firm = await tenancy.GetFirmAsync(state.FirmId, ct);
        if (firm is null) return null;
        var ids = state.ClientId.Length == 0 ? [] : await ListAsync(state.FirmId, new IndexFilter(ClientId: state.ClientId), ct);
        if (!ids.Contains(state.EngagementId)) ids = [state.EngagementId, .. ids];
        return new ExportScope(firm, "client", state.ClientId.Length > 0 ? state.ClientId : state.EngagementId, ExportAudience.Client, "client", null, ids);
    }

    /// <summary>Writes the scope's ZIP to <paramref name="destination"/> (which need not seek), reporting each engagement done.</summary>
    /// <remarks>
    /// An engagement erased after the scope was made is skipped. Only asynchronous writes reach the destination, so it
    /// may be an ASP.NET Core response body. If writing fails part-way the ZIP has no central directory, so it cannot
    /// pass for a complete one.
    /// </remarks>
    public async Task<ExportSummary> WriteAsync(ExportScope scope, Stream destination, IProgress<ExportProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var at = time.GetUtcNow();
        LogStarted(logger, scope.Kind, scope.Firm.FirmId, scope.RequestedByRole, scope.EngagementIds.Count);
        var people = new Dictionary<string, Coach?>(StringComparer.Ordinal);
        async Task<Coach?> PersonAsync(string? id, CancellationToken token)
        {
            if (string.IsNullOrEmpty(id)) return null;
            if (!people.TryGetValue(id, out var person)) people[id] = person = await tenancy.GetCoachAsync(scope.Firm.FirmId, id, token);
            return person;
        }

        var written = new List<ManifestEngagement>();
        string? current = null;
        try
        {
            var archive = await ExportArchive.CreateAsync(destination, at, ct);
            await archive.WriteAsync("README.md", (stream, token) => stream.WriteAsync(Readme.Value, token).AsTask(), ct);
            foreach (var id in scope.EngagementIds)
            {
                current = id;
                var view = await LoadAsync(id, ct);
                if (view is null || view.FirmId != scope.Firm.FirmId) continue; // erased meanwhile (never another firm's: the scope is the firm's)
                var engagement = new EngagementExport(view, scope.Audience, archive, PersonAsync);
                foreach (var part in _parts) await part.WriteAsync(engagement, ct);
                written.Add(new ManifestEngagement(id, engagement.Folder, view.Status, view.Phase, view.State.ProgramId, view.State.ProgramVersion,
                    view.State.ClientId, engagement.Counts));
                progress?.Report(new ExportProgress(written.Count, scope.EngagementIds.Count, archive.Bytes));
            }
            current = null;
            await archive.WriteJsonAsync("manifest.json", (writer, token) => WriteManifestAsync(writer, scope, at, written, token), ct);
            var files = archive.Files;
            await archive.DisposeAsync(); // writes the central directory: only now is the ZIP complete
            var summary = new ExportSummary(written.Count, written.Sum(e => e.Counts.GetValueOrDefault("documents")), files, archive.Bytes);
            LogDone(logger, scope.Kind, scope.Firm.FirmId, scope.RequestedByRole, summary.Engagements, summary.Documents, summary.Bytes, clock.ElapsedMilliseconds);
            return summary;
        }
        catch (Exception ex)
        {
            // The archive is left as it is: disposing it would write a central directory and make a partial ZIP look whole.
            LogFailed(logger, scope.Kind, scope.Firm.FirmId, current ?? "-", ex.GetType().Name);
            throw;
        }
    }

    private async Task<EngagementView?> LoadAsync(string engagementId, CancellationToken ct)
    {
        try
        {
            return await EngagementView.LoadAsync(store, rules, engagementId, withHistory: false, ct);
        }
        catch (EngagementNotFoundException)
        {
            return null;
        }
    }

    private async Task WriteManifestAsync(Utf8JsonWriter writer, ExportScope scope, DateTimeOffset at, IReadOnlyList<ManifestEngagement> engagements, CancellationToken ct)
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteNumber("formatVersion", FormatVersion);
        writer.WriteString("exportedAt", at);
        writer.WriteStartObject("firm");
        writer.WriteString("id", scope.Firm.FirmId);
        writer.WriteString("name", scope.Firm.Name);
        writer.WriteEndObject();
        writer.WriteStartObject("scope");
        writer.WriteString("kind", scope.Kind);
        if (scope.Subject is not null) writer.WriteString(scope.Kind + "Id", scope.Subject);
        writer.WriteEndObject();
        writer.WriteStartObject("requestedBy");
        writer.WriteString("role", scope.RequestedByRole);
        if (scope.RequestedById is not null) writer.WriteString("id", scope.RequestedById);
        writer.WriteEndObject();
        writer.WriteString("audience", ExportJson.Kebab(scope.Audience.ToString()));
        writer.WriteStartObject("totals");
        writer.WriteNumber("engagements", engagements.Count);
        foreach (var what in engagements.SelectMany(e => e.Counts.Keys).Distinct(StringComparer.Ordinal))
            writer.WriteNumber(what, engagements.Sum(e => e.Counts.GetValueOrDefault(what)));
        writer.WriteEndObject();
        writer.WriteStartArray("engagements");
        foreach (var e in engagements)
        {
            ExportOmissions.Write(writer, ExportJson.Node(e, ExportAudience.Firm));
            await ExportJson.FlushIfFullAsync(writer, ct);
        }
        writer.WriteEndArray();
        writer.WriteStartArray("leftOut");
        foreach (var omission in Always.Concat(_parts.SelectMany(p => p.LeftOut(scope.Audience))).DistinctBy(o => o.What))
            ExportOmissions.Write(writer, ExportJson.Node(omission, ExportAudience.Firm));
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private async Task<List<string>> ListAsync(string firmId, IndexFilter where, CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var entry in store.ListAllAsync(firmId, where, ct)) ids.Add(entry.EngagementId);
        return ids;
    }

    private static ExportScope ScopeOf(Caller caller, string kind, string? subject, IReadOnlyList<string> ids) =>
        new(caller.Firm, kind, subject, ExportAudience.Firm, RoleName(caller.Role), caller.Coach.CoachId, ids);

    private static void RequireExporter(Caller caller)
    {
        if (caller.Role == Role.Sponsor)
            throw new ForbiddenException("A sponsor reads agreed progress only, so cannot export an engagement's data; the firm's admin or the engagement's coach can.");
    }

    public static string RoleName(Role role) => role switch { Role.FirmAdmin => "firm-admin", Role.Coach => "coach", _ => "sponsor" };

    /// <summary>The format described for people: <c>DataRights/export-README.md</c>, embedded, written into every ZIP as <c>README.md</c>.</summary>
    private static readonly Lazy<byte[]> Readme = new(() =>
    {
        using var stream = typeof(ExportService).Assembly.GetManifestResourceStream("CoachFlow.Web.DataRights.export-README.md")
            ?? throw new InvalidOperationException("DataRights/export-README.md is not embedded in CoachFlow.Web.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>A manifest line: where an engagement's files are and what they hold.</summary>
    private sealed record ManifestEngagement(string Id, string Path, string Status, string Phase, string ProgramId, int ProgramVersion, string ClientId,
        IReadOnlyDictionary<string, int> Counts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export ({Kind}) of firm {FirmId} for a {Role} started: {Engagements} engagements")]
    private static partial void LogStarted(ILogger logger, string kind, string firmId, string role, int engagements);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export ({Kind}) of firm {FirmId} for a {Role} written: {Engagements} engagements, {Documents} documents, {Bytes} bytes in {Milliseconds} ms")]
    private static partial void LogDone(ILogger logger, string kind, string firmId, string role, int engagements, int documents, long bytes, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export ({Kind}) of firm {FirmId} stopped at engagement {EngagementId} ({ErrorType})")]
    private static partial void LogFailed(ILogger logger, string kind, string firmId, string engagementId, string errorType);
}
