using System.Diagnostics;
using CoachFlow.Web.Hosting;
using Microsoft.AspNetCore.Http;

namespace CoachFlow.Web.Tests.Api;

public sealed class TelemetryTests
{
    [Fact]
    public void GivenARequestToAClientLink_WhenTraced_ThenTheTokenNeverReachesTheTrace()
    {
        using var activity = new Activity("GET");
        activity.SetTag("http.request.method", "GET");
        activity.SetTag("url.path", "/c/eyJzZWNyZXQiOiJ0b2tlbiJ9.c2ln");
        activity.SetTag("url.full", "https://app.example/c/eyJzZWNyZXQiOiJ0b2tlbiJ9.c2ln");

        Telemetry.Scrub(activity, new PathString("/c/eyJzZWNyZXQiOiJ0b2tlbiJ9.c2ln"));

        Assert.Equal("/c/{token}", activity.GetTagItem("url.path"));
        Assert.Null(activity.GetTagItem("url.full"));
        Assert.DoesNotContain(activity.TagObjects, t => t.Value?.ToString()?.Contains("eyJ", StringComparison.Ordinal) == true);
        Assert.Equal("GET /c/{token}", activity.DisplayName);
    }

    [Fact]
    public void GivenAnApiRequest_WhenTraced_ThenItsPathIsKept()
    {
        using var activity = new Activity("GET");
        activity.SetTag("url.path", "/api/engagements");

        Telemetry.Scrub(activity, new PathString("/api/engagements"));

        Assert.Equal("/api/engagements", activity.GetTagItem("url.path"));
    }
}
