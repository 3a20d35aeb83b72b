using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CoachFlow.Engine.Harness;

/// <summary>One email as the bench reads it: the engagement and kind CoachFlow puts in its headers, and the client link in its text.</summary>
internal sealed record InboxEmail(string Id, string? EngagementId, string? Kind, Uri? Link);

/// <summary>
/// maildev 3's REST API (<c>/api/email</c>), read as a client would read an inbox. maildev filters on any field
/// with dot notation (<c>headers.x-coachflow-kind=…</c>, header names lower-cased) and pages with
/// <c>skip</c>/<c>limit</c> in arrival order, so a bench asks for one engagement's email, or for only what
/// arrived since it last looked, instead of every stored message with its body each time.
/// </summary>
internal sealed partial class MaildevInbox(Uri address) : IDisposable
{
    private const int Page = 200;

    private readonly HttpClient _http = new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Emails of <paramref name="kind"/> (and of <paramref name="engagementId"/> if given), from the <paramref name="skip"/>-th such email on, in arrival order.</summary>
    public async Task<List<InboxEmail>> ListAsync(string kind, string? engagementId = null, int skip = 0, CancellationToken ct = default)
    {
        var found = new List<InboxEmail>();
        while (true)
        {
            var query = $"/api/email?headers.x-coachflow-kind={Uri.EscapeDataString(kind)}&skip={skip + found.Count}&limit={Page}" +
                (engagementId is null ? "" : $"&headers.x-coachflow-engagement={Uri.EscapeDataString(engagementId)}");
            var page = await _http.GetFromJsonAsync<JsonElement>(new Uri(query, UriKind.Relative), ct);
            found.AddRange(page.EnumerateArray().Select(Read));
            if (page.GetArrayLength() < Page) return found;
        }
    }

    /// <summary>Polls every <paramref name="every"/> until an email of <paramref name="kind"/> for <paramref name="engagementId"/> is in.</summary>
    public async Task<InboxEmail> WaitForAsync(string engagementId, string kind, TimeSpan every, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if ((await ListAsync(kind, engagementId)).FirstOrDefault() is { } email) return email;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No {kind} email for engagement {engagementId} arrived within {within.TotalSeconds:0} s.");
            await Task.Delay(every);
        }
    }

    /// <summary>Deletes every stored email (<c>DELETE /api/email/all</c>), so later reads see only what comes next.</summary>
    public async Task ClearAsync()
    {
        using var response = await _http.DeleteAsync(new Uri("/api/email/all", UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    private static InboxEmail Read(JsonElement email)
    {
        var headers = email.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object ? h : default;
        string? Header(string name) => headers.ValueKind == JsonValueKind.Object && headers.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var text = email.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() ?? "" : "";
        var link = LinkRegex().Match(text);
        return new InboxEmail(email.GetProperty("id").GetString()!, Header("x-coachflow-engagement"), Header("x-coachflow-kind"), link.Success ? new Uri(link.Value) : null);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex(@"https?://[^\s""'<>]+/c/[A-Za-z0-9._~-]+")]
    private static partial Regex LinkRegex();
}
