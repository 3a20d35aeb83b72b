using System.Net;
using System.Text.RegularExpressions;

namespace CoachFlow.Engine.Harness;

/// <summary>
/// A client with a browser's cookie jar signing their contract from the emailed link, as <c>DemoClient</c> does
/// in <c>./coachflow demo</c>: opens the page, keeps its hidden fields (the antiforgery token, the document's
/// SHA-256), types a name, ticks consent and submits the form.
/// </summary>
internal sealed partial class SigningClient : IDisposable
{
    private readonly HttpClient _http;

    public SigningClient(Uri app) =>
        _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true }) { BaseAddress = app, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Opens the link and fills in the form; the returned call posts it, so a caller can time just the submission.</summary>
    public async Task<Func<Task<HttpStatusCode>>> OpenAsync(Uri link, string fullName)
    {
        using var page = await _http.GetAsync(new Uri(link.PathAndQuery, UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        var form = FormRegex().Match(html);
        if (!page.IsSuccessStatusCode || !form.Success)
            throw new InvalidOperationException($"The contract page answered {(int)page.StatusCode} {(form.Success ? "" : "without a form")}.");
        var fields = InputRegex().Matches(form.Groups[2].Value).Select(m => Attributes(m.Value))
            .Where(a => a.GetValueOrDefault("type") == "hidden" && a.ContainsKey("name"))
            .Select(a => new KeyValuePair<string, string>(a["name"], a.GetValueOrDefault("value", "")))
            .Append(new("full-name", fullName))
            .Append(new("consent", "yes"))
            .ToList();
        var action = new Uri(Attributes(form.Groups[1].Value).GetValueOrDefault("action", link.PathAndQuery), UriKind.Relative);
        return async () =>
        {
            using var posted = await _http.PostAsync(action, new FormUrlEncodedContent(fields));
            return posted.StatusCode;
        };
    }

    public void Dispose() => _http.Dispose();

    private static Dictionary<string, string> Attributes(string tag) =>
        AttributeRegex().Matches(tag).GroupBy(m => m.Groups[1].Value.ToLowerInvariant()).ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.First().Groups[3].Value), StringComparer.Ordinal);

    [GeneratedRegex(@"<form([^>]*)>(.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex FormRegex();

    [GeneratedRegex(@"<input\b[^>]*>", RegexOptions.Singleline)]
    private static partial Regex InputRegex();

    [GeneratedRegex(@"([a-zA-Z_:-]+)=(""|')(.*?)\2", RegexOptions.Singleline)]
    private static partial Regex AttributeRegex();
}
