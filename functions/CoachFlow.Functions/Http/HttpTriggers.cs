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
