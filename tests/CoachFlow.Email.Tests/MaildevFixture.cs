using System.Diagnostics;
using System.Text.Json;

namespace CoachFlow.Email.Tests;

/// <summary>
/// A real maildev (<c>&lt;repo&gt;/node_modules/.bin/maildev</c>, installed by <c>npm ci</c> in the repo root) on free
/// loopback ports, started for the SMTP tests and stopped after them.
/// </summary>
public sealed class MaildevFixture : IAsyncLifetime
{
    private Process? _process;

    public int SmtpPort { get; } = SendGridTests.FreePort();
    public int WebPort { get; } = SendGridTests.FreePort();
    public HttpClient Api { get; private set; } = new();

    /// <summary>Where the REST API lives: <c>/api</c> since maildev 3, the root before.</summary>
    public string ApiPrefix { get; private set; } = "/api";

    public Uri ApiUri(string path) => new($"{ApiPrefix}{path}", UriKind.Relative);

    public async Task InitializeAsync()
    {
        var maildev = Path.Combine(TestData.RepoRoot, "node_modules", ".bin", "maildev");
        if (!File.Exists(maildev)) throw new InvalidOperationException($"maildev is not installed at {maildev}: run `npm ci` in the repository root.");
        var start = new ProcessStartInfo(maildev)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--smtp", $"{SmtpPort}", "--web", $"{WebPort}", "--ip", "127.0.0.1", "--web-ip", "127.0.0.1" })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException("maildev did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}"), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"maildev exited with code {_process.ExitCode}.");
            try
            {
                foreach (var prefix in new[] { "/api", "" })
                {
                    using var response = await Api.GetAsync(new Uri($"{prefix}/email", UriKind.Relative));
                    if (!response.IsSuccessStatusCode) continue;
                    ApiPrefix = prefix;
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow >= deadline) throw new TimeoutException("maildev's API did not answer within 30 s.");
            await Task.Delay(200);
        }
    }

    /// <summary>The emails maildev received for <paramref name="recipient"/>, waiting up to 10 s for one to arrive.</summary>
    public async Task<JsonElement> WaitForEmailToAsync(string recipient)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var all = JsonDocument.Parse(await Api.GetStringAsync(ApiUri("/email"))).RootElement;
            foreach (var email in all.EnumerateArray())
                if (email.GetProperty("to").EnumerateArray().Any(t => t.GetProperty("address").GetString() == recipient))
                    return email.Clone();
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"No email to {recipient} reached maildev.");
            await Task.Delay(100);
        }
    }

    public Task DisposeAsync()
    {
        Api.Dispose();
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.Dispose();
        return Task.CompletedTask;
    }
}
