using System.Text;
using CoachFlow.Email;
using CoachFlow.Email.Rendering;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.ClientPages;
using CoachFlow.Web.Cohorts;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace CoachFlow.Web.FirmDashboard;

/// <summary>
/// The firm dashboard for firm admins and sponsors (<c>/firm</c>): sign-in by a one-time emailed link, then a session
/// cookie; counts, charts and tables over the firm's index rows, scoped by <see cref="EngagementService.ScopeOf"/>.
/// </summary>
/// <remarks>
/// The emailed link opens <c>GET /firm/sign-in/{token}</c>, a page whose button posts the token to <c>/firm/session</c>:
/// a GET never uses a link up (mail scanners follow links), and no later URL carries a token. Every page sends
/// <c>Referrer-Policy: no-referrer</c>. Logs name firms and people by id, never an address or a token.
/// </remarks>
public static partial class FirmDashboardEndpoints
{
    public const string CookieName = "cf-firm";
    internal const int MaxFormBytes = 8 * 1024;

    public static IServiceCollection AddFirmDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new FirmAccessOptions();
        configuration.GetSection(FirmAccessOptions.Section).Bind(options);
        services.AddSingleton(options);
        services.AddSingleton<FirmAccessStore>();
        services.AddSingleton<FirmDashboardHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapFirmDashboard(this IEndpointRouteBuilder app)
    {
        var firm = app.MapGroup("/firm").ExcludeFromDescription();
        firm.MapGet("/sign-in", (HttpContext http, FirmDashboardHandler h) => h.SignInForm(http)).WithName("FirmSignIn");
        firm.MapPost("/sign-in", (HttpContext http, FirmDashboardHandler h, CancellationToken ct) => h.SendLinkAsync(http, ct)).WithName("FirmSignInSend");
        firm.MapGet("/sign-in/{token}", (string token, HttpContext http, FirmDashboardHandler h) => h.Landing(token, http)).WithName("FirmSignInLanding");
        firm.MapPost("/session", (HttpContext http, FirmDashboardHandler h, CancellationToken ct) => h.StartSessionAsync(http, ct)).WithName("FirmSessionStart");
        firm.MapPost("/sign-out", (HttpContext http, FirmDashboardHandler h, CancellationToken ct) => h.SignOutAsync(http, ct)).WithName("FirmSignOut");
        firm.MapGet("", (HttpContext http, FirmDashboardHandler h, CancellationToken ct) => h.DashboardAsync(http, ct)).WithName("FirmDashboard");
        firm.MapGet("/csv/{table}", (string table, HttpContext http, FirmDashboardHandler h, CancellationToken ct) => h.TableCsvAsync(table, http, ct)).WithName("FirmTableCsv");
        firm.MapGet("/cohorts/{cohortId}", (string cohortId, HttpContext http, FirmDashboardHandler h, CancellationToken ct) => h.CohortAsync(cohortId, http, csv: false, ct)).WithName("FirmCohort");
        firm.MapGet("/cohorts/{cohortId}/csv", (string cohortId, HttpContext http, FirmDashboardHandler h, CancellationToken ct) => h.CohortAsync(cohortId, http, csv: true, ct)).WithName("FirmCohortCsv");
        return app;
    }
}

/// <summary>Handles the dashboard's requests; every read goes through the <see cref="Caller"/> built from the session.</summary>
internal sealed partial class FirmDashboardHandler(
    FirmAccessStore access,
    TenancyStore tenancy,
    EngagementStore engagements,
    CohortStore cohortStore,
    EmailRenderer renderer,
    IEmailTransport transport,
    CoachFlow.Web.Email.LinkOptions links,
    IAntiforgery antiforgery,
    TimeProvider time,
    ILogger<FirmDashboardHandler> logger)
{
    // ---- sign-in ----

    public IResult SignInForm(HttpContext http)
    {
        SecureHeaders(http);
        return Render(http, DashboardPages.SignInForm(antiforgery.GetAndStoreTokens(http), null, null), null, null);
    }

    public async Task<IResult> SendLinkAsync(HttpContext http, CancellationToken ct)
    {
        SecureHeaders(http);
        return await Guarded(http, "send-link", async () =>
        {
            var (form, problem) = await ReadFormAsync(http, ct);
            if (form is null) return Render(http, problem!, null, null);
            if (!await ValidAsync(http)) return Render(http, DashboardPages.FormExpired(), null, null);
            var email = form["email"].ToString().Trim();
            var csrf = antiforgery.GetAndStoreTokens(http);
            if (email.Length == 0)
                return Render(http, DashboardPages.SignInForm(csrf, email, "Enter your email address.", 400), null, null);
            try
            {
                TenancyStore.RequireEmail(email);
            }
            catch (BadInputException)
            {
                return Render(http, DashboardPages.SignInForm(csrf, email, "Enter an email address in the form name@example.com.", 400), null, null);
            }

            // Whatever follows, the answer is the same page: it never tells who has an account.
            if (!await access.TryCountLinkAsync(email, ct))
            {
                LogRateLimited(logger);
                return Render(http, DashboardPages.CheckYourEmail(), null, null);
            }
            var people = await tenancy.AdminsAndSponsorsWithEmailAsync(email, ct);
            if (people.Count == 0) LogNoAccess(logger);
            foreach (var person in people) await SendLinkAsync(person, ct);
            return Render(http, DashboardPages.CheckYourEmail(), null, null);
        });
    }

    private async Task SendLinkAsync(Coach person, CancellationToken ct)
    {
        var firm = await tenancy.GetFirmAsync(person.FirmId, ct);
        if (firm is null) return;
        var secret = await access.IssueLinkAsync(person, ct);
        var url = new Uri(links.PublicBaseUrl, $"/firm/sign-in/{secret}");
        var branding = new FirmBranding(firm.Name, firm.PrimaryColor, firm.LogoUrl is { } logo ? new Uri(logo) : null, new EmailAddress(firm.SenderEmail, firm.SenderName));
        var first = person.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? person.Name;
        var rendered = renderer.Render(new EmailModel(AccountEmailKinds.FirmSignIn, first, "the firm dashboard", branding, url));
        var effectId = "firm-sign-in/" + TenancyStore.Hash(secret)[..16];
        await transport.SendAsync(new EmailMessage(new EmailAddress(person.Email, person.Name), branding.Sender, null, rendered.Subject, rendered.Html, rendered.Text,
            [], [AccountEmailKinds.FirmSignIn], "firm-sign-in", effectId), ct);
        LogLinkSent(logger, person.FirmId, person.CoachId);
    }

    public IResult Landing(string token, HttpContext http)
    {
        SecureHeaders(http);
        return Render(http, DashboardPages.Landing(token, antiforgery.GetAndStoreTokens(http)), null, null);
    }

    public async Task<IResult> StartSessionAsync(HttpContext http, CancellationToken ct)
    {
        SecureHeaders(http);
        return await Guarded(http, "start-session", async () =>
        {
            var (form, problem) = await ReadFormAsync(http, ct);
            if (form is null) return Render(http, problem!, null, null);
            if (!await ValidAsync(http)) return Render(http, DashboardPages.FormExpired(), null, null);
            var (firmId, personId, refusal) = await access.ConsumeLinkAsync(form["token"].ToString(), ct);
            if (refusal != LinkRefusal.None || firmId is null || personId is null)
            {
                LogLinkRefused(logger, refusal.ToString());
                return Render(http, DashboardPages.LinkProblem(refusal), null, null);
            }
            if (await CallerAsync(firmId, personId, ct) is null)
            {
                LogLinkRefused(logger, "no-dashboard-role");
                return Render(http, DashboardPages.LinkProblem(LinkRefusal.Unknown), null, null);
            }
            var (secret, expires) = await access.StartSessionAsync(firmId, personId, ct);
            http.Response.Cookies.Append(FirmDashboardEndpoints.CookieName, secret, CookieOptions(http, expires));
            LogSignedIn(logger, firmId, personId);
            http.Response.Headers.Location = "/firm";
            return Results.StatusCode(StatusCodes.Status303SeeOther);
        });
    }

    public async Task<IResult> SignOutAsync(HttpContext http, CancellationToken ct)
    {
        SecureHeaders(http);
        return await Guarded(http, "sign-out", async () =>
        {
            var (form, problem) = await ReadFormAsync(http, ct);
            if (form is null) return Render(http, problem!, null, null);
            if (!await ValidAsync(http)) return Render(http, DashboardPages.FormExpired(), null, null);
            await access.EndSessionAsync(http.Request.Cookies[FirmDashboardEndpoints.CookieName], ct);
            http.Response.Cookies.Delete(FirmDashboardEndpoints.CookieName, CookieOptions(http, null));
            return Render(http, DashboardPages.SignedOut(), null, null);
        });
    }

    // ---- the dashboard ----

    public async Task<IResult> DashboardAsync(HttpContext http, CancellationToken ct)
    {
        SecureHeaders(http);
        return await Guarded(http, "dashboard", async () =>
        {
            if (await SignedInAsync(http, ct) is not { } caller) return Render(http, DashboardPages.NotSignedIn(), null, null);
            var dashboard = await BuildAsync(caller, ct);
            var who = new SignedIn(caller, antiforgery.GetAndStoreTokens(http));
            return Render(http, DashboardPages.DashboardPage(dashboard, DashboardTables.All(dashboard), caller), caller.Firm.Name, who);
        });
    }

    public async Task<IResult> TableCsvAsync(string table, HttpContext http, CancellationToken ct)
    {
        SecureHeaders(http);
        return await Guarded(http, "csv", async () =>
        {
            if (await SignedInAsync(http, ct) is not { } caller) return Render(http, DashboardPages.NotSignedIn(), null, null);
            var found = DashboardTables.All(await BuildAsync(caller, ct)).FirstOrDefault(t => t.Name == table);
            return found is null
                ? Render(http, DashboardPages.NotFound("table by that name"), caller.Firm.Name, null)
                : Csv(found);
        });
    }

    public async Task<IResult> CohortAsync(string cohortId, HttpContext http, bool csv, CancellationToken ct)
    {
        SecureHeaders(http);
        return await Guarded(http, "cohort", async () =>
        {
            if (await SignedInAsync(http, ct) is not { } caller) return Render(http, DashboardPages.NotSignedIn(), null, null);
            var notFound = Render(http, DashboardPages.NotFound("cohort with this id"), caller.Firm.Name, null);
            if (!IsId(cohortId)) return notFound;
            var entries = await ListAsync(caller, new IndexFilter(CohortId: cohortId), ct);
            var names = await cohortStore.NamesAsync(caller.FirmId, ct);
            // A sponsor sees a cohort only through engagements they sponsor; an admin also sees an empty cohort of their firm.
            if (entries.Count == 0 && (caller.Role == Role.Sponsor || !names.ContainsKey(cohortId))) return notFound;
            var coaches = await tenancy.PeopleNamesAsync(caller.FirmId, ct);
            var table = DashboardTables.CohortEngagements(cohortId, entries, id => id is not null && coaches.TryGetValue(id, out var n) ? n : "Unknown coach");
            if (csv) return Csv(table);
            var cohort = Dashboard.CohortOf(cohortId, names.TryGetValue(cohortId, out var name) ? name : cohortId, entries);
            var phases = Dashboard.Build(entries, coaches, names, time.GetUtcNow(), caller.Role == Role.Sponsor).Phases;
            var who = new SignedIn(caller, antiforgery.GetAndStoreTokens(http));
            return Render(http, DashboardPages.CohortPage(cohort, phases, table), caller.Firm.Name, who);
        });
    }

    private async Task<Dashboard> BuildAsync(Caller caller, CancellationToken ct)
    {
        // Erased engagements' tombstones too: the firm's counts stay honest after an erasure.
        var entries = await ListAsync(caller, new IndexFilter(IncludeErased: true), ct);
        var coaches = await tenancy.PeopleNamesAsync(caller.FirmId, ct);
        var cohorts = await cohortStore.NamesAsync(caller.FirmId, ct);
        return Dashboard.Build(entries, coaches, cohorts, time.GetUtcNow(), forSponsor: caller.Role == Role.Sponsor);
    }

    /// <summary>The caller's engagements: the API's own scoping (a sponsor only those naming them) over the firm's index partition.</summary>
    private async Task<List<IndexEntry>> ListAsync(Caller caller, IndexFilter where, CancellationToken ct)
    {
        var entries = new List<IndexEntry>();
        await foreach (var entry in engagements.ListAllAsync(caller.FirmId, EngagementService.ScopeOf(caller, where), ct)) entries.Add(entry);
        return entries;
    }

    // ---- sessions ----

    private async Task<Caller?> SignedInAsync(HttpContext http, CancellationToken ct)
    {
        var session = await access.SessionAsync(http.Request.Cookies[FirmDashboardEndpoints.CookieName], ct);
        return session is { } s ? await CallerAsync(s.FirmId, s.PersonId, ct) : null;
    }

    /// <summary>The person as a <see cref="Caller"/>, while they are still the firm's admin or sponsor.</summary>
    private async Task<Caller?> CallerAsync(string firmId, string personId, CancellationToken ct)
    {
        var firm = await tenancy.GetFirmAsync(firmId, ct);
        var person = firm is null ? null : await tenancy.GetCoachAsync(firmId, personId, ct);
        return firm is not null && person is { Role: Role.FirmAdmin or Role.Sponsor } ? new Caller(firm, person) : null;
    }

    private CookieOptions CookieOptions(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict,
        Secure = http.Request.IsHttps || links.PublicBaseUrl.Scheme == Uri.UriSchemeHttps,
        Path = "/firm",
        Expires = expires,
        IsEssential = true,
    };

    // ---- plumbing ----

    private async Task<bool> ValidAsync(HttpContext http)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(http);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            LogRefusedForm(logger);
            return false;
        }
    }

    private async Task<IResult> Guarded(HttpContext http, string step, Func<Task<IResult>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFault(logger, step, ex.GetType().Name);
            return Render(http, DashboardPages.Fault(), null, null);
        }
    }

    private static IResult Csv(DashboardTable table) =>
        Results.File(DashboardTables.Csv(table), "text/csv; charset=utf-8", DashboardTables.FileName(table));

    private static bool IsId(string id) => id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static async Task<(IFormCollection? Form, Page? Problem)> ReadFormAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength > FirmDashboardEndpoints.MaxFormBytes || !http.Request.HasFormContentType) return (null, DashboardPages.UnreadableForm());
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = FirmDashboardEndpoints.MaxFormBytes;
        http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions
        {
            ValueCountLimit = 10,
            ValueLengthLimit = FirmDashboardEndpoints.MaxFormBytes,
            MultipartBodyLengthLimit = FirmDashboardEndpoints.MaxFormBytes,
            BufferBodyLengthLimit = FirmDashboardEndpoints.MaxFormBytes,
        }));
        try
        {
            return (await http.Request.ReadFormAsync(ct), null);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return (null, DashboardPages.UnreadableForm());
        }
    }

    private static void SecureHeaders(HttpContext http)
    {
        var h = http.Response.Headers;
        h[HeaderNames.ContentSecurityPolicy] = ClientPagesEndpoints.ContentSecurityPolicy;
        h["Referrer-Policy"] = "no-referrer";
        h[HeaderNames.XContentTypeOptions] = "nosniff";
        h[HeaderNames.XFrameOptions] = "DENY";
        h[HeaderNames.CacheControl] = "no-cache, no-store";
        h[HeaderNames.Pragma] = "no-cache";
        h["Cross-Origin-Opener-Policy"] = "same-origin";
        h["X-Robots-Tag"] = "noindex, nofollow";
    }

    private static IResult Render(HttpContext http, Page page, string? firmName, SignedIn? who) =>
        Results.Content(DashboardPages.Layout(page, firmName, who), "text/html; charset=utf-8", Encoding.UTF8, page.Status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Firm dashboard sign-in link sent to {PersonId} of firm {FirmId}")]
    private static partial void LogLinkSent(ILogger logger, string firmId, string personId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Firm dashboard sign-in asked for an address with no dashboard access; nothing sent")]
    private static partial void LogNoAccess(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Firm dashboard sign-in links for one address exceeded the rate limit; nothing sent")]
    private static partial void LogRateLimited(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Firm dashboard sign-in link refused: {Reason}")]
    private static partial void LogLinkRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Firm dashboard form refused: antiforgery token missing or invalid")]
    private static partial void LogRefusedForm(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Firm dashboard session started for {PersonId} of firm {FirmId}")]
    private static partial void LogSignedIn(ILogger logger, string firmId, string personId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Firm dashboard failed while trying to {Step} ({ErrorType})")]
    private static partial void LogFault(ILogger logger, string step, string errorType);
}
