using System.Text.Json;
using System.Text.Json.Serialization;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Bulk;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;
using CoachFlow.Workflows.Engagements;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Web.Bulk;

/// <summary>Which engagements a bulk action picks; every field left out keeps all (within what the caller may act on). Running engagements only.</summary>
/// <param name="Cohort">The cohort id engagements were imported with.</param>
/// <param name="CoachId">A coach of the firm (a coach may only name themself).</param>
/// <param name="Phase">contract, contract-expired, intake, sessions, reassessment, graduation, maintenance or paused.</param>
/// <param name="Flag">stalled, stalled-progress, goal-not-resonant, client-email-bouncing, support-requested, effect-parked, step-parked or engagement-repaired.</param>
/// <param name="Overdue">Only engagements waiting for something due in the past.</param>
/// <param name="WaitingForClient">Only engagements waiting for the client to sign, answer or confirm.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BulkFilter(string? Cohort = null, string? CoachId = null, string? Phase = null, string? Flag = null, bool? Overdue = null, bool? WaitingForClient = null);

/// <summary>A bulk action to count (a dry run): <c>action</c> is resend-link, nudge (with <c>message</c>), pause (with <c>reason</c>), resume or end (with <c>reason</c>).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record BulkActionRequest(string? Action, BulkFilter? Filter = null, string? Message = null, string? Reason = null);

/// <summary>One engagement of the selection, as the listing shows it.</summary>
public sealed record BulkSample(string Id, string? Client, string Phase, string? WaitingFor, string? CoachId);

/// <summary>A dry run's draft: exactly these <see cref="Count"/> engagements are touched when it runs; nothing is touched yet.</summary>
public sealed record BulkDraftResponse(string Id, string Action, int Count, IReadOnlyList<BulkSample> Sample, string Status);

/// <summary>How many engagements came out <see cref="Outcome"/> (rejected, skipped) for <see cref="Reason"/>.</summary>
public sealed record BulkReasonCount(string Outcome, string Reason, int Count);

/// <summary>
/// A bulk action: who asked for what on how many engagements, and how its run went. <c>done</c> counts the decided ones
/// (applied, deferred until resumed, rejected by the engagement's rules, skipped before anything was kept); <c>pending</c>
/// is kept and not decided yet.
/// </summary>
public sealed record BulkActionStatus(
    string Id, string Action, string Status, bool Finished, int Selected, int Done, int Applied, int Deferred, int Rejected, int Skipped, int Pending,
    IReadOnlyList<BulkReasonCount> Reasons, BulkFilter Filter, string CreatedBy, DateTimeOffset CreatedAt, string? RunBy, DateTimeOffset? RunAt,
    DateTimeOffset? FinishedAt);

public sealed record BulkActionList(IReadOnlyList<BulkActionStatus> Items);

/// <summary>
/// Bulk follow-up: a firm admin (any engagement of the firm) or a coach (their own clients) picks running engagements
/// by filter and acts on all of them. A dry run records the selection as a draft; running it hands exactly those
/// engagements their input through the <see cref="BulkAction"/> orchestration. Sponsors cannot act (403).
/// </summary>
public static class BulkActionsApi
{
    /// <summary>The most engagements one bulk action touches.</summary>
    public const int MaxSelection = 10_000;

    private const int SampleSize = 5;

    private static readonly JsonSerializerOptions FilterJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static readonly HashSet<string> Phases =
        [.. new[] { EngagementPhase.Contract, EngagementPhase.ContractExpired, EngagementPhase.Intake, EngagementPhase.Sessions, EngagementPhase.Reassessment,
            EngagementPhase.Graduation, EngagementPhase.Maintenance, EngagementPhase.Paused }.Select(EngagementWorkflow.PhaseName)];

    private static readonly HashSet<string> Flags =
        [FlagNames.Stalled, FlagNames.StalledProgress, FlagNames.GoalNotResonant, FlagNames.ClientEmailBouncing, FlagNames.SupportRequested, "effect-parked", EngagementStore.StepParkedFlag,
            EngagementStore.RepairedFlag];

    private static Task? _tableCreated;

    public static IEndpointRouteBuilder MapBulkActionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/bulk-actions").RequireCaller().WithTags("Bulk follow-up");
        api.MapPost("", DraftAsync).WithName("DraftBulkAction")
            .WithSummary("Dry run: pick running engagements by filter (cohort, coach, phase, flag, overdue, waiting for the client) for resend-link, nudge, pause, resume or end; records the selection and touches nothing");
        api.MapPost("/{id}/run", RunAsync).WithName("RunBulkAction")
            .WithSummary("Run a drafted bulk action on exactly the engagements its dry run counted, durably and in batches (once: a second run is a 409)");
        api.MapGet("/{id}", GetAsync).WithName("GetBulkAction")
            .WithSummary("A bulk action's progress: selected, done, applied, deferred, rejected and skipped with their reasons, finished");
        api.MapGet("", ListAsync).WithName("ListBulkActions").WithSummary("The audit of bulk actions: who did what, when, on how many (a coach sees their own)");
        return app;
    }

    private static async Task<BulkActionStore> StoreAsync(EngagementService engagements)
    {
        var store = engagements.BulkActions;
        await (_tableCreated ??= store.EnsureCreatedAsync(CancellationToken.None));
        return store;
    }

    private static async Task<Created<BulkDraftResponse>> DraftAsync(BulkActionRequest body, HttpContext http, EngagementService engagements, TenancyStore tenancy,
        TimeProvider time, CancellationToken ct)
    {
        var caller = http.Caller();
        if (!caller.CanWrite) throw new ForbiddenException("A sponsor can read progress but cannot act on engagements.");
        var action = body.Action?.Trim().ToLowerInvariant() ?? throw new BadInputException($"Say what to do: 'action' is one of {string.Join(", ", BulkActionKinds.All)}.");
        if (!BulkActionKinds.All.Contains(action))
            throw new BadInputException($"There is no bulk action '{body.Action}'; use one of {string.Join(", ", BulkActionKinds.All)}.");
        var message = action == BulkActionKinds.Nudge ? Text(body.Message, "message", EngagementWorkflow.MaxNudgeLength, "a nudge")
            : body.Message is null ? null : throw new BadInputException($"Only a nudge carries a message; '{action}' does not.");
        var reason = action is BulkActionKinds.Pause or BulkActionKinds.End ? Text(body.Reason, "reason", 500, $"'{action}'")
            : body.Reason is null ? null : throw new BadInputException($"Only pause and end carry a reason; '{action}' does not.");

        var filter = body.Filter ?? new BulkFilter();
        var where = await IndexFilterOf(caller, filter, tenancy, ct);
        var now = time.GetUtcNow();
        var picked = new List<IndexEntry>();
        var clients = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var entry in engagements.ListAllAsync(caller, where, ct))
        {
            if (filter.Overdue == true && !EngagementViews.IsOverdue(entry.Status, entry.DueAt, now)) continue;
            if (filter.WaitingForClient == true && !WaitingForClient.Is(entry.WaitingFor)) continue;
            // One bulk action nudges a client once, however many of their engagements match.
            if (action == BulkActionKinds.Nudge && entry.ClientId is { } client && !clients.Add(client)) continue;
            picked.Add(entry);
            if (picked.Count > MaxSelection)
                throw new BadInputException($"More than {MaxSelection:N0} engagements match; narrow the filter (a cohort, a coach, a phase) and act in parts.");
        }
        if (picked.Count == 0) throw new BadInputException("No running engagement you may act on matches this filter; nothing to do.");

        var id = "bulk-" + Guid.NewGuid().ToString("N");
        var draft = new BulkActionRecord(caller.FirmId, id, action, message, reason, JsonSerializer.Serialize(filter, FilterJson), caller.Coach.CoachId,
            RoleName(caller.Role), now, picked.Count, BulkActionRecord.Draft, null, null, null, 0, 0, 0, 0, 0, 0, new Dictionary<string, int>());
        var store = await StoreAsync(engagements);
        await store.CreateDraftAsync(draft, [.. picked.Select(p => (p.EngagementId, p.ClientId))], ct);
        var sample = picked.Take(SampleSize).Select(p => new BulkSample(p.EngagementId, p.Label, p.Phase, p.WaitingFor, p.CoachId)).ToList();
        return TypedResults.Created($"/api/bulk-actions/{id}", new BulkDraftResponse(id, action, picked.Count, sample, BulkActionRecord.Draft));
    }

    private static async Task<Accepted<BulkActionStatus>> RunAsync(string id, HttpContext http, EngagementService engagements, DurableTaskClient client,
        TimeProvider time, CancellationToken ct)
    {
        var caller = http.Caller();
        if (!caller.CanWrite) throw new ForbiddenException("A sponsor can read progress but cannot act on engagements.");
        var store = await StoreAsync(engagements);
        var (record, etag) = await FindAsync(store, caller, id, ct);
        if (record.Status != BulkActionRecord.Draft)
            throw new NotPossibleNowException($"Bulk action {id} was run already ({record.RunAt:yyyy-MM-dd HH:mm} UTC); follow it at /api/bulk-actions/{id}. Draft a new one to act again.");
        var now = time.GetUtcNow();
        if (!await store.MarkRunningAsync(caller.FirmId, id, caller.Coach.CoachId, now, etag, ct))
            throw new NotPossibleNowException($"Bulk action {id} was run a moment ago; follow it at /api/bulk-actions/{id}.");
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(Names.Orchestrators.BulkAction, new BulkRunRequest(caller.FirmId, id), new StartOrchestrationOptions(id), ct);
        }
        catch
        {
            await store.RevertToDraftAsync(caller.FirmId, id, CancellationToken.None); // nothing ran: it can be run again
            throw;
        }
        return TypedResults.Accepted($"/api/bulk-actions/{id}", Status(record with { Status = BulkActionRecord.Running, RunBy = caller.Coach.CoachId, RunAt = now }));
    }

    private static async Task<Ok<BulkActionStatus>> GetAsync(string id, HttpContext http, EngagementService engagements, CancellationToken ct)
    {
        var caller = http.Caller();
        if (!caller.CanWrite) throw new ForbiddenException("Bulk actions are for firm admins and coaches.");
        var (record, _) = await FindAsync(await StoreAsync(engagements), caller, id, ct);
        return TypedResults.Ok(Status(record));
    }

    private static async Task<Ok<BulkActionList>> ListAsync(HttpContext http, EngagementService engagements, CancellationToken ct)
    {
        var caller = http.Caller();
        if (!caller.CanWrite) throw new ForbiddenException("Bulk actions are for firm admins and coaches.");
        var all = await (await StoreAsync(engagements)).ListAsync(caller.FirmId, 1000, ct);
        return TypedResults.Ok(new BulkActionList([.. all.Where(r => caller.Role == Role.FirmAdmin || r.CreatedBy == caller.Coach.CoachId).Take(200).Select(Status)]));
    }

    /// <summary>The caller's firm's bulk action; a coach sees only those they drafted. Anything else is "not found".</summary>
    private static async Task<(BulkActionRecord Record, Azure.ETag ETag)> FindAsync(BulkActionStore store, Caller caller, string id, CancellationToken ct)
    {
        var found = await store.GetAsync(caller.FirmId, id, ct);
        if (found is not { } f || (caller.Role != Role.FirmAdmin && f.Record.CreatedBy != caller.Coach.CoachId))
            throw new EngagementNotFoundException($"bulk action {id}");
        return f;
    }

    private static async Task<IndexFilter> IndexFilterOf(Caller caller, BulkFilter filter, TenancyStore tenancy, CancellationToken ct)
    {
        if (filter.Phase is { } phase && !Phases.Contains(phase))
            throw new BadInputException($"There is no phase '{phase}' to act on; use one of {string.Join(", ", Phases)}.");
        if (filter.Flag is { } flag && !Flags.Contains(flag))
            throw new BadInputException($"There is no flag '{flag}'; use one of {string.Join(", ", Flags)}.");
        if (filter.Cohort is { Length: 0 or > 100 }) throw new BadInputException("A cohort id is 1 to 100 characters.");
        if (filter.CoachId is { } coachId)
        {
            if (caller.Role == Role.Coach && coachId != caller.Coach.CoachId)
                throw new ForbiddenException("A coach acts on their own clients only; leave coachId out or give your own.");
            var coach = coachId.Length is > 0 and <= 100 ? await tenancy.GetCoachAsync(caller.FirmId, coachId, ct) : null;
            if (coach is null || coach.Role == Role.Sponsor) throw new BadInputException($"There is no coach '{coachId}' in your firm.");
        }
        return new IndexFilter(CoachId: filter.CoachId, Phase: filter.Phase, Status: EngagementStatus.Running, Flag: filter.Flag, CohortId: filter.Cohort);
    }

    private static string Text(string? value, string what, int max, string forWhat)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text)) throw new BadInputException($"{char.ToUpperInvariant(forWhat[0])}{forWhat[1..]} needs a '{what}'.");
        if (text.Length > max) throw new BadInputException($"The {what} is at most {max} characters ({text.Length} sent).");
        return text;
    }

    private static BulkActionStatus Status(BulkActionRecord r) => new(
        r.ActionId, r.Action, r.Status, r.Status == BulkActionRecord.Finished, r.Selected, r.Done, r.Applied, r.Deferred, r.Rejected, r.Skipped, r.Pending,
        [.. r.Reasons.Select(kv => kv.Key.Split(": ", 2) is [var outcome, var reason] ? new BulkReasonCount(outcome, reason, kv.Value) : new BulkReasonCount("", kv.Key, kv.Value))
            .OrderByDescending(c => c.Count)],
        JsonSerializer.Deserialize<BulkFilter>(r.Filter, FilterJson) ?? new BulkFilter(), r.CreatedBy, r.CreatedAt, r.RunBy, r.RunAt, r.FinishedAt);

    private static string RoleName(Role role) => role switch { Role.FirmAdmin => "firm-admin", Role.Coach => "coach", _ => "sponsor" };
}
