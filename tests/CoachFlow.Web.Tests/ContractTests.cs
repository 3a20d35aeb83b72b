using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CoachFlow.Web.Tests;

/// <summary>Azurite and the built app, running as the Functions host runs its custom handler.</summary>
public sealed class HandlerFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private HandlerProcess? _app;

    public HandlerProcess App => _app ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        _app = HandlerProcess.StartBuilt(_azurite.ConnectionString);
        (await _app.WaitForHealthAsync(TimeSpan.FromSeconds(30))).Dispose();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

/// <summary>
/// The custom-handler contract: the host POSTs <c>{Data, Metadata}</c> to <c>/{function}</c> and reads
/// <c>{Outputs, Logs, ReturnValue}</c>; HTTP triggers are forwarded as they came.
/// </summary>
public sealed class ContractTests(HandlerFixture fixture) : IClassFixture<HandlerFixture>
{
    private HttpClient Client => fixture.App.Client;

    /// <summary>What the host sends for a queue trigger named <c>message</c> (see functions/work/function.json).</summary>
    private static JsonObject QueueInvocation(JsonNode? message, int dequeueCount = 1)
    {
        var now = DateTimeOffset.UtcNow;
        var data = new JsonObject();
        if (message is not null) data["message"] = message;
        return new JsonObject
        {
            ["Data"] = data,
            ["Metadata"] = new JsonObject
            {
                ["DequeueCount"] = dequeueCount,
                ["ExpirationTime"] = now.AddDays(7).ToString("o"),
                ["Id"] = Guid.NewGuid().ToString(),
                ["InsertionTime"] = now.AddSeconds(-2).ToString("o"),
                ["NextVisibleTime"] = now.AddSeconds(30).ToString("o"),
                ["PopReceipt"] = "AgAAAAMAAAAAAAAAAgtnj8x+1QE=",
                ["sys"] = new JsonObject { ["MethodName"] = "work", ["UtcNow"] = now.ToString("o"), ["RandGuid"] = Guid.NewGuid().ToString() },
            },
        };
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> InvokeAsync(string function, JsonObject payload)
    {
        using var response = await Client.PostAsJsonAsync($"/{function}", payload);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, body);
    }

    private static string[] Logs(JsonElement body)
    {
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        Assert.True(body.TryGetProperty("Logs", out var logs), $"No Logs in {body}");
        return [.. logs.EnumerateArray().Select(l => l.GetString()!)];
    }

    [Fact]
    public async Task A_queue_trigger_with_a_guard_message_is_handled()
    {
        // As GuardWindows writes it: the window a host opened, with the engagements it stepped.
        var guard = JsonSerializer.Serialize(new { Kind = "guard", Window = "w-" + Guid.NewGuid().ToString("N"), Host = "host-a", Instances = new[] { "eng-contract-1", "eng-contract-2" } });

        var (status, body) = await InvokeAsync("work", QueueInvocation(guard, dequeueCount: 2));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(Logs(body), l => l.Contains("handled", StringComparison.Ordinal) && l.Contains("dequeue 2", StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.True(body.TryGetProperty("ReturnValue", out _), $"No ReturnValue in {body}");
    }

    [Fact]
    public async Task A_guard_message_the_host_passes_on_as_json_rather_than_a_string_is_handled()
    {
        var guard = new JsonObject { ["Kind"] = "guard", ["Window"] = "w-json", ["Host"] = "host-b", ["Instances"] = new JsonArray("eng-contract-3") };

        var (status, body) = await InvokeAsync("work", QueueInvocation(guard));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEmpty(Logs(body));
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("{\"kind\":\"nonsense\"}")]
    [InlineData("{\"Kind\":\"input\",\"Instance\":\"eng-that-does-not-exist\",\"Key\":\"k1\",\"Input\":\"{}\"}")]
    public async Task A_message_that_cannot_be_handled_fails_so_the_host_retries_and_poison_queues_it(string message)
    {
        var (status, body) = await InvokeAsync("work", QueueInvocation(message, dequeueCount: 5));

        Assert.False((int)status is >= 200 and < 300, $"Expected a failure status, got {(int)status}");
        Assert.Contains(Logs(body), l => l.Contains("refused", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"Kind\":\"guard\"}")]
    public async Task A_message_of_an_unforeseen_shape_still_fails_with_logs_so_the_host_poison_queues_it(string message)
    {
        var (status, body) = await InvokeAsync("work", QueueInvocation(message, dequeueCount: 1));

        Assert.False((int)status is >= 200 and < 300, $"Expected a failure status, got {(int)status}");
        Assert.Contains(Logs(body), l => l.StartsWith("work message", StringComparison.Ordinal) && l.Contains("dequeue 1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_invocation_without_the_message_binding_is_a_client_error(bool asNull)
    {
        var payload = QueueInvocation(message: null);
        if (asNull) payload["Data"]!["message"] = null;

        var (status, body) = await InvokeAsync("work", payload);

        Assert.True((int)status is >= 400 and < 500, $"Expected 4xx, got {(int)status}");
        Assert.Contains(Logs(body), l => l.Contains("'message'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_dequeue_count_may_come_as_a_string()
    {
        var payload = QueueInvocation("not json either");
        payload["Metadata"]!["DequeueCount"] = "4";

        var (status, body) = await InvokeAsync("work", payload);

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains(Logs(body), l => l.Contains("dequeue 4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_timer_trigger_scans_due_timers()
    {
        var payload = new JsonObject
        {
            ["Data"] = new JsonObject
            {
                ["timer"] = new JsonObject
                {
                    ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                    ["ScheduleStatus"] = null,
                    ["IsPastDue"] = false,
                },
            },
            ["Metadata"] = new JsonObject
            {
                ["sys"] = new JsonObject { ["MethodName"] = "timers", ["UtcNow"] = DateTimeOffset.UtcNow.ToString("o"), ["RandGuid"] = Guid.NewGuid().ToString() },
            },
        };

        var (status, body) = await InvokeAsync("timers", payload);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(Logs(body), l => l.Contains("due-timer scan", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forwarded_http_request_reaches_the_api()
    {
        // enableForwardingHttpRequest: the host passes the original request on unchanged.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ok", body.GetProperty("status").GetString());
    }
}
