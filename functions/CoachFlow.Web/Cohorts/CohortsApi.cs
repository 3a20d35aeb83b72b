using CoachFlow.Orchestrations;
using CoachFlow.Web.Tenancy;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CoachFlow.Web.Cohorts;

/// <summary>Cohort import for firm admins: upload a CSV (the validation report), start it, follow it, download the rejected rows.</summary>
public static class CohortsApi
{
    /// <summary>Largest cohort file: 10,000 rows of up to about 1.6 kB each.</summary>
    public const long MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>The cohort services (store, validation, the batch worker's work) and their tables, container and queue.</summary>
    public static IServiceCollection AddCohorts(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new CohortImportOptions();
        configuration.GetSection(CohortImportOptions.Section).Bind(options);
        services.AddSingleton(options);
        services.AddSingleton<CohortStore>();
        services.AddSingleton<CohortService>();
        services.AddSingleton<CohortImporter>();
        services.AddHostedService<CohortSetup>();
        return services;
    }

    public static IEndpointRouteBuilder MapCohortsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/cohorts").RequireCaller().WithTags("Cohorts");
        api.MapPost("", UploadAsync).WithName("UploadCohort")
            .WithSummary("Upload a cohort's CSV (text/csv body; ?name=…&program=…): the validation report, with each bad row's line and reason. Nothing starts (firm admin)")
            // Routing answers any other Content-Type with a 415 problem saying to send text/csv (Problems' status pages).
            .Accepts<string>("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel").Produces<CohortView>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(409).ProducesProblem(415);
        api.MapPost("/{id}/start", StartAsync).WithName("StartCohort")
            .WithSummary("Start the cohort's last uploaded file, paced; refused (422, with the report) while rows are bad unless validOnly=true (firm admin)")
            .Produces<CohortView>(StatusCodes.Status202Accepted).ProducesProblem(422).ProducesProblem(404).ProducesProblem(403);
        api.MapGet("/{id}", GetAsync).WithName("GetCohort").WithSummary("A cohort's progress: rows, valid, rejected, started, already started, processed, status")
            .Produces<CohortView>().ProducesProblem(404);
        api.MapGet("", ListAsync).WithName("ListCohorts").WithSummary("The firm's cohorts (id, name, programId, counts, status): filter engagements with ?cohort=<id>")
            .Produces<CohortList>();
        api.MapGet("/{id}/rejected.csv", RejectedAsync).WithName("GetCohortRejectedRows")
            .WithSummary("The rejected rows of the cohort's last uploaded file as CSV: line, reason, and the row as written (firm admin)")
            .Produces<string>(contentType: "text/csv").ProducesProblem(404);
        return app;
    }

    private static async Task<Ok<CohortView>> UploadAsync(HttpContext http, CohortService cohorts, string? name, string? program, CancellationToken ct)
    {
        var caller = http.Caller();
        CohortService.RequireAdmin(caller); // before the body is read
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxFileBytes;
        if (http.Request.ContentLength > MaxFileBytes) throw new BadInputException($"The file is larger than {MaxFileBytes / 1024 / 1024} MB; split it into files of at most {CohortCsv.MaxRows:N0} rows.");
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, ct);
        return TypedResults.Ok(await cohorts.UploadAsync(caller, name, program, body.ToArray(), ct));
    }

    private static async Task<IResult> StartAsync(string id, HttpContext http, CohortService cohorts, CohortImportOptions options, bool? validOnly, CancellationToken ct)
    {
        try
        {
            var view = await cohorts.StartAsync(http.Caller(), id, validOnly == true, options.Lease * 2, ct);
            return TypedResults.Accepted($"/api/cohorts/{view.Id}", view);
        }
        catch (CohortHasBadRowsException refused)
        {
            return TypedResults.Problem(refused.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The file has bad rows",
                extensions: new Dictionary<string, object?> { ["report"] = refused.Report });
        }
    }

    private static async Task<Ok<CohortView>> GetAsync(string id, HttpContext http, CohortService cohorts, CancellationToken ct) =>
        TypedResults.Ok(await cohorts.GetAsync(http.Caller(), id, ct));

    private static async Task<Ok<CohortList>> ListAsync(HttpContext http, CohortService cohorts, CancellationToken ct) =>
        TypedResults.Ok(new CohortList(await cohorts.ListAsync(http.Caller(), ct)));

    private static async Task<IResult> RejectedAsync(string id, HttpContext http, CohortService cohorts, CancellationToken ct)
    {
        var csv = await cohorts.RejectedCsvAsync(http.Caller(), id, ct);
        return TypedResults.Text(csv, "text/csv; charset=utf-8");
    }

    /// <summary>Creates the cohorts table, container and queue as the host starts.</summary>
    private sealed class CohortSetup([FromServices] CohortStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.EnsureCreatedAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
