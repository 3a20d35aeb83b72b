using System.Diagnostics;
using System.Text.Json;

namespace CoachFlow.Functions.Tests.Lifecycle;

/// <summary>One email as maildev received it.</summary>
/// <param name="Id">maildev's id; ids come in the order messages arrived.</param>
/// <param name="MessageId">The Message-ID header, without angle brackets.</param>
/// <param name="EngagementId">The <c>X-CoachFlow-Engagement</c> header the SMTP transport sets.</param>
public sealed record ReceivedEmail(string Id, string MessageId, string? EngagementId, string To, string Subject, string Text, string Html);

/// <summary>
/// A real maildev (<c>&lt;repo&gt;/node_modules/.bin/maildev</c>) on free loopback ports. It keeps every message
/// it receives, so readers filter by engagement.
/// </summary>
public sealed class Maildev : IAsyncDisposable
{
    private Process? _process;
    private HttpClient _api = new();

    public int SmtpPort { get; } = Repository.FreePort();
    public int WebPort { get; } = Repository.FreePort();

    public static async Task<Maildev> StartAsync()
    {
        var maildev = new Maildev();
        try
        {
            await maildev.InitializeAsync();
            return maildev;
        }
        catch
        {
            await maildev.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        var bin = Path.Combine(Repository.Root, "node_modules", ".bin", "maildev");
        if (!File.Exists(bin)) throw new InvalidOperationException($"maildev is not installed at {bin}; run ./coachflow test (it runs npm ci first).");
        var start = new ProcessStartInfo(bin) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--smtp", $"{SmtpPort}", "--web", $"{WebPort}", "--ip", "127.0.0.1", "--web-ip", "127.0.0.1" })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException("maildev did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // maildev 3 serves its REST API under /api.
        _api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}/api/"), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"maildev exited with code {_process.ExitCode}.");
            try
            {
                using var response = await _api.GetAsync(new Uri("email", UriKind.Relative));
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow >= deadline) throw new TimeoutException("maildev's API did not answer within 30 s.");
            await Task.Delay(100);
        }
    }

    /// <summary>Every email received for the given engagements, in the order maildev received them.</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> ReadAsync(IReadOnlySet<string> engagementIds)
    {
        using var all = JsonDocument.Parse(await _api.GetStringAsync(new Uri("email", UriKind.Relative)));
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
                email.GetProperty("to")[0].GetProperty("address").GetString()!,
                email.GetProperty("subject").GetString() ?? "",
                email.TryGetProperty("text", out var text) ? text.GetString() ?? "" : "",
                email.TryGetProperty("html", out var html) ? html.GetString() ?? "" : ""));
        }
        return found;
    }

    public ValueTask DisposeAsync()
    {
        _api.Dispose();
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
