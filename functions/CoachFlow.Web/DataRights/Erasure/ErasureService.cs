using System.Security.Cryptography;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Bulk;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Cohorts;
using CoachFlow.Web.Documents;
using CoachFlow.Web.Effects;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Links;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.DataRights;

/// <summary>
/// Erases clients and engagements (GDPR Art. 17) so that nothing of them stays behind: the orchestrations and their
/// histories, the read model, the documents, the used-link records, the coach notifications, the webhook deliveries, the
/// bulk actions' mentions, the nudge claims and the cohort files' rows. What remains is a tombstone in the firm's listing (that an engagement
/// existed, its program, its dates as days) and the audit record of who erased what and when, neither naming the client.
/// </summary>
/// <remarks>
/// Crash-safe and idempotent: the audit record is written first with what is still to go, and again after each
/// engagement; every step deletes what is there and nothing else, so running an erasure again after it stopped half-way
/// finishes it (<see cref="ResumeAsync"/>, from the sweep). Erasing needs the engine's client (to purge orchestrations),
/// so it runs in the request, the local worker or the Functions timer trigger, never in an activity.
/// </remarks>
public sealed partial class ErasureService(
    EngagementEngine engine,
    ErasureStore audit,
    DocumentStore documents,
    EmailEffects email,
    LinkSigner links,
    CohortStore cohorts,
    OutboundWebhooks.WebhookStore webhooks,
    DataRightsOptions options,
    TimeProvider time,
    ILogger<ErasureService> logger)
{
    /// <summary>How long an erasure waits for a bulk action that has settled its counts to complete, so its history can go.</summary>
    private static readonly TimeSpan BulkActionSettling = TimeSpan.FromSeconds(30);

    private EngagementStore Store => engine.Store;
    private BulkActionStore Bulk => new(engine.Store);

    /// <summary>
    /// Erases a client of the caller's firm: every engagement of theirs. <paramref name="confirmEmail"/> is the client's
    /// email typed again, and must be the one the client id was made from.
    /// </summary>
    /// <exception cref="ForbiddenException">The caller is not a firm admin.</exception>
    /// <exception cref="BadInputException">No email, or not this client's.</exception>
    /// <exception cref="ClientNotFoundException">No engagement of this client in the firm (never one, or erased already).</exception>
    /// <exception cref="NotPossibleNowException">A cohort with the client in it is being imported right now.</exception>
    public async Task<ErasureRecord> EraseClientAsync(Caller caller, string clientId, string? confirmEmail, CancellationToken ct)
    {
        RequireAdmin(caller);
        if (clientId.Length > 100) throw new ClientNotFoundException(clientId[..100]);
        var running = await audit.RunningForClientAsync(caller.FirmId, clientId, ct);
        var entries = new List<IndexEntry>();
        await foreach (var entry in Store.ListAllAsync(caller.FirmId, new IndexFilter(ClientId: clientId), ct)) entries.Add(entry);
        if (entries.Count == 0 && running is null) throw new ClientNotFoundException(clientId);
        if (string.IsNullOrWhiteSpace(confirmEmail))
            throw new BadInputException("Erasing cannot be undone: type the client's email address again as 'confirmEmail' to confirm.");
        if (EngagementService.ClientIdOf(caller.FirmId, confirmEmail) != clientId)
            throw new BadInputException("That email address is not this client's: type it exactly as it is on their engagements (letter case aside).");
        if (running is not null) return await RunAsync(running, ct); // asked again while it runs (or after it stopped half-way): finish it
        if (await cohorts.ImportingWithAsync(caller.FirmId, email => IsClient(caller.FirmId, clientId, email), ct) is { } importing)
            throw new NotPossibleNowException($"The client is in cohort '{importing.Name}', which is being imported right now: erase them once it has finished (GET /api/cohorts/{importing.CohortId}).");
        return await RunAsync(await BeginAsync(caller, ErasureKinds.Client, ErasureReasons.Request, clientId, entries, ct), ct);
    }

    /// <summary>Erases one engagement of the caller's firm (a firm admin's request, or the retention sweep).</summary>
    /// <exception cref="EngagementNotFoundException">No such engagement in the caller's firm.</exception>
    public async Task<ErasureRecord> EraseEngagementAsync(Caller caller, string engagementId, string reason, CancellationToken ct)
    {
        RequireAdmin(caller);
        var entry = await Store.GetIndexEntryAsync(caller.FirmId, engagementId, ct);
        if (entry is null || entry.Status == EngagementStatus.Erased)
        {
            // Started and not yet listed? The snapshot says whose it is.
            var snapshot = await Store.GetAsync(engagementId, ct);
            if (snapshot is null || snapshot.FirmId != caller.FirmId) throw new EngagementNotFoundException(engagementId);
            entry = new IndexEntry(engagementId, snapshot.Status, snapshot.Version, snapshot.CoachId, snapshot.SponsorId, "", null, null, [], null,
                snapshot.State?.ProgramId, snapshot.UpdatedAt, snapshot.State?.CohortId, snapshot.State?.ClientId, null, snapshot.CreatedAt, snapshot.State?.ClosedAt);
        }
        return await RunAsync(await BeginAsync(caller, ErasureKinds.Engagement, reason, entry.ClientId, [entry], ct), ct);
    }

    /// <summary>Finishes every erasure that stopped half-way (nobody has moved it on for <see cref="DataRightsOptions.ResumeAfter"/>); returns how many.</summary>
    public async Task<int> ResumeAsync(CancellationToken ct)
    {
        var resumed = 0;
        foreach (var record in await audit.RunningAsync(ct))
        {
            if (time.GetUtcNow() - record.HeartbeatAt < options.ResumeAfter) continue;
            LogResuming(logger, record.ErasureId, record.FirmId, record.Pending.Count);
            await RunAsync(record, ct);
            resumed++;
        }
        return resumed;
    }

    public Task<IReadOnlyList<ErasureRecord>> ListAsync(Caller caller, CancellationToken ct)
    {
        RequireAdmin(caller);
        return audit.ListAsync(caller.FirmId, 200, ct);
    }

    public async Task<ErasureRecord> GetAsync(Caller caller, string erasureId, CancellationToken ct)
    {
        RequireAdmin(caller);
        return await audit.GetAsync(caller.FirmId, erasureId, ct) ?? throw new ErasureNotFoundException(erasureId);
    }

    private async Task<ErasureRecord> BeginAsync(Caller caller, string kind, string reason, string? clientId, IReadOnlyList<IndexEntry> entries, CancellationToken ct)
    {
        await audit.EnsureCreatedAsync(ct);
        var now = time.GetUtcNow();
        var targets = entries.Select(e => new ErasureTarget(e.EngagementId, NewId("erased"), e.Category ?? "", Day(e.CreatedAt), Day(e.FinishedAt))).ToList();
        var record = new ErasureRecord(caller.FirmId, NewId("erasure"), kind, reason, caller.Coach.CoachId, RoleName(caller.Role), now, ErasureRecord.Running, null,
            now, targets.Count, [.. targets.Select(t => t.TombstoneId)], new Dictionary<string, int>(), clientId, targets);
        return await audit.SaveAsync(record, ct) ?? throw new InvalidOperationException($"Erasure {record.ErasureId} exists already.");
    }

    /// <summary>Takes away what the record still lists, saving it after each engagement, then completes it (and forgets whose it was).</summary>
    private async Task<ErasureRecord> RunAsync(ErasureRecord record, CancellationToken ct)
    {
        var removed = new Dictionary<string, int>(record.Removed);
        void Count(string what, int n) => removed[what] = removed.GetValueOrDefault(what) + n;
        var firmId = record.FirmId;

        // The client's names, while their engagements still say them: rejected cohort rows are matched by email or name.
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var target in record.Pending)
            if ((await Store.GetAsync(target.EngagementId, ct))?.State is { ClientName.Length: > 0 } state) names.Add(state.ClientName.Trim());

        if (record.ClientId is { } clientId)
        {
            bool IsTheClient(string? email) => IsClient(firmId, clientId, email);
            if (record.Kind == ErasureKinds.Client)
            {
                Count("cohortRows", await cohorts.EraseClientAsync(firmId, null, IsTheClient, names, ct));
                Count("nudgeClaims", await Bulk.ForgetNudgeClaimAsync(firmId, clientId, null, ct) ? 1 : 0);
            }
            else
            {
                foreach (var target in record.Pending)
                {
                    var cohort = (await Store.GetIndexEntryAsync(firmId, target.EngagementId, ct))?.CohortId;
                    if (cohort is not null) Count("cohortRows", await cohorts.EraseClientAsync(firmId, cohort, IsTheClient, new HashSet<string>(), ct));
                    Count("nudgeClaims", await Bulk.ForgetNudgeClaimAsync(firmId, clientId, target.EngagementId, ct) ? 1 : 0);
                }
            }
        }

        foreach (var target in record.Pending.ToList())
        {
            // Still moving: the sweep leaves a running erasure alone while it beats.
            record = await SaveAsync(record with { Removed = removed, HeartbeatAt = time.GetUtcNow() }, ct);
            // The tombstone first, so the firm's counts never dip while the engagement goes.
            await Store.WriteTombstoneAsync(firmId, new Tombstone(target.TombstoneId, target.ProgramId, target.StartedOn, target.FinishedOn, record.RequestedAt, record.Reason), ct);
            var (instances, rows) = await engine.EraseAsync(target.EngagementId, firmId, ct); // the snapshot goes before the documents are listed
            Count("orchestrations", instances);
            Count("readModelRows", rows);
            Count("documents", await documents.PurgeAsync(target.EngagementId, ct));
            Count("notifications", await email.EraseNotificationsAsync(firmId, target.EngagementId, ct));
            Count("usedLinks", await links.ForgetEngagementAsync(target.EngagementId, ct));
            Count("webhookDeliveries", await webhooks.EraseEngagementAsync(firmId, target.EngagementId, ct));
            var actions = await Bulk.ForgetEngagementAsync(firmId, target.EngagementId, target.TombstoneId, ct);
            Count("bulkSelections", actions.Count);
            // A finished bulk action's history still names the engagement (the inputs it raised): its audit row keeps the counts.
            foreach (var action in actions) Count("orchestrations", await engine.PurgeFinishedAsync(action, BulkActionSettling, ct) ? 1 : 0);
            LogEngagementErased(logger, record.ErasureId, firmId, target.TombstoneId);

            var pending = record.Pending.Where(p => p.EngagementId != target.EngagementId).ToList();
            record = await SaveAsync(record with { Pending = pending, Removed = removed, HeartbeatAt = time.GetUtcNow() }, ct);
        }

        record = await SaveAsync(record with
        {
            Status = ErasureRecord.Completed, CompletedAt = time.GetUtcNow(), HeartbeatAt = time.GetUtcNow(), ClientId = null, Pending = [], Removed = removed,
        }, ct);
        LogCompleted(logger, record.ErasureId, firmId, record.Kind, record.Reason, record.Engagements);
        return record;
    }

    private async Task<ErasureRecord> SaveAsync(ErasureRecord record, CancellationToken ct) =>
        await audit.SaveAsync(record, ct)
        // Another runner took the record over (the sweep, thinking this one had stopped): it finishes the same work.
        ?? await audit.GetAsync(record.FirmId, record.ErasureId, ct) ?? record;

    /// <summary>Whether an email (as a file or form had it) is this client's: the same opaque id, so no email is kept to compare with.</summary>
    private static bool IsClient(string firmId, string clientId, string? email) =>
        !string.IsNullOrWhiteSpace(email) && EngagementService.ClientIdOf(firmId, email) == clientId;

    private static void RequireAdmin(Caller caller)
    {
        if (caller.Role != Role.FirmAdmin) throw new ForbiddenException("Only a firm admin can erase a client or an engagement, or read the erasures.");
    }

    private static DateTimeOffset? Day(DateTimeOffset? at) => at is { } t ? new DateTimeOffset(t.UtcDateTime.Date, TimeSpan.Zero) : null;

    private static string NewId(string kind) => $"{kind}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10))}";

    internal static string RoleName(Role role) => role switch { Role.FirmAdmin => "firm-admin", Role.Coach => "coach", _ => "sponsor" };

    /// <summary>The caller the sweep and the command line erase as: the firm's system, not a person.</summary>
    public static Caller System(Firm firm, string who) => new(firm, new Coach(firm.FirmId, who, who, "", Role.FirmAdmin));

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure {ErasureId} of firm {FirmId}: an engagement erased, tombstone {TombstoneId}")]
    private static partial void LogEngagementErased(ILogger logger, string erasureId, string firmId, string tombstoneId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure {ErasureId} of firm {FirmId} completed ({Kind}, {Reason}, {Engagements} engagements)")]
    private static partial void LogCompleted(ILogger logger, string erasureId, string firmId, string kind, string reason, int engagements);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasure {ErasureId} of firm {FirmId} stopped half-way; finishing it ({Pending} engagements to go)")]
    private static partial void LogResuming(ILogger logger, string erasureId, string firmId, int pending);
}

/// <summary>No engagement of that client is left in the caller's firm (there never was one, or it was erased).</summary>
public sealed class ClientNotFoundException(string clientId)
    : WorkflowException($"There is no client '{clientId}' in your firm: no engagement of theirs is left (an erased client has none).");

/// <summary>No erasure with that id in the caller's firm.</summary>
public sealed class ErasureNotFoundException(string erasureId) : WorkflowException($"There is no erasure '{erasureId}' in your firm.");
