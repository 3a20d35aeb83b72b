using CoachFlow.Web.Links;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.ClientPages;

/// <summary>The pages that say what happened and what to do next when a link or a form cannot be used.</summary>
internal static class StandardPages
{
    private const string AskCoach = "Reply to the email from your coach and ask them to send you a new link.";

    /// <summary>Expired and used links are gone (410), forged ones forbidden (403), garbled ones bad requests (400). Nothing changes.</summary>
    public static Page ForLinkProblem(LinkProblem problem) => problem switch
    {
        LinkProblem.Expired => new Page(410, "This link has expired",
            P("Links in our emails only work for a limited time, and this one has run out. Nothing was changed.") + P(AskCoach)),
        LinkProblem.Used => new Page(410, "This link has already been used",
            P("This link could only be used once, and it has been. Nothing was changed.") +
            P("If you have already signed, there is nothing more to do: your coach has been told. Otherwise, " + char.ToLowerInvariant(AskCoach[0]) + AskCoach[1..])),
        LinkProblem.Forged => new Page(403, "This link is not valid",
            P("We could not verify this link, so we cannot open it. It may have been changed after we sent it. Nothing was changed.") +
            P("Please open the link straight from the email, without editing it. If that does not work, " + char.ToLowerInvariant(AskCoach[0]) + AskCoach[1..])),
        _ => Malformed(),
    };

    public static Page Malformed() => new(400, "This link is incomplete",
        P("Part of this link seems to be missing. This can happen when an email program breaks a long link over two lines. Nothing was changed.") +
        P("Try opening the link again straight from the email, or copy the whole link into your browser. If that does not work, " + char.ToLowerInvariant(AskCoach[0]) + AskCoach[1..]));

    public static Page UnknownPurpose() => new(400, "We don't recognise this link",
        P("This link does not lead to anything we can show you. Nothing was changed.") + P(AskCoach));

    public static Page EngagementGone() => new(404, "This coaching engagement is no longer here",
        P("We could not find the engagement this link belongs to. It may have been closed and its data erased. Nothing was changed.") +
        P("If you think this is a mistake, contact your coach."));

    /// <summary>What the link was for has been done already (or no longer applies); the work is over, so 410.</summary>
    public static Page AlreadyDone(string title, string explanation) => new(410, title,
        P(explanation) + P("There is nothing more to do on this page. You can close it."));

    public static Page NotReady(string what) => new(503, $"{what} is not ready yet",
        P($"We are still preparing {char.ToLowerInvariant(what[0])}{what[1..]}. This usually takes a few seconds.") +
        P("Please reload this page in a moment."), RetryAfterSeconds: 5);

    public static Page NotFound(string title, string explanation) => new(404, title, P(explanation) + P(AskCoach));

    public static Page FormExpired() => new(400, "Please try that again",
        P("For your security, we could not accept this form: it may have been open for a long time, or sent from another window. Nothing was saved.") +
        P("Go back to the link in your email, fill in the form again and send it."));

    public static Page TooLarge() => new(413, "That is more than we can take in one go",
        P($"What you sent is larger than the {ClientPagesEndpoints.MaxFormBytes / 1024} KB a form on this site accepts. Nothing was saved.") +
        P("Please shorten your longest answers and send the form again."));

    public static Page UnreadableForm() => new(400, "We could not read that form",
        P("What your browser sent did not look like this page's form. Nothing was saved.") +
        P("Go back to the link in your email and try again."));

    public static Page NothingToSend() => new(405, "There is nothing to send here",
        P("This page is for reading only. Nothing was changed."));

    public static Page Fault() => new(500, "Something went wrong on our side",
        P("We could not finish this. Nothing you sent was half-saved.") + P("Please try again in a few minutes. If it keeps happening, tell your coach."));

    /// <summary>The engagement took the input but will only act on it later (for example while it is paused).</summary>
    public static Page Deferred() => new(202, "We have your answers",
        P("Thank you. Your engagement is on hold at the moment, so we have kept what you sent and will record it as soon as it continues.") +
        P("You don't need to send it again."));

    /// <summary>Kept durably but not recorded yet (the engine is busy): nothing to do but wait.</summary>
    public static Page Received() => new(202, "We have your answers",
        P("Thank you. What you sent is safely kept and is being recorded now; it shows with your coach in a moment.") +
        P("You don't need to send it again."));

    /// <summary>Kept durably, but nothing was running the engagement: it was restarted and has not recorded it yet (503, Retry-After).</summary>
    public static Page Restarting() => new(503, "We have your answers",
        P("Thank you. What you sent is safely kept. We had to restart your engagement on our side, so it is not recorded yet.") +
        P("Please reload this page in a moment to see it confirmed. You don't need to fill anything in again."), RetryAfterSeconds: 5);

    /// <summary>The engagement refused the input; the message names the rule that stopped it.</summary>
    public static Page Rejected(string? why) => new(409, "This could not be recorded",
        P("Your engagement is not at a point where it can take this, so nothing was changed. This usually means it was already done, " +
          "the step is closed, or your coach has changed the plan.") +
        P("If you think this is a mistake, reply to your coach's email.") +
        (string.IsNullOrWhiteSpace(why) ? "" : $"<details><summary>Details for your coach</summary><p class=\"meta\">{H(why)}</p></details>"));
}
