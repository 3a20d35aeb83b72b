using CoachFlow.Functions.Hosting;
using CoachFlow.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>
/// Runs an HTTP trigger's request through CoachFlow's own HTTP surface, built once: routing over
/// <see cref="WebHosting.MapCoachFlow"/>'s endpoints, then <see cref="WebHosting.UseCoachFlowMiddleware"/>, then the
/// endpoint. That is the pipeline the local host runs (a WebApplication adds routing before the app's middleware and
/// the endpoints after it), with the same handlers, filters and problem details.
/// </summary>
/// <remarks>
/// The Functions host chose the trigger by its path prefix (<see cref="HttpTriggers"/>), and the worker's own ASP.NET
/// Core routing marked that function as the request's endpoint. CoachFlow routes the request again over its endpoints,
/// so the endpoint and route values it runs with are exactly the local host's (constraints, 404 and 405 problems
/// included); the triggers only decide which requests reach the worker, and a test keeps every endpoint reachable
/// through exactly one of them.
/// </remarks>
public sealed class HttpDispatch
{
    private readonly RequestDelegate _pipeline;
    private readonly BoundDurableTaskClient _client;

    public HttpDispatch(IServiceProvider services, BoundDurableTaskClient client)
    {
        _client = client;
        var app = new ApplicationBuilder(services);
        app.UseRouting();
        app.UseCoachFlowMiddleware();
        app.UseEndpoints(endpoints => endpoints.MapCoachFlow());
        _pipeline = app.Build();
    }

    /// <summary>Answers <paramref name="request"/> with CoachFlow's endpoint for it; <paramref name="client"/> is the trigger's <c>[DurableClient]</c> binding.</summary>
    public Task DispatchAsync(HttpRequest request, DurableTaskClient client)
    {
        ArgumentNullException.ThrowIfNull(request);
        _client.Use(client);
        var http = request.HttpContext;
        http.SetEndpoint(null);
        http.Request.RouteValues.Clear();
        return _pipeline(http);
    }
}
