namespace CoachFlow.Web.Tenancy;

/// <summary>Authenticates the coach API with personal access tokens; every handler gets the <see cref="Caller"/>.</summary>
/// <remarks>
/// Authentication comes first: <see cref="UseCallers"/> checks the token as soon as the request is routed, before
/// the endpoint reads its body, so a request without a valid token is a 401 whatever it carries. The endpoint
/// filter checks again, so an endpoint behind <see cref="RequireCaller"/> is never open even without the middleware.
/// </remarks>
public static class CallerFilter
{
    private const string Key = "coachflow.caller";

    /// <summary>Marks an endpoint as needing a caller.</summary>
    private sealed class RequiresCaller;

    public static RouteGroupBuilder RequireCaller(this RouteGroupBuilder group)
    {
        group.WithMetadata(new RequiresCaller());
        group.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Items.ContainsKey(Key) || await AuthenticateAsync(context.HttpContext) is null
                ? await next(context)
                : Unauthorized(context.HttpContext));
        return group;
    }

    /// <summary>Authenticates the requests of endpoints behind <see cref="RequireCaller"/> before they read anything.</summary>
    public static IApplicationBuilder UseCallers(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<RequiresCaller>() is not null && await AuthenticateAsync(http) is { } problem)
        {
            await Unauthorized(http, problem).ExecuteAsync(http);
            return;
        }
        await next(http);
    });

    /// <summary>Stores the caller and returns null, or returns why the request is not authenticated.</summary>
    private static async Task<string?> AuthenticateAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        var tenancy = http.RequestServices.GetRequiredService<TenancyStore>();
        var (caller, problem) = await tenancy.AuthenticateAsync(token, http.RequestAborted);
        if (caller is null)
        {
            http.Items[Key + ".problem"] = problem;
            return problem ?? "Sign in with a personal access token.";
        }
        http.Items[Key] = caller;
        return null;
    }

    private static IResult Unauthorized(HttpContext http, string? problem = null)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(problem ?? http.Items[Key + ".problem"] as string, statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in");
    }

    public static Caller Caller(this HttpContext http) =>
        http.Items[Key] as Caller ?? throw new InvalidOperationException("This endpoint is not behind RequireCaller().");
}
