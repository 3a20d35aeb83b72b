using System.Text.Json;
using CoachFlow.Functions.Engagements;
using CoachFlow.Runtime;
using Microsoft.AspNetCore.Diagnostics;

namespace CoachFlow.Functions.Hosting;

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

    public static (int Status, string Title, string Detail) Describe(Exception? error) => error switch
    {
        InstanceNotFoundException e => (404, "Not found", e.Message),
        InstanceAlreadyExistsException e => (409, "Already exists", e.Message),
        StaleVersionException e => (409, "Changed meanwhile", e.Message),
        InvalidStatusException e => (409, "Not possible now", e.Message),
        ForbiddenException e => (403, "Not allowed", e.Message),
        BadInputException e => (400, "Bad input", e.Message),
        UnknownDefinitionException e => (400, "Unknown definition", e.Message),
        BadHttpRequestException e when e.StatusCode == 413 => (413, "Too large", "The request body is larger than the 1 MB this API accepts."),
        BadHttpRequestException e => (e.StatusCode, "Bad request", e.InnerException is JsonException j ? $"The JSON body could not be read: {j.Message}" : e.Message),
        JsonException e => (400, "Bad request", $"The JSON body could not be read: {e.Message}"),
        _ => (500, "Something went wrong", "CoachFlow could not finish this request. Nothing you sent was half-applied; please try again."),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error on {Path} ({ErrorType})")]
    private static partial void LogUnexpected(ILogger logger, string path, string errorType);
}
