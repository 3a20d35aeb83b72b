using System.Text.Json;
using CoachFlow.Web.Engagements;
using CoachFlow.Orchestrations;
using Microsoft.AspNetCore.Diagnostics;

namespace CoachFlow.Web.Hosting;

/// <summary>
/// Turns every error a caller can act on into an RFC 9457 problem with a 4xx status and a sentence that
/// says what to do. Only a fault of ours is a 500, and it never echoes the request.
/// </summary>
public static partial class Problems
{
    public static IApplicationBuilder UseProblems(this IApplicationBuilder app) =>
        app.UseExceptionHandler(handler => handler.Run(async http =>
        {
            var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, title, detail) = Describe(error);
            if (status >= 500)
                LogUnexpected(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("CoachFlow.Problems"), http.Request.Path, error?.GetType().Name ?? "?");
            http.Response.StatusCode = status;
            await Results.Problem(detail, statusCode: status, title: title).ExecuteAsync(http);
        }));

    /// <summary>Empty error responses (no route, wrong method, too large, wrong media type) get a problem with a reason too.</summary>
    public static IApplicationBuilder UseProblemStatusPages(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var (title, detail) = http.Response.StatusCode switch
            {
                404 => ("Not found", $"There is nothing at {http.Request.Path}. The API is described at /openapi/v1.json."),
                405 => ("Method not allowed", $"{http.Request.Method} is not supported on {http.Request.Path}."),
                413 => ("Too large", "The request body is larger than the 1 MB this API accepts."),
                // Routing refuses a body of a type the endpoint does not declare: JSON everywhere, CSV for a cohort file.
                415 => ("Unsupported media type", http.Request.Path.StartsWithSegments("/api/cohorts")
                    ? "Send the cohort file as CSV with 'Content-Type: text/csv'."
                    : "Send the body as JSON with 'Content-Type: application/json'."),
                401 => ("Not signed in", "Send a personal access token as 'Authorization: Bearer cfp_…'."),
                _ => ("Request failed", "The request could not be handled as sent."),
            };
            await Results.Problem(detail, statusCode: http.Response.StatusCode, title: title).ExecuteAsync(http);
        });

    public static (int Status, string Title, string Detail) Describe(Exception? error) => error switch
    {
        EngagementNotFoundException e => (404, "Not found", e.Message),
        Cohorts.CohortNotFoundException e => (404, "Not found", e.Message),
        DataRights.ClientNotFoundException e => (404, "Not found", e.Message),
        DataRights.ErasureNotFoundException e => (404, "Not found", e.Message),
        OutboundWebhooks.WebhookNotFoundException e => (404, "Not found", e.Message),
        Cohorts.CohortHasBadRowsException e => (422, "The file has bad rows", e.Message),
        InvalidStatusException e => (409, "Not possible now", e.Message),
        ForbiddenException e => (403, "Not allowed", e.Message),
        NotPossibleNowException e => (409, "Not possible now", e.Message),
        BadInputException e => (400, "Bad input", e.Message),
        BadHttpRequestException e when e.StatusCode == 413 => (413, "Too large", "The request body is larger than the 1 MB this API accepts."),
        BadHttpRequestException e => (e.StatusCode, "Bad request", e.InnerException is JsonException j ? $"The JSON body could not be read: {j.Message}" : e.Message),
        JsonException e => (400, "Bad request", $"The JSON body could not be read: {e.Message}"),
        _ => (500, "Something went wrong", "CoachFlow could not finish this request. Nothing you sent was half-applied; please try again."),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error on {Path} ({ErrorType})")]
    private static partial void LogUnexpected(ILogger logger, string path, string errorType);
}
