using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CoachFlow.Functions.Http;

/// <summary>
/// The coach API (<c>CoachFlow.Web/Engagements/EngagementsApi.cs</c>): one trigger per endpoint, named as the
/// endpoint is, with its method and route. Each runs the endpoint itself through <see cref="HttpDispatch"/>.
/// </summary>
public sealed class CoachApiTriggers(HttpDispatch http)
{
    [Function("GetMe")]
    public Task GetMe([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/me")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ListPrograms")]
    public Task ListPrograms([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/programs")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ListSponsors")]
    public Task ListSponsors([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sponsors")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("StartEngagement")]
    public Task StartEngagement([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ListEngagements")]
    public Task ListEngagements([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/engagements")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetEngagement")]
    public Task GetEngagement([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/engagements/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ScheduleSession")]
    public Task ScheduleSession([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/sessions")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("RescheduleSession")]
    public Task RescheduleSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/sessions/{number:int}/reschedule")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("CaptureSessionAgreement")]
    public Task CaptureSessionAgreement(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/engagements/{id}/sessions/{number:int}/agreement")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("MarkSessionHeld")]
    public Task MarkSessionHeld(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/sessions/{number:int}/held")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ReviewReassessment")]
    public Task ReviewReassessment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/reassessments/{number:int}/review")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("DraftMaintenancePlan")]
    public Task DraftMaintenancePlan([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/maintenance-plan")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("PauseEngagement")]
    public Task PauseEngagement([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/pause")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ResumeEngagement")]
    public Task ResumeEngagement([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/resume")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("EndEngagement")]
    public Task EndEngagement([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/end")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ResendContract")]
    public Task ResendContract([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/resend")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("StartFollowUpEngagement")]
    public Task StartFollowUpEngagement([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/follow-up")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("ChangeCoach")]
    public Task ChangeCoach([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/coach")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("PurgeEngagement")]
    public Task PurgeEngagement([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/engagements/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("RedriveEngagement")]
    public Task RedriveEngagement([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/engagements/{id}/redrive")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("WheelChart")]
    public Task WheelChart([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/engagements/{id}/charts/wheel.svg")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("TrendChart")]
    public Task TrendChart([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/engagements/{id}/charts/trend.svg")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetDocument")]
    public Task GetDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/engagements/{id}/documents/{name}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetDocumentPdf")]
    public Task GetDocumentPdf([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/engagements/{id}/documents/{name}/pdf")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetReport")]
    public Task GetReport([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/engagements/{id}/reports/{kind}")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);

    [Function("GetBadge")]
    public Task GetBadge([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/badge")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => http.DispatchAsync(request, client);
}
