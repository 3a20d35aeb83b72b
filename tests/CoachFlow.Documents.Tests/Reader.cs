using System.Net;
using System.Text.RegularExpressions;

namespace CoachFlow.Documents.Tests;

/// <summary>What a person reading a document sees: the text of the page (tags and styles gone, entities decoded).</summary>
internal static partial class Reader
{
    public static string Text(string html)
    {
        var body = Styles().Replace(html, " ");
        body = Tags().Replace(body, " ");
        return Spaces().Replace(WebUtility.HtmlDecode(body), " ");
    }

    [GeneratedRegex("<style[^>]*>.*?</style>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Styles();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex("\\s+")]
    private static partial Regex Spaces();
}
