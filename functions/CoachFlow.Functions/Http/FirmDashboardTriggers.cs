using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>The firm dashboard for firm admins and sponsors (<c>CoachFlow.Web/FirmDashboard</c>), run through <see cref="HttpDispatch"/>.</summary>
public sealed class FirmDashboardTriggers(HttpDispatch http)
{
    [Function("FirmSignIn")]
    public Task FirmSignIn([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "firm/sign-in")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("FirmSignInSend")]
    public Task FirmSignInSend([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "firm/sign-in")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("FirmSignInLanding")]
    public Task FirmSignInLanding([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "firm/sign-in/{token}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("FirmSessionStart")]
    public Task FirmSessionStart([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "firm/session")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("FirmSignOut")]
    public Task FirmSignOut([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "firm/sign-out")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("FirmDashboard")]
    public Task FirmDashboard([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "firm")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("FirmTableCsv")]
    public Task FirmTableCsv([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "firm/csv/{table}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("FirmCohort")]
    public Task FirmCohort([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "firm/cohorts/{cohortId}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("FirmCohortCsv")]
    public Task FirmCohortCsv([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "firm/cohorts/{cohortId}/csv")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);
}
