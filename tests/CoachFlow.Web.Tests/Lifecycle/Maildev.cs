using CoachFlow.Testing;
using System.Text.Json;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>One email as maildev received it.</summary>
/// <param name="Id">maildev's id; ids come in the order messages arrived.</param>
/// <param name="MessageId">The Message-ID header, without angle brackets.</param>
/// <param name="EngagementId">The <c>X-CoachFlow-Engagement</c> header the SMTP transport sets.</param>
/// <param name="Kind">The <c>X-CoachFlow-Kind</c> header: the email's kind (e.g. <c>session-summary</c>).</param>
public sealed record ReceivedEmail(string Id, string MessageId, string? EngagementId, string? Kind, string To, string Subject, string Text, string Html);

/// <summary>
/// A real maildev (<c>&lt;repo&gt;/node_modules/.bin/maildev</c>) on free loopback ports. It keeps every message
/// it receives, so readers filter by engagement.
/// </summary>
public sealed class Maildev : IAsyncDisposable
{
    private readonly MaildevProcess _maildev;

    private Maildev(MaildevProcess maildev) => _maildev = maildev;

    public int SmtpPort => _maildev.SmtpPort;
    public int WebPort => _maildev.WebPort;
    private HttpClient Api => _maildev.Api;

    public static async Task<Maildev> StartAsync() => new(await MaildevProcess.StartAsync());

    /// <summary>Every email received for the given engagements, in the order maildev received them.</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> ReadAsync(IReadOnlySet<string> engagementIds)
    {
        using var all = JsonDocument.Parse(await Api.GetStringAsync(new Uri("email", UriKind.Relative)));
        var found = new List<ReceivedEmail>();
        foreach (var email in all.RootElement.EnumerateArray())
        {
            var headers = email.GetProperty("headers");
            var engagement = headers.TryGetProperty("x-coachflow-engagement", out var e) ? e.GetString() : null;
            if (engagement is null || !engagementIds.Contains(engagement)) continue;
            found.Add(new ReceivedEmail(
                email.GetProperty("id").GetString()!,
                (headers.GetProperty("message-id").GetString() ?? "").Trim('<', '>'),
                engagement,
                headers.TryGetProperty("x-coachflow-kind", out var kind) ? kind.GetString() : null,
                email.GetProperty("to")[0].GetProperty("address").GetString()!,
                email.GetProperty("subject").GetString() ?? "",
                email.TryGetProperty("text", out var text) ? text.GetString() ?? "" : "",
                email.TryGetProperty("html", out var html) ? html.GetString() ?? "" : ""));
        }
        return found;
    }

    /// <summary>The message exactly as maildev received it over SMTP (its <c>.eml</c>).</summary>
    public Task<string> SourceAsync(string id) => Api.GetStringAsync(new Uri($"email/{Uri.EscapeDataString(id)}/source", UriKind.Relative));

    public ValueTask DisposeAsync() => _maildev.DisposeAsync();
}
