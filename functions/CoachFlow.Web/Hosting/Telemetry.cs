using System.Diagnostics;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using OpenTelemetry.Instrumentation.AspNetCore;

namespace CoachFlow.Web.Hosting;

/// <summary>
/// Exports traces, metrics and logs with OpenTelemetry to Application Insights when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (Azure). Client links carry their token in the path,
/// so a request to <c>/c/…</c> is recorded as <c>/c/{token}</c>, never with the token itself.
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddCoachFlowTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrEmpty(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"])) return services;
        services.AddOpenTelemetry().UseAzureMonitor();
        services.Configure<AspNetCoreTraceInstrumentationOptions>(o =>
        {
            o.RecordException = false; // exception messages could quote what a client typed
            o.EnrichWithHttpRequest = (activity, request) => Scrub(activity, request.Path);
        });
        return services;
    }

    public static void Scrub(Activity activity, PathString path)
    {
        if (!path.StartsWithSegments("/c", StringComparison.Ordinal)) return;
        const string safe = "/c/{token}";
        activity.SetTag("url.path", safe);
        activity.SetTag("http.route", safe);
        activity.SetTag("url.full", null);
        activity.SetTag("url.query", null);
        activity.DisplayName = $"{activity.GetTagItem("http.request.method")} {safe}";
    }
}
