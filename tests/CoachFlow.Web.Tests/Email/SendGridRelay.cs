using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoachFlow.Web.Tests.Email;

/// <summary>One request the app sent to SendGrid's API, and what Prism answered.</summary>
/// <param name="Status">Prism's status: 2xx when the request met the spec.</param>
/// <param name="Violations">Prism's <c>sl-violations</c> header (what in the request broke the spec), when it sent one.</param>
/// <param name="Body">The JSON the app posted, exactly as sent.</param>
public sealed record RelayedRequest(int Id, string Method, string Path, int Status, string? Violations, JsonNode? Body)
{
    public bool Accepted => Status is >= 200 and < 300;

    /// <summary>The email's kind (its first category), its recipient, a header of the body's <c>headers</c>, its text part.</summary>
    public string? Kind => Body?["categories"]?[0]?.GetValue<string>();
    public string? To => Body?["personalizations"]?[0]?["to"]?[0]?["email"]?.GetValue<string>();
    public string? EngagementId => Body?["personalizations"]?[0]?["custom_args"]?["engagement_id"]?.GetValue<string>();
    public string? Header(string name) => Body?["headers"]?[name]?.GetValue<string>();
    public string Text => Body?["content"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == "text/plain")?["value"]?.GetValue<string>() ?? "";
}

/// <summary>
/// A recording relay between the app and Prism: it forwards each request to Prism unchanged (method, path, headers,
/// body), answers with Prism's answer unchanged, and keeps the JSON body and status of each. Prism is the server that
/// enforces SendGrid's spec; the relay only records, so a test can read the emails the app sent (their links drive
/// the engagement, as maildev's inbox does) and see that Prism accepted every one.
/// </summary>
/// <remarks>
/// <c>GET /api/email</c> lists the accepted emails in the shape of maildev's REST API (id, to, subject, text, headers), so
/// <c>DemoCommand</c> drives a whole engagement from it exactly as it does from maildev.
/// </remarks>
public sealed class SendGridRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _prism;
    private readonly ConcurrentQueue<RelayedRequest> _requests = new();
    private int _count;

    private SendGridRelay(WebApplication app, Uri prism)
    {
        _app = app;
        _prism = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = prism, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The relay's address: the app's SendGrid base URL.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request relayed, in arrival order.</summary>
    public IReadOnlyList<RelayedRequest> Requests => [.. _requests.OrderBy(r => r.Id)];

    public static async Task<SendGridRelay> StartAsync(Uri prism)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var relay = new SendGridRelay(app, prism);
        app.MapGet("/api/email", () => Results.Text(relay.Inbox().ToJsonString(), "application/json"));
        app.Map("/v3/{**rest}", relay.ForwardAsync);
        await app.StartAsync();
        relay.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return relay;
    }

    private async Task ForwardAsync(HttpContext http)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        var bytes = body.ToArray();
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), http.Request.Path + http.Request.QueryString) { Content = new ByteArrayContent(bytes) };
        foreach (var (name, values) in http.Request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray())) request.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
        }
        using var answer = await _prism.SendAsync(request, http.RequestAborted);
        var answerBody = await answer.Content.ReadAsByteArrayAsync(http.RequestAborted);
        var violations = answer.Headers.TryGetValues("sl-violations", out var v) ? string.Join(' ', v) : null;
        JsonNode? json;
        try { json = bytes.Length == 0 ? null : JsonNode.Parse(bytes); }
        catch (System.Text.Json.JsonException) { json = null; }
        _requests.Enqueue(new RelayedRequest(Interlocked.Increment(ref _count), http.Request.Method, http.Request.Path, (int)answer.StatusCode, violations, json));

        http.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) continue;
            http.Response.Headers[name] = values.ToArray();
        }
        await http.Response.Body.WriteAsync(answerBody, http.RequestAborted);
    }

    /// <summary>The accepted emails as maildev lists them.</summary>
    private JsonArray Inbox() =>
    [
        .. Requests.Where(r => r.Accepted && r.Body is not null).Select(r => (JsonNode)new JsonObject
        {
            ["id"] = r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["to"] = new JsonArray(new JsonObject { ["address"] = r.To }),
            ["subject"] = r.Body?["subject"]?.GetValue<string>(),
            ["text"] = r.Text,
            ["headers"] = new JsonObject
            {
                ["message-id"] = r.Header("Message-ID"),
                ["x-coachflow-engagement"] = r.EngagementId,
                ["x-coachflow-kind"] = r.Kind,
            },
        }),
    ];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _prism.Dispose();
    }
}
