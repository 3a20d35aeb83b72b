using CoachFlow.Functions.Hosting;
using CoachFlow.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>
/// The Functions host's doors into CoachFlow's HTTP surface: one trigger per top-level path CoachFlow serves, each
/// handing every request under it to <see cref="HttpDispatch"/>, which routes it over the endpoints the local host maps.
/// </summary>
/// <remarks>
/// <para>A route exists in one place, <c>WebHosting.MapCoachFlow</c>; the triggers only decide which paths reach the
/// worker, so the two hosts cannot drift by construction. A path or method CoachFlow does not serve gets the local
/// host's own 404 or 405 problem.</para>
/// <para>The trade-off: the Functions host sees four functions, not one per endpoint, so its invocation metrics and logs
/// group by surface; the endpoint name is on the request's activity and the app's own logs. Prefixes rather than one
/// <c>{*path}</c> route keep the host's reserved <c>admin/</c> and <c>runtime/</c> paths (Durable Functions' webhooks)
/// out of reach (azure-functions-host issues 2590 and 6990).</para>
/// </remarks>
public sealed class HttpTriggers(HttpDispatch http)
{
    // The methods each surface's endpoints answer; a test keeps every trigger's list equal to its endpoints'.
    private const string Get = "get", Post = "post", Put = "put", Patch = "patch", Delete = "delete";

    /// <summary>The coach, firm and integration API (<c>api/…</c>), the health check and the SendGrid Event Webhook.</summary>
    [Function("Api")]
    public Task Api([HttpTrigger(AuthorizationLevel.Anonymous, Get, Post, Put, Patch, Delete, Route = "api/{*path}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    /// <summary>The pages a client's emailed links open (<c>c/…</c>).</summary>
    [Function("ClientPages")]
    public Task ClientPages([HttpTrigger(AuthorizationLevel.Anonymous, Get, Post, Route = "c/{*path}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    /// <summary>The firm dashboard for admins and sponsors (<c>firm</c> and <c>firm/…</c>).</summary>
    [Function("FirmDashboard")]
    public Task FirmDashboard([HttpTrigger(AuthorizationLevel.Anonymous, Get, Post, Route = "firm/{*path}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    /// <summary>The OpenAPI document (<c>openapi/v1.json</c>).</summary>
    [Function("OpenApi")]
    public Task OpenApi([HttpTrigger(AuthorizationLevel.Anonymous, Get, Route = "openapi/{*path}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);
}

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
