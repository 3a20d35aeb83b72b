using CoachFlow.Web.Engagements;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoachFlow.Web.Tenancy;

/// <summary>Whom the firm's mail is from: a name and an address SendGrid may send from. Replies go to the coach.</summary>
public sealed record SenderSetting(string? Name, string? Email);

/// <summary>The firm's sender: read by anyone in the firm, set by a firm admin.</summary>
public static class SenderApi
{
    public static IEndpointRouteBuilder MapSenderApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireCaller().WithTags("Firm settings");
        api.MapGet("/sender", GetSender).WithName("GetSender").WithSummary("Whom the firm's mail is from (its own sender, or the deployment's default)");
        api.MapPut("/sender", SetSenderAsync).WithName("SetSender")
            .WithSummary("Set the firm's sender name and address (firm admin): a SendGrid verified sender or an address on an authenticated domain; replies go to the coach")
            .ProducesProblem(400).ProducesProblem(403);
        return app;
    }

    private static Ok<SenderSetting> GetSender(HttpContext http) => TypedResults.Ok(new SenderSetting(http.Caller().Firm.SenderName, http.Caller().Firm.SenderEmail));

    private static async Task<Ok<SenderSetting>> SetSenderAsync(SenderSetting body, HttpContext http, TenancyStore tenancy, CancellationToken ct)
    {
        var caller = http.Caller();
        if (caller.Role != Role.FirmAdmin) throw new ForbiddenException("Only a firm admin can set whom the firm's mail is from.");
        var firm = await tenancy.SetSenderAsync(caller.FirmId, body.Name, body.Email, ct);
        return TypedResults.Ok(new SenderSetting(firm.SenderName, firm.SenderEmail));
    }
}
