using CoachFlow.Testing;
using System.Text.Json;

namespace CoachFlow.Email.Tests;

/// <summary>
/// A real maildev (<c>&lt;repo&gt;/node_modules/.bin/maildev</c>, installed by <c>npm ci</c> in the repo root) on free
/// loopback ports, started for the SMTP tests and stopped after them.
/// </summary>
public sealed class MaildevFixture : IAsyncLifetime
{
    private MaildevProcess? _maildev;

    public int SmtpPort => Maildev.SmtpPort;
    public int WebPort => Maildev.WebPort;
    public HttpClient Api { get; private set; } = new();

    /// <summary>Where the REST API lives: <c>/api</c> since maildev 3.</summary>
    public string ApiPrefix => "/api";

    public Uri ApiUri(string path) => new($"{ApiPrefix}{path}", UriKind.Relative);

    private MaildevProcess Maildev => _maildev ?? throw new InvalidOperationException("maildev has not started.");

    public async Task InitializeAsync()
    {
        _maildev = await MaildevProcess.StartAsync();
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}"), Timeout = TimeSpan.FromSeconds(10) };
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

    public async Task DisposeAsync()
    {
        Api.Dispose();
        if (_maildev is not null) await _maildev.DisposeAsync();
    }
}
