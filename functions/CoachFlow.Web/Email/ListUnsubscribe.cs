using CoachFlow.Web.ClientPages;
using CoachFlow.Web.Links;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Email;

/// <summary>
/// The one-click unsubscribe (RFC 8058) a reminder or nudge email carries: <c>List-Unsubscribe</c> with a signed
/// <c>reminders-off</c> link to <c>/c/{token}/unsubscribe</c>, and <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c>.
/// A mail provider's POST there turns the client's reminders and nudges off (<see cref="StopReminders"/>); a person
/// opening it gets <see cref="RemindersPage"/>.
/// </summary>
public static class ListUnsubscribe
{
    /// <summary>A person may find the button in an old reminder months later; the link lasts longer than most.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    /// <summary>
    /// The headers for an email of <paramref name="kind"/> to <paramref name="to"/>: null unless it is a reminder or nudge to
    /// the client. The link is signed for the effect (its nonce from the effect id, its expiry from <paramref name="at"/>, the
    /// first attempt), so a retried send carries the same headers.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? HeadersFor(string kind, string to, string engagementId, string effectId, DateTimeOffset at,
        LinkSigner links, Uri publicBaseUrl)
    {
        if (to != Recipients.Client || !EmailKinds.RemindersAndNudges.Contains(kind)) return null;
        var token = links.SignForEffect($"{effectId}/unsubscribe", engagementId, RemindersPage.Purpose, null, at + Lifetime);
        var url = new Uri(publicBaseUrl, $"/c/{token}/unsubscribe");
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["List-Unsubscribe"] = $"<{url.AbsoluteUri}>",
            ["List-Unsubscribe-Post"] = RemindersPage.OneClickBody,
        };
    }
}
