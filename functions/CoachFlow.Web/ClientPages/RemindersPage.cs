using CoachFlow.Web.Links;
using CoachFlow.Workflows.Engagements;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.ClientPages;

/// <summary>
/// The page behind the <c>reminders-off</c> link of a reminder's <c>List-Unsubscribe</c> header: what turning reminders
/// off does, a button to do it and, once they are off, a button to turn them back on. Both buttons post the page's
/// antiforgery-checked form; only the one-click POST of RFC 8058 (<see cref="ClientPagesHandler.OneClickAsync"/>) has none.
/// </summary>
/// <remarks>
/// Either way the client's choice is an input of the engagement (<see cref="StopReminders"/>, <see cref="ResumeReminders"/>),
/// kept in its inbox and decided by the rules; its key holds the engagement's version, so a double submit applies once
/// and a later change of mind is a new input.
/// </remarks>
internal sealed class RemindersPage : ClientForm
{
    /// <summary>The link purpose of the unsubscribe link.</summary>
    public const string Purpose = "reminders-off";

    /// <summary>The body RFC 8058 has a mail provider POST, and the value of <c>List-Unsubscribe-Post</c>.</summary>
    public const string OneClickBody = "List-Unsubscribe=One-Click";

    private const string WhatStops = "reminders to sign, to answer a questionnaire or a reassessment, before a session, check-ins on your actions and in maintenance, and short notes from your coach";

    private const string WhatGoesOn = "Your agreement and your records stay as they are, and you still get what you need: session confirmations and changes, summaries, your plan, and any notice about your engagement.";

    public override Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct) =>
        Task.FromResult(Finished(link) ?? (link.State.RemindersStoppedAt is null ? On(link) : Off(link)));

    public override async Task<Page> SubmitAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct)
    {
        if (Finished(link) is { } finished) return finished;
        return Value(form, "action") switch
        {
            "stop" => await pages.RaiseAsync(link, new StopReminders(), link.Key($"stop@{link.View.Version}"), () => Off(link), ct),
            "resume" => await pages.RaiseAsync(link, new ResumeReminders(), link.Key($"resume@{link.View.Version}"), () => Resumed(link), ct),
            _ => StandardPages.UnreadableForm(),
        };
    }

    /// <summary>The one-click POST's input: the same as the page's "stop" button.</summary>
    internal static Task<Page> StopAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct) =>
        pages.RaiseAsync(link, new StopReminders(), link.Key($"one-click@{link.View.Version}"), () => Off(link), ct);

    private static Page On(ClientLink link) => new(200, "Stop reminders from this coaching engagement?",
        P($"If you stop them, we no longer send you {WhatStops}.", "lead") +
        P(WhatGoesOn) +
        Form(link, Button("Stop reminders", "action", "stop")) +
        P("You can turn them back on from this page at any time.", "hint"));

    private static Page Off(ClientLink link) => new(200, "Reminders are off",
        P($"We no longer send you {WhatStops} in your engagement with {link.FirmName}.", "lead") +
        P(WhatGoesOn) +
        P($"Changed your mind? Turn them back on here, or tell {link.CoachName}.") +
        Form(link, Button("Turn reminders back on", "action", "resume", secondary: true)));

    private static Page Resumed(ClientLink link) => new(200, "Reminders are back on",
        P($"We will remind you again when something in your engagement with {link.FirmName} comes due.", "lead") +
        P("Reminders that came due while they were off are not sent afterwards.") +
        Form(link, Button("Stop reminders", "action", "stop", secondary: true)));
}

internal sealed partial class ClientPagesHandler
{
    /// <summary>
    /// RFC 8058's one-click unsubscribe: a mail provider POSTs <c>List-Unsubscribe=One-Click</c> to the header's URL, with no
    /// page and so no antiforgery token. The signed <c>reminders-off</c> link is the whole authority, and all it can do is
    /// turn reminders off. A bad, forged or expired link gets the usual link-problem page; anything else posted is a 400.
    /// </summary>
    public async Task<IResult> OneClickAsync(string token, HttpContext http, CancellationToken ct)
    {
        SecureHeaders(http, ClientPagesEndpoints.ContentSecurityPolicy);
        try
        {
            var (grant, problem) = await links.CheckAsync(token, ct);
            if (problem != LinkProblem.None || grant is null)
            {
                LogRefused(logger, grant?.EngagementId ?? "-", problem.ToString());
                return Render(http, StandardPages.ForLinkProblem(problem), null);
            }
            if (grant.Purpose != RemindersPage.Purpose) return Render(http, StandardPages.UnknownPurpose(), null);
            var (form, formProblem) = await ReadFormAsync(http, ct);
            if (form is null) return Render(http, formProblem!, null);
            if (!string.Equals(form["List-Unsubscribe"].ToString(), "One-Click", StringComparison.Ordinal))
                return Render(http, StandardPages.UnreadableForm(), null);

            var (link, openProblem) = await OpenAsync(token, http, ct, grant);
            if (link is null) return Render(http, openProblem!, null);
            var page = link.State.IsFinished() ? StandardPages.AlreadyDone("This coaching engagement has ended", "No more reminders will come from it.")
                : await RemindersPage.StopAsync(link, this, ct);
            LogSubmitted(logger, link.EngagementId, "one-click", page.Status);
            return Render(http, page, link.FirmName);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFault(logger, "unsubscribe", ex.GetType().Name);
            return Render(http, StandardPages.Fault(), null);
        }
    }
}
