using System.Text.Json;
using System.Text.Json.Serialization;
using CoachFlow.Runtime;

namespace CoachFlow.Web.Hosting;

/// <summary>
/// The Azure Functions custom-handler contract for the non-HTTP triggers: the Functions host POSTs
/// <c>{Data, Metadata}</c> to <c>/{functionName}</c> and reads back <c>{Outputs, Logs, ReturnValue}</c>.
/// A non-2xx answer makes the host retry the message and, after <c>maxDequeueCount</c>, move it to
/// the <c>-poison</c> queue. HTTP functions are forwarded to the app unchanged (<c>enableForwardingHttpRequest</c>);
/// their routes (<c>api/</c>, <c>c/</c>, <c>openapi/</c>) never reach these two paths.
/// </summary>
public static class CustomHandler
{
    /// <summary>Set by the Functions host when it runs the app as its custom handler.</summary>
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public static bool IsActive => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PortVariable));

    public static IEndpointRouteBuilder MapFunctionsTriggers(this IEndpointRouteBuilder app)
    {
        app.MapPost("/work", async (InvocationRequest request, DurableRuntime runtime, CancellationToken ct) =>
        {
            var message = request.Data is { } data && data.TryGetValue("message", out var value) ? AsText(value) : null;
            if (message is null)
                return Results.Json(new InvocationResponse(["The invocation carried no 'message' binding."]), statusCode: StatusCodes.Status400BadRequest);
            var dequeueCount = DequeueCount(request.Metadata);
            try
            {
                await runtime.ProcessWorkMessageAsync(message, ct);
                return Results.Json(new InvocationResponse([$"work message handled (dequeue {dequeueCount})"]));
            }
            catch (BadInputException ex)
            {
                // The host retries and then poison-queues it; the message itself stays intact for an operator.
                return Failed($"work message refused (dequeue {dequeueCount}): {ex.Message}");
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Unreadable in a way the runtime did not foresee, or storage failed: fail the invocation all
                // the same, so the host retries it and finally poison-queues it, and say why in the host's log.
                return Failed($"work message failed (dequeue {dequeueCount}): {ex.GetType().Name}: {ex.Message}");
            }
        }).ExcludeFromDescription();

        app.MapPost("/timers", async (DurableRuntime runtime, CancellationToken ct) =>
        {
            try
            {
                var fired = await runtime.FireDueTimersAsync(ct);
                return Results.Json(new InvocationResponse([$"due-timer scan fired {fired}"]));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // The next tick scans again; a failed invocation shows in the host's monitoring.
                return Failed($"due-timer scan failed: {ex.GetType().Name}: {ex.Message}");
            }
        }).ExcludeFromDescription();
        return app;
    }

    private static IResult Failed(string log) =>
        Results.Json(new InvocationResponse([log]), statusCode: StatusCodes.Status500InternalServerError);

    /// <summary>The host sends a queue message as a JSON string (or as the JSON it holds); null means none.</summary>
    private static string? AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    /// <summary>The queue trigger's DequeueCount metadata (a number, or a string holding one); 1 when absent.</summary>
    private static long DequeueCount(Dictionary<string, JsonElement>? metadata)
    {
        if (metadata is null || !metadata.TryGetValue("DequeueCount", out var dc)) return 1;
        if (dc.ValueKind == JsonValueKind.Number && dc.TryGetInt64(out var n)) return n;
        return dc.ValueKind == JsonValueKind.String && long.TryParse(dc.GetString(), System.Globalization.CultureInfo.InvariantCulture, out n) ? n : 1;
    }
}

public sealed record InvocationRequest(Dictionary<string, JsonElement>? Data, Dictionary<string, JsonElement>? Metadata);

/// <summary>What the host reads back: <c>Logs</c> go to the function's log; no output bindings, no return value.</summary>
public sealed record InvocationResponse(IReadOnlyList<string> Logs)
{
    [JsonPropertyName("Logs")]
    public IReadOnlyList<string> Logs { get; } = Logs;

    [JsonPropertyName("Outputs")]
    public Dictionary<string, object?> Outputs { get; init; } = [];

    [JsonPropertyName("ReturnValue")]
    public object? ReturnValue { get; init; }
}
