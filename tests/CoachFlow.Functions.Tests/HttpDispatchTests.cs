using System.Text.Json;
using CoachFlow.Functions.Hosting;
using CoachFlow.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CoachFlow.Functions.Tests;

/// <summary>
/// An HTTP trigger's request runs through CoachFlow's real middleware and endpoints. Without Core Tools there is no
/// Functions host here, so each test hands the dispatcher the request as the worker hands it to a trigger: its
/// HttpContext, with the function's endpoint and route values already set by the worker's own routing.
/// </summary>
public sealed class HttpDispatchTests
{
    [Fact]
    public async Task GivenNoToken_WhenACoachListsEngagementsThroughTheTrigger_ThenTheCallerMiddlewareAnswers401WithAProblem()
    {
        using var app = FunctionsApp.Build();
        var (status, http, body) = await DispatchAsync(app, "GET", "/api/engagements");

        Assert.Equal(StatusCodes.Status401Unauthorized, status);
        Assert.Equal("Bearer", http.Response.Headers.WWWAuthenticate.ToString());
        Assert.StartsWith("application/problem+json", http.Response.ContentType);
        Assert.Equal("Not signed in", JsonDocument.Parse(body).RootElement.GetProperty("title").GetString());
        // CoachFlow routed the request itself: the endpoint it ran is the coach API's, not the function's.
        Assert.Equal("ListEngagements", http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName);
    }

    [Fact]
    public async Task GivenNoToken_WhenABodyIsPostedToStartAnEngagement_ThenItIsRefusedBeforeTheBodyIsRead()
    {
        using var app = FunctionsApp.Build();
        var (status, _, _) = await DispatchAsync(app, "POST", "/api/engagements", """{"not":"read"}""");
        Assert.Equal(StatusCodes.Status401Unauthorized, status);
    }

    [Fact]
    public async Task GivenTheOpenApiTrigger_WhenTheDocumentIsAskedFor_ThenTheRealHandlerDescribesTheCoachApi()
    {
        using var app = FunctionsApp.Build();
        var (status, http, body) = await DispatchAsync(app, "GET", "/openapi/v1.json");

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.StartsWith("application/json", http.Response.ContentType);
        var paths = JsonDocument.Parse(body).RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/engagements/{id}", out _), "the document does not describe GET /api/engagements/{id}");
        Assert.True(paths.TryGetProperty("/api/webhooks/sendgrid", out _), "the document does not describe the SendGrid webhook");
        // The Functions triggers are not CoachFlow's endpoints: they never show up as API operations.
        Assert.DoesNotContain(paths.EnumerateObject(), p => p.Name.StartsWith("/c/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenAnHttpTrigger_WhenItDispatches_ThenTheEngineGetsTheClientItsBindingCarried()
    {
        using var app = FunctionsApp.Build();
        var bound = app.Services.GetRequiredService<BoundDurableTaskClient>();
        Assert.False(bound.IsBound);

        var client = new RecordingClient();
        await DispatchAsync(app, "GET", "/api/engagements", client: client);

        Assert.True(bound.IsBound);
        await app.Services.GetRequiredService<Microsoft.DurableTask.Client.DurableTaskClient>().RaiseEventAsync("engagement-1", "input", "payload");
        Assert.Equal(["engagement-1/input"], client.Raised);
    }

    [Fact]
    public async Task GivenNoSession_WhenTheFirmDashboardIsAskedForThroughItsTrigger_ThenTheRealPageAsksToSignIn()
    {
        using var app = FunctionsApp.Build();
        var (status, http, body) = await DispatchAsync(app, "GET", "/firm");

        Assert.Equal(StatusCodes.Status401Unauthorized, status);
        Assert.StartsWith("text/html", http.Response.ContentType);
        Assert.Contains("<h1>Please sign in</h1>", body, StringComparison.Ordinal);
        Assert.Equal("no-referrer", http.Response.Headers["Referrer-Policy"].ToString());
        Assert.Equal("FirmDashboard", http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName);
    }

    /// <summary>A request as a trigger gets it from the worker: routed to the function's endpoint, in the invocation's services.</summary>
    private static async Task<(int Status, HttpContext Http, string Body)> DispatchAsync(Microsoft.Extensions.Hosting.IHost app, string method, string path,
        string? body = null, RecordingClient? client = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Method = method;
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("coachflow.example");
        http.Request.Path = path;
        if (body is not null)
        {
            http.Request.ContentType = "application/json";
            http.Request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
        }
        var response = new MemoryStream();
        http.Response.Body = response;
        http.SetEndpoint(new Endpoint(_ => throw new InvalidOperationException("the function's own endpoint ran"), EndpointMetadataCollection.Empty, "Functions trigger"));
        http.Request.RouteValues["id"] = "from-the-function-route";

        await app.Services.GetRequiredService<HttpDispatch>().DispatchAsync(http.Request, client ?? new RecordingClient());
        return (http.Response.StatusCode, http, System.Text.Encoding.UTF8.GetString(response.ToArray()));
    }
}
