namespace CoachFlow.Functions.Tenancy;

/// <summary>Authenticates the coach API with personal access tokens; every handler gets the <see cref="Caller"/>.</summary>
public static class CallerFilter
{
    private const string Key = "coachflow.caller";

    public static RouteGroupBuilder RequireCaller(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var header = http.Request.Headers.Authorization.ToString();
            var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
            var tenancy = http.RequestServices.GetRequiredService<TenancyStore>();
            var (caller, problem) = await tenancy.AuthenticateAsync(token, http.RequestAborted);
            if (caller is null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return TypedResults.Problem(problem, statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in");
            }
            http.Items[Key] = caller;
            return await next(context);
        });
        return group;
    }

    public static Caller Caller(this HttpContext http) =>
        http.Items[Key] as Caller ?? throw new InvalidOperationException("This endpoint is not behind RequireCaller().");
}
