using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CoachFlow.Web.Links;
using CoachFlow.Web.Engagements;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using Microsoft.AspNetCore.Antiforgery;

namespace CoachFlow.Web.ClientPages;

/// <summary>Everything a client page needs about the link that was opened: the grant, the engagement as it stands, and the form token.</summary>
/// <param name="Token">The link token as it appears in the URL; only ever written back into this page's own form action.</param>
internal sealed record ClientLink(
    HttpContext Http,
    string Token,
    LinkGrant Grant,
    EngagementView View,
    EngagementState State,
    ProgramDefinition Program,
    string FirmName,
    string CoachName,
    AntiforgeryTokenSet Csrf)
{
    public string EngagementId => Grant.EngagementId;

    /// <summary>The first number in the link's reference: a session, reassessment or contract version.</summary>
    public int? RefNumber
    {
        get
        {
            var digits = new string([.. (Grant.Ref ?? "").SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(char.IsAsciiDigit)]);
            return digits.Length is > 0 and < 9 ? int.Parse(digits, CultureInfo.InvariantCulture) : null;
        }
    }

    /// <summary>
    /// The idempotency key for what this link submits: the link's nonce and purpose, the step, and (where one
    /// link may be used again with other answers) a hash of the input, so a double submit applies once.
    /// </summary>
    public string Key(string step, string? content = null)
    {
        var key = $"link:{Grant.Nonce}:{Grant.Purpose}:{step}";
        if (content is not null) key += ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..24];
        return key.Length <= 200 ? key : key[..200];
    }
}
