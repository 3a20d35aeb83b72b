using System.Collections.Immutable;
using CoachFlow.Documents;
using CoachFlow.Documents.Charts;
using CoachFlow.Web.Documents;
using CoachFlow.Web.Effects;
using CoachFlow.Web.Tenancy;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoachFlow.Web.Engagements;

public sealed record MeResponse(string CoachId, string FirmId, string Name, string Email, string Role, string FirmName);
/// <summary>A sponsor of the firm (someone who pays for clients and reads their progress); no email, only what a picker shows.</summary>
public sealed record SponsorSummary(string Id, string Name);
public sealed record ProgramSummary(string Id, int Version, string Name, int Sessions);
public sealed record ScheduleRequest(int? Number, DateTimeOffset? StartAt, string? TimeZoneId);
public sealed record GrowRequest(string? Goal, string? Reality, string? Options, string? Will);
public sealed record GoalRequest(string? Description, string? Measure);
public sealed record ActionRequest(string? Description, DateTimeOffset? DueAt, string? Obstacle, string? Mitigation);
public sealed record IndicatorRequest(string? Name, string? Target);
public sealed record AgreementRequest(
    GrowRequest? Grow,
    IReadOnlyList<GoalRequest>? Goals,
    IReadOnlyList<ActionRequest>? Actions,
    string? Accountability,
    IReadOnlyList<IndicatorRequest>? LeadingIndicators,
    string? Takeaways,
    string? SharedNotes,
    string? PrivateCoachNotes);
public sealed record ReasonRequest(string? Reason);
public sealed record ReviewRequest(IReadOnlyList<string>? GoalUpdates, IReadOnlyList<string>? DroppedActionIds, bool AmendmentNeeded);
public sealed record PlanRequest(IReadOnlyList<string>? Frameworks, IReadOnlyList<string>? ValuesAndStrengths, string? GoalTracking, string? RetreatCadence, IReadOnlyList<string>? SupportTriggers, string? Outcomes);
public sealed record ChangeCoachRequest(string? CoachId);
/// <summary>A follow-up engagement; without <see cref="OverallGoals"/> the goals of the earlier contract carry over.</summary>
public sealed record FollowUpRequest(IReadOnlyList<string>? OverallGoals);
/// <param name="Result">applied; duplicate (the same request was taken before and applied); deferred (kept until the
/// engagement can take it, e.g. while paused); accepted (kept, and recorded in a moment).</param>
public sealed record StepResponse(string Id, string Result, long? Version, string? Message);
public sealed record BadgeResponse(int Count);

/// <summary>The coach API: what the extension calls, behind personal access tokens.</summary>
public static class EngagementsApi
{
    private const int Text = 4000;

    public static IEndpointRouteBuilder MapEngagementsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireCaller().WithTags("Coach API");
        api.MapGet("/me", (HttpContext http) =>
        {
            var c = http.Caller();
            return TypedResults.Ok(new MeResponse(c.Coach.CoachId, c.FirmId, c.Coach.Name, c.Coach.Email, RoleName(c.Role), c.Firm.Name));
        }).WithName("GetMe").WithSummary("Who the token belongs to");

        api.MapGet("/programs", (EngagementService engagements) =>
            TypedResults.Ok(engagements.Programs.All.GroupBy(p => p.Id).Select(g => g.MaxBy(p => p.Version)!)
                .Select(p => new ProgramSummary(p.Id, p.Version, p.Name, p.SessionCount)).ToList()))
            .WithName("ListPrograms").WithSummary("Programs an engagement can start on");

        api.MapGet("/sponsors", async (HttpContext http, TenancyStore tenancy, CancellationToken ct) =>
        {
            EngagementService.RequireWriter(http.Caller());
            var sponsors = await tenancy.ListPeopleAsync(http.Caller().FirmId, Role.Sponsor, ct);
            return TypedResults.Ok(sponsors.Select(s => new SponsorSummary(s.CoachId, s.Name)).ToList());
        }).WithName("ListSponsors").WithSummary("The firm's sponsors a coach can name when starting an engagement (sponsorId)");

        api.MapPost("/engagements", CreateAsync).WithName("StartEngagement").WithSummary("Create a client and start an engagement; the contract email goes out");
        api.MapGet("/engagements", ListAsync).WithName("ListEngagements").WithSummary("List engagements (filters: phase, waitingFor, flag, overdue, status, coachId, cohort); erased engagements' tombstones only with status=erased");
        api.MapGet("/engagements/{id}", GetAsync).WithName("GetEngagement").WithSummary("Timeline, due items, documents, actions, intake and reassessments");
        api.MapPost("/engagements/{id}/sessions", (string id, ScheduleRequest body, HttpContext http, EngagementService e, CancellationToken ct) =>
            Step(http, e, id, ToSchedule(body, reschedule: false), $"schedule:{body.Number}:{body.StartAt:O}", ct))
            .WithName("ScheduleSession").WithSummary("Schedule the next session (date, time, IANA time zone)");
        api.MapPost("/engagements/{id}/sessions/{number:int}/reschedule", (string id, int number, ScheduleRequest body, HttpContext http, EngagementService e, CancellationToken ct) =>
            Step(http, e, id, ToSchedule(body with { Number = number }, reschedule: true), $"reschedule:{number}:{body.StartAt:O}", ct))
            .WithName("RescheduleSession").WithSummary("Move a scheduled session");
        api.MapPut("/engagements/{id}/sessions/{number:int}/agreement", (string id, int number, AgreementRequest body, HttpContext http, EngagementService e, CancellationToken ct) =>
            Step(http, e, id, new CaptureSessionAgreement(number, ToAgreement(body)), Key(http, $"agreement:{number}"), ct))
            .WithName("CaptureSessionAgreement").WithSummary("Capture the session agreement (GROW, 1–3 goals, the client's actions)");
        api.MapPost("/engagements/{id}/sessions/{number:int}/held", (string id, int number, HttpContext http, EngagementService e, CancellationToken ct) =>
            Step(http, e, id, new MarkSessionHeld(number), $"held:{number}", ct))
            .WithName("MarkSessionHeld").WithSummary("Mark a session held; the summary email goes out");
        api.MapPost("/engagements/{id}/reassessments/{number:int}/review", (string id, int number, ReviewRequest body, HttpContext http, EngagementService e, CancellationToken ct) =>
            Step(http, e, id, new ReviewReassessment(number, List(body.GoalUpdates, "goal update", 10), List(body.DroppedActionIds, "action id", 50), body.AmendmentNeeded), $"review:{number}", ct))
            .WithName("ReviewReassessment").WithSummary("Review a reassessment with the client and adjust the goals");
        api.MapPost("/engagements/{id}/maintenance-plan", (string id, PlanRequest body, HttpContext http, EngagementService e, CancellationToken ct) =>
            Step(http, e, id, new DraftMaintenancePlan(ToPlan(body)), Key(http, "plan:" + Guid.NewGuid().ToString("N")), ct))
            .WithName("DraftMaintenancePlan").WithSummary("Graduate: send the maintenance plan for the client to confirm");
        api.MapPost("/engagements/{id}/pause", (string id, ReasonRequest body, HttpContext http, EngagementService e, CancellationToken ct) =>
            Step(http, e, id, new PauseEngagement(Party.Coach, Req(body.Reason, "reason", 500)), Key(http, "pause:" + Guid.NewGuid().ToString("N")), ct))
            .WithName("PauseEngagement").WithSummary("Pause: reminders and check-ins wait");
        api.MapPost("/engagements/{id}/resume", (string id, HttpContext http, EngagementService e, CancellationToken ct) =>
            Step(http, e, id, new ResumeEngagement(), Key(http, "resume:" + Guid.NewGuid().ToString("N")), ct))
            .WithName("ResumeEngagement").WithSummary("Resume a paused engagement");
        api.MapPost("/engagements/{id}/end", (string id, ReasonRequest body, HttpContext http, EngagementService e, CancellationToken ct) =>
            Step(http, e, id, new EndEngagement(Party.Coach, Req(body.Reason, "reason", 500)), "end", ct))
            .WithName("EndEngagement").WithSummary("End the engagement; the closing email goes out");
        api.MapPost("/engagements/{id}/resend", (string id, HttpContext http, EngagementService e, CancellationToken ct) =>
            Step(http, e, id, new ResendContract(), Key(http, "resend:" + Guid.NewGuid().ToString("N")), ct))
            .WithName("ResendContract").WithSummary("Send the contract link again (also after it expired)");
        api.MapPost("/engagements/{id}/follow-up", FollowUpAsync).WithName("StartFollowUpEngagement")
            .WithSummary("Start a follow-up engagement for a graduated client (e.g. after they asked for support): details and goals carried over, a new contract to sign");
        api.MapPost("/engagements/{id}/coach", ChangeCoachAsync).WithName("ChangeCoach").WithSummary("Hand the engagement to another coach of the firm (firm admin)");
        api.MapDelete("/engagements/{id}", PurgeAsync).WithName("PurgeEngagement")
            .WithSummary("Erase an engagement and every trace of it, leaving a tombstone and an audit record (firm admin; confirm=<the id>). POST /api/clients/{clientId}/erase erases a client");
        api.MapPost("/engagements/{id}/redrive", RedriveAsync).WithName("RedriveEngagement").WithSummary("Retry parked emails and documents after fixing the cause (firm admin)");
        api.MapGet("/engagements/{id}/charts/wheel.svg", WheelAsync).WithName("WheelChart").WithSummary("Wheel of Life radar: baseline against the latest reassessment");
        api.MapGet("/engagements/{id}/charts/trend.svg", TrendAsync).WithName("TrendChart").WithSummary("Scaled questions over time");
        api.MapGet("/engagements/{id}/documents/{name}", DocumentAsync).WithName("GetDocument").WithSummary("A stored document as HTML (add ?format=json for its data)");
        api.MapGet("/engagements/{id}/documents/{name}/pdf", DocumentPdfAsync).WithName("GetDocumentPdf")
            .WithSummary("The signed contract (with its evidence), a reassessment report or the maintenance plan as PDF");
        api.MapGet("/engagements/{id}/reports/{kind}", ReportAsync).WithName("GetReport")
            .WithSummary("progress-report (also for the sponsor) or action-checkins, built now; add ?format=pdf for the progress report as PDF");
        api.MapGet("/badge", BadgeAsync).WithName("GetBadge").WithSummary("How many engagements need the coach (overdue or flagged)");
        return app;
    }

    private static string RoleName(Role role) => role switch { Role.FirmAdmin => "firm-admin", Role.Coach => "coach", _ => "sponsor" };

    private static async Task<Results<Created<EngagementSummary>, Ok<EngagementSummary>, ProblemHttpResult>> CreateAsync(
        CreateEngagementRequest body, HttpContext http, EngagementService engagements, TenancyStore tenancy, TimeProvider time, CancellationToken ct)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 200) throw new BadInputException("An Idempotency-Key is at most 200 characters.");
        EngagementService.RequireWriter(http.Caller()); // a sponsor is refused before anything is looked up
        var sponsor = body.SponsorId is null ? null : await UserAsync(tenancy, http.Caller(), body.SponsorId, Role.Sponsor, ct);
        var (id, started) = await engagements.StartAsync(http.Caller(), body, sponsor, key, ct);
        var summary = await StartedSummaryAsync(http.Caller(), engagements, id, time, ct);
        return started ? TypedResults.Created($"/api/engagements/{id}", summary) : TypedResults.Ok(summary);
    }

    private static async Task<Results<Created<EngagementSummary>, Ok<EngagementSummary>>> FollowUpAsync(
        string id, HttpContext http, EngagementService engagements, TimeProvider time, CancellationToken ct, FollowUpRequest? body = null)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 200) throw new BadInputException("An Idempotency-Key is at most 200 characters.");
        var goals = body?.OverallGoals is null ? null : List(body.OverallGoals, "goal", 10);
        var (newId, started) = await engagements.StartFollowUpAsync(http.Caller(), id, goals, key, ct);
        var summary = await StartedSummaryAsync(http.Caller(), engagements, newId, time, ct);
        return started ? TypedResults.Created($"/api/engagements/{newId}", summary) : TypedResults.Ok(summary);
    }

    /// <summary>
    /// The engagement just started, as its first step recorded it; if the engine has not got to that step yet (a
    /// busy moment), as the index shows it from the start: the contract on its way.
    /// </summary>
    private static async Task<EngagementSummary> StartedSummaryAsync(Caller caller, EngagementService engagements, string id, TimeProvider time, CancellationToken ct)
    {
        try
        {
            var (view, state) = await engagements.GetAsync(caller, id, ct);
            return new EngagementSummary(view.InstanceId, state.ClientName, state.ProgramId, view.Phase, view.WaitingFor, view.DueAt, false, view.Flags,
                view.Status, view.CoachId, view.UpdatedAt, state.CohortId, state.ClientId.Length > 0 ? state.ClientId : null);
        }
        catch (EngagementNotFoundException)
        {
            var entry = await engagements.GetIndexEntryAsync(caller, id, ct);
            return EngagementViews.Summary(entry, time.GetUtcNow());
        }
    }

    private static async Task<Ok<EngagementPage>> ListAsync(HttpContext http, EngagementService engagements, TimeProvider time,
        string? phase, string? waitingFor, string? flag, bool? overdue, string? status, string? coachId, string? cohort, int? pageSize, string? continuationToken, CancellationToken ct)
    {
        if (status is not (null or EngagementStatus.Running or EngagementStatus.Completed or EngagementStatus.Ended or EngagementStatus.Erased))
            throw new BadInputException($"Unknown status '{status}'; use running, completed (closed after maintenance), ended (ended early) or erased (what is left of an erased engagement: its program and dates).");
        if (pageSize is < 1 or > 500) throw new BadInputException("A pageSize is between 1 and 500.");
        var now = time.GetUtcNow();
        var where = new IndexFilter(CoachId: coachId, Phase: phase, Status: status, Flag: flag, CohortId: cohort);
        var (items, next) = await engagements.ListAsync(http.Caller(), where, overdue == true ? now : null, pageSize ?? 50, continuationToken, ct);
        return TypedResults.Ok(new EngagementPage([.. items.Where(i => waitingFor is null || i.WaitingFor == waitingFor).Select(i => EngagementViews.Summary(i, now))], next));
    }

    private static async Task<Ok<EngagementDetail>> GetAsync(string id, HttpContext http, EngagementService engagements, DocumentStore documents, TimeProvider time, CancellationToken ct)
    {
        var caller = http.Caller();
        var (view, state) = await engagements.GetAsync(caller, id, ct);
        var docs = await documents.ListAsync(id, ct);
        return TypedResults.Ok(EngagementViews.Detail(caller, view, state, engagements.Programs, docs, time.GetUtcNow()));
    }

    private static async Task<IResult> Step(HttpContext http, EngagementService engagements, string id, WorkflowInput input, string key, CancellationToken ct)
    {
        var outcome = await engagements.RaiseAsync(http.Caller(), id, input, key, ct);
        return StepResult(http, id, outcome);
    }

    /// <summary>
    /// applied → 200; rejected → 409 with the reason; deferred or not decided yet while the engine runs the engagement → 202
    /// saying so; not decided because nothing was running it (repaired just now) → 503 with Retry-After: the input is kept.
    /// </summary>
    private static IResult StepResult(HttpContext http, string id, RaiseOutcome outcome)
    {
        var result = outcome.Result == InputOutcome.Applied && outcome.Duplicate ? "duplicate" : outcome.Result;
        if (outcome.Result == RaiseOutcome.Repairing)
            http.Response.Headers[Microsoft.Net.Http.Headers.HeaderNames.RetryAfter] = RepairRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return outcome.Result switch
        {
            RaiseOutcome.Repairing => TypedResults.Problem(
                "Received and kept, but the engine had stopped running this engagement; it has been restarted from its record and has not " +
                "recorded this yet. Send the same request again in a few seconds (with the same Idempotency-Key, if you sent one) to see what came of it: it is not taken twice.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "The engagement is being restarted"),
            InputOutcome.Rejected => TypedResults.Problem(outcome.Reason, statusCode: StatusCodes.Status409Conflict, title: "Not possible now"),
            InputOutcome.Deferred => TypedResults.Accepted($"/api/engagements/{id}", new StepResponse(id, result, outcome.Version,
                outcome.Reason ?? "Kept: it is applied as soon as the engagement can take it (for example, once it is resumed).")),
            RaiseOutcome.Accepted => TypedResults.Accepted($"/api/engagements/{id}", new StepResponse(id, result, null,
                "Received and kept; it is being recorded and shows on the engagement in a moment.")),
            _ => TypedResults.Ok(new StepResponse(id, result, outcome.Version, null)),
        };
    }

    /// <summary>What <c>Retry-After</c> says when an engagement was just repaired: a repaired part decides its waiting inputs within seconds.</summary>
    public const int RepairRetryAfterSeconds = 5;

    private static async Task<IResult> ChangeCoachAsync(string id, ChangeCoachRequest body, HttpContext http, EngagementService engagements, TenancyStore tenancy, CancellationToken ct)
    {
        var caller = http.Caller();
        if (caller.Role != Role.FirmAdmin) throw new ForbiddenException("Only a firm admin can hand an engagement to another coach.");
        var coach = await UserAsync(tenancy, caller, body.CoachId, null, ct);
        return await Step(http, engagements, id, new ChangeCoach(coach.CoachId), $"coach:{coach.CoachId}:{Guid.NewGuid():N}", ct);
    }

    private static async Task<IResult> RedriveAsync(string id, HttpContext http, EngagementService engagements, CancellationToken ct)
    {
        var outcome = await engagements.RedriveAsync(http.Caller(), id, ct);
        return StepResult(http, id, outcome);
    }

    private static async Task<NoContent> PurgeAsync(string id, string? confirm, HttpContext http, EngagementService engagements, DataRights.ErasureService erasure, CancellationToken ct)
    {
        var caller = http.Caller();
        if (caller.Role != Role.FirmAdmin) throw new ForbiddenException("Only a firm admin can erase an engagement.");
        await engagements.CheckAccessAsync(caller, id, ct);
        if (confirm != id) throw new BadInputException($"Erasing cannot be undone: send the engagement's id again as ?confirm={id} to confirm.");
        await erasure.EraseEngagementAsync(caller, id, DataRights.ErasureReasons.Request, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> WheelAsync(string id, HttpContext http, EngagementService engagements, CancellationToken ct)
    {
        var (_, state) = await engagements.GetAsync(http.Caller(), id, ct);
        return Results.Text(ChartSvg.Wheel(state, engagements.Programs), "image/svg+xml");
    }

    private static async Task<IResult> TrendAsync(string id, HttpContext http, EngagementService engagements, CancellationToken ct)
    {
        var (_, state) = await engagements.GetAsync(http.Caller(), id, ct);
        return Results.Text(ChartSvg.Trend(state, engagements.Programs), "image/svg+xml");
    }

    /// <summary>What a sponsor may read: the agreement they are named in, and progress. Summaries and reports hold the client's words.</summary>
    internal static readonly HashSet<string> SponsorKinds = ["contract", "progress-report"];

    private static async Task<IResult> DocumentAsync(string id, string name, string? format, HttpContext http, EngagementService engagements, DocumentStore documents, CancellationToken ct)
    {
        var caller = http.Caller();
        await engagements.CheckAccessAsync(caller, id, ct);
        var doc = await documents.ReadAsync(id, name, ct) ?? throw new EngagementNotFoundException($"{id}/{name}");
        if (caller.Role == Role.Sponsor && !SponsorKinds.Contains(doc.Kind)) throw new EngagementNotFoundException($"{id}/{name}");
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
        return format == "json" ? Results.Text(doc.Json, "application/json") : Results.Text(doc.Html, "text/html; charset=utf-8");
    }

    private static async Task<IResult> DocumentPdfAsync(string id, string name, HttpContext http, EngagementService engagements, DocumentStore documents, DocumentWriter writer, CancellationToken ct)
    {
        var caller = http.Caller();
        var (view, _) = await engagements.GetAsync(caller, id, ct);
        var doc = await documents.ReadAsync(id, name, ct) ?? throw new EngagementNotFoundException($"{id}/{name}");
        if (caller.Role == Role.Sponsor) throw new EngagementNotFoundException($"{id}/{name}");
        if (!DocumentPdfs.Offered(doc.Kind))
            throw new BadInputException($"There is no PDF of a {doc.Kind} document; PDFs are made of the signed contract, reassessment reports and the maintenance plan.");
        return Results.File(await DocumentPdfs.RenderAsync(writer, view, doc.Kind, name, ct), "application/pdf", $"{name}.pdf");
    }

    private static async Task<IResult> ReportAsync(string id, string kind, string? format, HttpContext http, EngagementService engagements, DocumentWriter writer, CancellationToken ct)
    {
        var caller = http.Caller();
        if (!DocumentRenderer.LiveKinds.Contains(kind))
            throw new BadInputException($"There is no report '{kind}'; use progress-report or action-checkins.");
        if (format is not (null or "html" or "pdf")) throw new BadInputException("Use format=html (the default) or format=pdf.");
        var (view, _) = await engagements.GetAsync(caller, id, ct);
        if (caller.Role == Role.Sponsor && !SponsorKinds.Contains(kind)) throw new EngagementNotFoundException($"{id}/{kind}");
        var document = await writer.BuildAsync(view, kind, kind, ct);
        if (format == "pdf") return Results.File(DocumentRenderer.Pdf(document), "application/pdf", $"{kind}.pdf");
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
        return Results.Text(DocumentRenderer.Html(document), "text/html; charset=utf-8");
    }

    private static async Task<Ok<BadgeResponse>> BadgeAsync(HttpContext http, EngagementService engagements, TimeProvider time, CancellationToken ct)
    {
        var caller = http.Caller();
        var count = 0;
        string? token = null;
        var now = time.GetUtcNow();
        do
        {
            var (items, next) = await engagements.ListAsync(caller, new IndexFilter(Status: EngagementStatus.Running), null, 500, token, ct);
            count += items.Count(i => i.Flags.Count > 0 || EngagementViews.IsOverdue(i.Status, i.DueAt, now));
            token = next;
        } while (token is not null);
        return TypedResults.Ok(new BadgeResponse(count));
    }

    private static string Key(HttpContext http, string fallback)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 200) throw new BadInputException("An Idempotency-Key is at most 200 characters.");
        return key.Length > 0 ? key : fallback;
    }

    private static WorkflowInput ToSchedule(ScheduleRequest body, bool reschedule)
    {
        var number = body.Number ?? throw new BadInputException("Say which session: 'number' is required.");
        if (number is < 1 or > 100) throw new BadInputException("A session number is between 1 and 100.");
        var start = body.StartAt ?? throw new BadInputException("'startAt' is required (ISO 8601 with an offset, e.g. 2026-12-01T10:00:00+01:00).");
        var zone = Req(body.TimeZoneId, "timeZoneId", 64);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)) throw new BadInputException($"'{zone}' is not a time zone; use an IANA name such as Europe/Berlin.");
        return reschedule ? new RescheduleSession(number, start, zone) : (WorkflowInput)new ScheduleSession(number, start, zone);
    }

    private static SessionAgreement ToAgreement(AgreementRequest body)
    {
        var grow = body.Grow ?? throw new BadInputException("'grow' (goal, reality, options, will) is required.");
        var goals = body.Goals ?? [];
        if (goals.Count is < 1 or > 3) throw new BadInputException("A session agreement has 1 to 3 measurable goals.");
        var actions = body.Actions ?? [];
        if (actions.Count > 10) throw new BadInputException("At most 10 actions per session.");
        return new SessionAgreement(
            new Grow(Req(grow.Goal, "GROW goal", Text), Opt(grow.Reality, "GROW reality"), Opt(grow.Options, "GROW options"), Opt(grow.Will, "GROW will")),
            [.. goals.Select(g => new SessionGoal(Req(g.Description, "goal description", 500), Req(g.Measure, "goal measure (how you will both know)", 500)))],
            [.. actions.Select(a => new ProposedAction(Req(a.Description, "action description", 500),
                a.DueAt ?? throw new BadInputException("Every action needs a 'dueAt'."), Opt(a.Obstacle, "obstacle"), Opt(a.Mitigation, "mitigation")))],
            Opt(body.Accountability, "accountability"),
            [.. (body.LeadingIndicators ?? []).Take(10).Select(i => new LeadingIndicator(Req(i.Name, "indicator name", 200), Req(i.Target, "indicator target", 200)))],
            Opt(body.Takeaways, "takeaways"),
            Opt(body.SharedNotes, "shared notes"),
            Opt(body.PrivateCoachNotes, "private notes"));
    }

    private static MaintenancePlan ToPlan(PlanRequest body) => new(
        List(body.Frameworks, "framework", 20), List(body.ValuesAndStrengths, "value or strength", 20), Req(body.GoalTracking, "goal tracking", Text),
        Req(body.RetreatCadence, "retreat cadence", 500), List(body.SupportTriggers, "support trigger", 20), Opt(body.Outcomes, "outcomes"));

    private static ImmutableList<string> List(IReadOnlyList<string>? items, string what, int max)
    {
        if (items is { Count: var n } && n > max) throw new BadInputException($"At most {max} entries of {what}.");
        return [.. (items ?? []).Select(i => Req(i, what, 500))];
    }

    private static string Req(string? value, string what, int max) => TenancyStore.Require(value, what, max);

    /// <summary>A coach (or, with <paramref name="role"/>, a user of that role) of the caller's firm, or a 400 that names what is wrong.</summary>
    private static async Task<Coach> UserAsync(TenancyStore tenancy, Caller caller, string? id, Role? role, CancellationToken ct)
    {
        var what = role == Role.Sponsor ? "sponsor" : "coach";
        var wanted = Req(id, $"{what} id", 100);
        var user = await tenancy.GetCoachAsync(caller.FirmId, wanted, ct);
        if (user is null || (role is { } r ? user.Role != r : user.Role == Role.Sponsor))
            throw new BadInputException($"There is no {what} '{wanted}' in your firm.");
        return user;
    }

    private static string Opt(string? value, string what)
    {
        if (value is { Length: > Text }) throw new BadInputException($"The {what} is at most {Text} characters.");
        return value?.Trim() ?? "";
    }
}
