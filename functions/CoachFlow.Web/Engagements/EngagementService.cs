using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CoachFlow.Web.Tenancy;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Bulk;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Web.Engagements;

/// <summary>
/// The host's door to engagements: every read and write goes through here, scoped to the caller's firm and
/// role (a coach sees their own engagements, a firm admin the firm's, a sponsor only the engagements that
/// name them as sponsor, read-only and without answers or private notes). Another firm's engagement, or one
/// the caller may not see, is "not found", never "forbidden". A client's or sponsor's signed link is its own
/// authority (it names one engagement and a purpose): its reads and inputs come in through the <c>…FromLink…</c> methods.
/// </summary>
public sealed class EngagementService(EngagementEngine engine, EngagementWorkflow rules, ProgramCatalog programs)
{
    /// <summary>How long a request waits for its input to be decided before answering "accepted" (202): it is kept either way.</summary>
    public static readonly TimeSpan DecisionWait = TimeSpan.FromSeconds(10);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public ProgramCatalog Programs => programs;
    public EngagementWorkflow Rules => rules;

    /// <summary>The firm's bulk actions (drafts and their audit), on the engine's read model.</summary>
    public BulkActionStore BulkActions { get; } = new(engine.Store);

    /// <summary>The engagement with its timeline, if the caller may see it.</summary>
    public async Task<(EngagementView View, EngagementState State)> GetAsync(Caller caller, string engagementId, CancellationToken ct)
    {
        var view = await EngagementView.LoadAsync(engine.Store, rules, engagementId, withHistory: true, ct);
        CheckAccess(caller, engagementId, view.FirmId, view.CoachId, view.SponsorId);
        return (view, view.State);
    }

    /// <summary>Throws "not found" unless the caller may see the engagement; one point read, no timeline.</summary>
    public async Task CheckAccessAsync(Caller caller, string engagementId, CancellationToken ct)
    {
        var snapshot = await engine.Store.GetAsync(engagementId, ct) ?? throw new EngagementNotFoundException(engagementId);
        CheckAccess(caller, engagementId, snapshot.FirmId, snapshot.CoachId, snapshot.SponsorId);
    }

    /// <summary>Throws "not found" unless the caller may see an engagement of this firm, coach and sponsor (the data export checks with it too).</summary>
    internal static void CheckAccess(Caller caller, string engagementId, string firmId, string? coachId, string? sponsorId)
    {
        if (firmId != caller.FirmId) throw new EngagementNotFoundException(engagementId);
        if (caller.Role == Role.Coach && coachId != caller.Coach.CoachId) throw new EngagementNotFoundException(engagementId);
        if (caller.Role == Role.Sponsor && sponsorId != caller.Coach.CoachId) throw new EngagementNotFoundException(engagementId);
    }

    public async Task<RaiseOutcome> RaiseAsync(Caller caller, string engagementId, WorkflowInput input, string idempotencyKey, CancellationToken ct)
    {
        RequireWriter(caller);
        await CheckAccessAsync(caller, engagementId, ct); // before anything is written
        return await engine.RaiseAsync(engagementId, input, idempotencyKey, DecisionWait, ct);
    }

    /// <summary>Retries the engagement's parked deliveries: a firm admin's, within their firm.</summary>
    public async Task<RaiseOutcome> RedriveAsync(Caller caller, string engagementId, CancellationToken ct)
    {
        if (caller.Role != Role.FirmAdmin) throw new ForbiddenException("Only a firm admin can retry parked deliveries.");
        await CheckAccessAsync(caller, engagementId, ct);
        return await engine.RaiseAsync(engagementId, new RedriveEffects(), "redrive:" + Guid.NewGuid().ToString("N"), DecisionWait, ct);
    }

    /// <summary>An input from a client's signed link, which names <paramref name="engagementId"/> (the link page checked it).</summary>
    public Task<RaiseOutcome> RaiseFromLinkAsync(string engagementId, WorkflowInput input, string idempotencyKey, CancellationToken ct) =>
        engine.RaiseAsync(engagementId, input, idempotencyKey, DecisionWait, ct);

    /// <summary>The engagement a signed link names, with its timeline, for the page the link opens.</summary>
    public Task<EngagementView> LoadFromLinkAsync(string engagementId, CancellationToken ct) =>
        EngagementView.LoadAsync(engine.Store, rules, engagementId, withHistory: true, ct);

    /// <summary>The engagement's index row, if the caller may see it (what is left of an erased one, or one still starting).</summary>
    public async Task<IndexEntry> GetIndexEntryAsync(Caller caller, string engagementId, CancellationToken ct)
    {
        var entry = await engine.Store.GetIndexEntryAsync(caller.FirmId, engagementId, ct) ?? throw new EngagementNotFoundException(engagementId);
        CheckAccess(caller, engagementId, caller.FirmId, entry.CoachId, entry.SponsorId); // the index partition is the caller's firm
        return entry;
    }

    /// <summary>Every engagement of the caller's firm the caller may see that matches <paramref name="where"/>, from the index.</summary>
    public IAsyncEnumerable<IndexEntry> ListAllAsync(Caller caller, IndexFilter where, CancellationToken ct) =>
        engine.Store.ListAllAsync(caller.FirmId, ScopeOf(caller, where), ct);

    /// <summary>Whether an engagement with this id exists (a cohort import's "started already"; one point read).</summary>
    public Task<bool> ExistsAsync(string engagementId, CancellationToken ct) => engine.Store.ExistsAsync(engagementId, ct);

    /// <summary>A page of the firm's engagements from the index (never a scan); <paramref name="overdueAt"/> keeps only running ones due before it.</summary>
    public async Task<(IReadOnlyList<IndexEntry> Items, string? ContinuationToken)> ListAsync(Caller caller, IndexFilter where,
        DateTimeOffset? overdueAt, int pageSize, string? continuationToken, CancellationToken ct)
    {
        try
        {
            var (items, next) = await engine.Store.ListAsync(caller.FirmId, ScopeOf(caller, where), pageSize, continuationToken, ct);
            return (overdueAt is { } now ? [.. items.Where(i => EngagementViews.IsOverdue(i.Status, i.DueAt, now))] : items, next);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 400 && continuationToken is not null)
        {
            throw new BadInputException("The continuationToken is not one this API handed out; start the listing again without it.");
        }
    }

    /// <summary>
    /// The filter narrowed to what the caller may see: a coach their own engagements, a sponsor only those that name
    /// them; a firm admin the whole firm. Every listing and count goes through here.
    /// </summary>
    public static IndexFilter ScopeOf(Caller caller, IndexFilter where) => caller.Role switch
    {
        Role.Coach => where with { CoachId = caller.Coach.CoachId },
        Role.Sponsor => where with { SponsorId = caller.Coach.CoachId },
        _ => where,
    };

    /// <param name="caller">The coach or admin starting it.</param>
    /// <param name="request">The client, program and terms.</param>
    /// <param name="sponsor">The firm's sponsor user named by <c>sponsorId</c> (already looked up), or null.</param>
    /// <param name="idempotencyKey">The same key starts the same engagement once.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="followUpOf">The engagement this one follows up (its coach keeps the client), or null.</param>
    /// <param name="cohort">For a row of a cohort import: the cohort, the row's coach (already checked to be the firm's) and the client's time zone.
    /// The engagement's id is then the cohort's and the client email's, so importing the same row again starts nobody twice.</param>
    /// <param name="waitForFirstStep">Wait up to <see cref="DecisionWait"/> for the engagement's first step, so the caller can read what it
    /// started (a person pressed a button). A cohort import passes false: it reads nothing back, and a batch waiting 10 s on a busy engine would
    /// only slow itself down.</param>
    /// <returns>The engagement's id, and whether this call started it (false: the same key started it before).</returns>
    public async Task<(string EngagementId, bool Started)> StartAsync(Caller caller, CreateEngagementRequest request, Coach? sponsor, string? idempotencyKey, CancellationToken ct,
        EngagementState? followUpOf = null, CohortStart? cohort = null, bool waitForFirstStep = true)
    {
        RequireWriter(caller);
        var program = programs.Find(request.ProgramId ?? "")
            ?? throw new BadInputException($"There is no program '{request.ProgramId}'. Known programs: {string.Join(", ", programs.All.Select(p => p.Id).Distinct())}.");
        var clientName = TenancyStore.Require(request.ClientName, "client name", 200);
        var clientEmail = TenancyStore.RequireEmail(request.ClientEmail);
        var goals = (request.OverallGoals ?? []).Select(g => TenancyStore.Require(g, "goal", 500)).ToList();
        if (goals.Count > 10) throw new BadInputException("At most 10 overall goals.");
        if (request.Fee is < 0 or > 1_000_000) throw new BadInputException("The fee is between 0 and 1,000,000.");
        if (request.SessionMinutes is < 15 or > 480) throw new BadInputException("A session lasts between 15 and 480 minutes.");

        var key = cohort is not null ? CohortKey(cohort.CohortId, clientEmail)
            : string.IsNullOrWhiteSpace(idempotencyKey) ? Guid.NewGuid().ToString("N") : idempotencyKey;
        var coachId = cohort?.CoachId ?? followUpOf?.CoachId ?? caller.Coach.CoachId;
        var engagementId = cohort is not null ? CohortEngagementId(caller.FirmId, cohort.CohortId, clientEmail) : EngagementIdOf($"{caller.FirmId}|{coachId}|{key}");
        var clientId = ClientIdOf(caller.FirmId, clientEmail);
        var terms = new EngagementTerms(
            request.SessionMinutes ?? 60,
            request.Fee ?? 0,
            Limit(request.Currency, "currency", 3) ?? "EUR",
            Limit(request.PaymentTerms, "payment terms", 500) ?? "Invoiced monthly, payable within 14 days.",
            Limit(request.CancellationPolicy, "cancellation policy", 1000) ?? "Sessions moved or cancelled at least 24 hours ahead are not charged.",
            Limit(request.SponsorName, "sponsor name", 200) ?? sponsor?.Name,
            Limit(request.SponsorSees, "what the sponsor sees", 500) ?? "Only the agreed goals and whether sessions took place.",
            [.. goals]);
        var start = new StartEngagement(caller.FirmId, coachId, clientId, clientName, clientEmail, program.Id, terms,
            SponsorId: sponsor?.CoachId ?? followUpOf?.SponsorId, FollowUpOf: followUpOf?.EngagementId,
            CohortId: cohort?.CohortId, ClientTimeZone: cohort?.TimeZoneId ?? followUpOf?.ClientTimeZone);
        var started = await engine.StartAsync(engagementId, start, key, ct);
        // The engagement's first step records it in the read model: wait for it, so the caller can read what it started.
        if (waitForFirstStep) await engine.WaitForOutcomeAsync(engagementId, "start:" + key, DecisionWait, ct);
        return (engagementId, started);
    }

    /// <summary>The id of a cohort row's engagement: the firm's, the cohort's and the client email's (case-insensitive), whoever imports it.</summary>
    public static string CohortEngagementId(string firmId, string cohortId, string clientEmail) => EngagementIdOf($"{firmId}|{CohortKey(cohortId, clientEmail)}");

    private static string CohortKey(string cohortId, string clientEmail) => $"cohort:{cohortId}:{clientEmail.Trim().ToLowerInvariant()}";

    private static string EngagementIdOf(string seed) => "eng-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)))[..20];

    /// <summary>
    /// Starts a follow-up engagement for the client of a graduated engagement: the client's details, the goals
    /// (unless <paramref name="overallGoals"/> replaces them), the program and the terms carry over; the client
    /// gets a new contract to sign; the earlier engagement records the follow-up and its support request is answered.
    /// </summary>
    /// <remarks>Repeating the request with the same Idempotency-Key (or, without one, before the follow-up is recorded) returns the same engagement.</remarks>
    public async Task<(string EngagementId, bool Started)> StartFollowUpAsync(Caller caller, string engagementId, IReadOnlyList<string>? overallGoals, string? idempotencyKey, CancellationToken ct)
    {
        RequireWriter(caller);
        var (_, state) = await GetAsync(caller, engagementId, ct);
        if (state.GraduatedAt is null)
            throw new NotPossibleNowException($"A follow-up engagement starts from a client who has graduated; engagement {engagementId} is in phase '{EngagementWorkflow.PhaseName(state.Phase)}'.");
        var terms = state.Terms ?? throw new InvalidDataException($"Engagement {engagementId} has no terms.");
        // Scoped to the earlier engagement, so one key sent for two engagements still starts two follow-ups.
        var key = $"follow-up:{engagementId}:{(string.IsNullOrWhiteSpace(idempotencyKey) ? $"{state.FollowUps.Count + 1}" : "key:" + idempotencyKey)}";
        var request = new CreateEngagementRequest(state.ClientName, state.ClientEmail, state.ProgramId, overallGoals ?? terms.OverallGoals, terms.Fee, terms.Currency,
            terms.SessionMinutes, terms.PaymentTerms, terms.CancellationPolicy, terms.SponsorName, terms.SponsorSees);
        var (followUpId, started) = await StartAsync(caller, request, null, key, ct, followUpOf: state);
        var recorded = await engine.RaiseAsync(engagementId, new StartFollowUp(followUpId), $"follow-up:{followUpId}", DecisionWait, ct);
        if (recorded.Result == InputOutcome.Rejected) throw new NotPossibleNowException(recorded.Reason ?? "The follow-up could not be recorded.");
        return (followUpId, started);
    }

    /// <summary>A client's opaque id within a firm (the same email is the same client): what the index keeps instead of the email.</summary>
    public static string ClientIdOf(string firmId, string clientEmail) =>
        "client-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{firmId}|{clientEmail.Trim().ToLowerInvariant()}")))[..16];

    private static string? Limit(string? value, string what, int max)
    {
        if (value is null) return null;
        if (value.Length > max) throw new BadInputException($"The {what} is at most {max} characters.");
        return value.Trim();
    }

    public static void RequireWriter(Caller caller)
    {
        if (!caller.CanWrite) throw new ForbiddenException("A sponsor can read progress but cannot change an engagement.");
    }
}

/// <summary>The engagement is not where this request can apply (a 409 with the reason).</summary>
public sealed class NotPossibleNowException(string message) : WorkflowException(message);

/// <summary>The caller may see the engagement but not do this to it.</summary>
public sealed class ForbiddenException(string message) : WorkflowException(message);

/// <summary>A row of a cohort import: which cohort, the row's coach (one of the firm's), and the client's IANA time zone if the file gave one.</summary>
public sealed record CohortStart(string CohortId, string CoachId, string? TimeZoneId);

public sealed record CreateEngagementRequest(
    string? ClientName,
    string? ClientEmail,
    string? ProgramId,
    IReadOnlyList<string>? OverallGoals = null,
    decimal? Fee = null,
    string? Currency = null,
    int? SessionMinutes = null,
    string? PaymentTerms = null,
    string? CancellationPolicy = null,
    string? SponsorName = null,
    string? SponsorSees = null,
    string? SponsorId = null);
