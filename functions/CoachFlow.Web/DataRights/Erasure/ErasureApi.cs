using CoachFlow.Web.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoachFlow.Web.DataRights;

/// <summary>The client's email typed again: erasing cannot be undone.</summary>
public sealed record EraseClientRequest(string? ConfirmEmail);

/// <summary>One erasure as its audit keeps it: never the client's name, email or engagement ids.</summary>
/// <param name="Kind"><c>client</c> (every engagement of one client) or <c>engagement</c>.</param>
/// <param name="Reason"><c>request</c> (a firm admin asked) or <c>retention</c> (the firm's retention period ran out).</param>
/// <param name="Status"><c>running</c>, or <c>completed</c> once nothing of them is left.</param>
/// <param name="Tombstones">What stays in the firm's listing instead of each engagement (<c>status=erased</c>): its program and dates only.</param>
/// <param name="Removed">How much went, by kind (orchestrations, read-model rows, documents, notifications, used links, cohort rows…).</param>
public sealed record ErasureView(
    string Id, string Kind, string Reason, string Status, string RequestedBy, string RequestedByRole, DateTimeOffset RequestedAt,
    DateTimeOffset? CompletedAt, int Engagements, IReadOnlyList<string> Tombstones, IReadOnlyDictionary<string, int> Removed);

public sealed record ErasureList(IReadOnlyList<ErasureView> Items);

/// <summary>The firm's retention: engagements that are over are erased this many months after they closed or ended; null keeps them.</summary>
public sealed record RetentionSetting([property: System.Text.Json.Serialization.JsonRequired] int? Months);

/// <summary>Erasure (GDPR Art. 17) and retention: firm admins erase a client or read the audit; the firm's retention period.</summary>
public static class ErasureApi
{
    public static IServiceCollection AddErasure(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new DataRightsOptions();
        configuration.GetSection(DataRightsOptions.Section).Bind(options);
        services.AddSingleton(options);
        services.AddSingleton<ErasureStore>();
        services.AddSingleton<ErasureService>();
        services.AddSingleton<RetentionSweep>();
        return services;
    }

    public static IEndpointRouteBuilder MapErasureApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireCaller().WithTags("Erasure and retention");
        api.MapPost("/clients/{clientId}/erase", EraseClientAsync).WithName("EraseClient")
            .WithSummary("Erase a client: every engagement of theirs in the firm and every trace of them; only tombstones and the audit stay (firm admin; the client's email typed again as confirmEmail). Cannot be undone")
            .Produces<ErasureView>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        api.MapGet("/erasures", ListAsync).WithName("ListErasures").WithSummary("The firm's erasures, newest first: who erased what and when, without naming anyone (firm admin)");
        api.MapGet("/erasures/{id}", GetAsync).WithName("GetErasure").WithSummary("One erasure of the firm (firm admin)").ProducesProblem(404);
        api.MapGet("/retention", GetRetentionAsync).WithName("GetRetention").WithSummary("The firm's retention: months after an engagement is over until it is erased; null keeps engagements");
        api.MapPut("/retention", SetRetentionAsync).WithName("SetRetention")
            .WithSummary($"Set the firm's retention in months (firm admin; null turns it off). Engagements that are over are erased that long after they closed or ended")
            .ProducesProblem(400).ProducesProblem(403);
        return app;
    }

    private static async Task<Ok<ErasureView>> EraseClientAsync(string clientId, EraseClientRequest body, HttpContext http, ErasureService erasure, CancellationToken ct) =>
        TypedResults.Ok(View(await erasure.EraseClientAsync(http.Caller(), clientId, body.ConfirmEmail, ct)));

    private static async Task<Ok<ErasureList>> ListAsync(HttpContext http, ErasureService erasure, CancellationToken ct) =>
        TypedResults.Ok(new ErasureList([.. (await erasure.ListAsync(http.Caller(), ct)).Select(View)]));

    private static async Task<Ok<ErasureView>> GetAsync(string id, HttpContext http, ErasureService erasure, CancellationToken ct) =>
        TypedResults.Ok(View(await erasure.GetAsync(http.Caller(), id, ct)));

    private static Ok<RetentionSetting> GetRetentionAsync(HttpContext http) => TypedResults.Ok(new RetentionSetting(http.Caller().Firm.RetentionMonths));

    private static async Task<Ok<RetentionSetting>> SetRetentionAsync(RetentionSetting body, HttpContext http, TenancyStore tenancy, CancellationToken ct)
    {
        var caller = http.Caller();
        if (caller.Role != Role.FirmAdmin) throw new Engagements.ForbiddenException("Only a firm admin can set how long the firm keeps engagements.");
        await tenancy.SetRetentionAsync(caller.FirmId, body.Months, ct);
        return TypedResults.Ok(new RetentionSetting(body.Months));
    }

    public static ErasureView View(ErasureRecord r) => new(r.ErasureId, r.Kind, r.Reason, r.Status, r.RequestedBy, r.RequestedByRole, r.RequestedAt,
        r.CompletedAt, r.Engagements, r.Tombstones, r.Removed);
}
