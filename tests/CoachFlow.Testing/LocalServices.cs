using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CoachFlow.Testing;

/// <summary>The repository the tests run from, and the tools <c>npm ci</c> installed in it.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    /// <summary>A binary from the root's <c>node_modules/.bin</c> (Azurite, maildev).</summary>
    public static string NodeTool(string name)
    {
        var path = Path.Combine(Root, "node_modules", ".bin", name);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{name} is not installed at {path}; run ./coachflow test (it runs npm ci first).");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CoachFlow.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Run the tests from inside the CoachFlow repository.");
    }
}

/// <summary>A local service the tests start and kill; its output is drained and dropped.</summary>
public abstract class LocalService : IAsyncDisposable
{
    private Process? _process;

    protected void Start(string tool, params string[] arguments) => StartProcess(Repository.NodeTool(tool), arguments);

    /// <summary>Starts <paramref name="fileName"/> (a program on the PATH, or a path) with <paramref name="arguments"/>.</summary>
    protected void StartProcess(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Polls <paramref name="ready"/> until it says yes, the service exits, or 30 seconds pass.</summary>
    protected async Task WaitUntilAsync(Func<Task<bool>> ready, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process is { HasExited: true }) throw new InvalidOperationException($"{what} exited with code {_process.ExitCode}.");
            try
            {
                if (await ready()) return;
            }
            catch (Exception ex) when (ex is SocketException or HttpRequestException && DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"{what} did not answer within 30 s.");
            await Task.Delay(100);
        }
    }

    protected static async Task<bool> PortOpenAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        return true;
    }

    /// <summary>
    /// Starts a service with <paramref name="start"/> (which picks free ports and waits until the service answers), up to
    /// three times: a port found free can be taken by a parallel test process before the service binds it.
    /// </summary>
    protected static async Task<T> StartOnFreePortsAsync<T>(Func<T, Task> start) where T : LocalService, new()
    {
        for (var attempt = 1; ; attempt++)
        {
            var service = new T();
            try
            {
                await start(service);
                return service;
            }
            catch (Exception) when (attempt < 3)
            {
                await service.DisposeAsync();
            }
            catch
            {
                await service.DisposeAsync();
                throw;
            }
        }
    }

    public virtual ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A real Azurite (blob, queue, table), in memory, on free loopback ports.</summary>
public sealed class AzuriteProcess : LocalService
{
    public string ConnectionString { get; private set; } = "";

    /// <summary>
    /// Starts Azurite on free ports. A port found free can be taken by another test process before Azurite binds it (the
    /// test assemblies run in parallel); then what answers there is not Azurite, so each port must answer as Azurite
    /// does, and a start that lost a port is tried again on new ones.
    /// </summary>
    public static Task<AzuriteProcess> StartAsync() => StartOnFreePortsAsync(async (AzuriteProcess azurite) =>
    {
        int blob = Repository.FreePort(), queue = Repository.FreePort(), table = Repository.FreePort();
        azurite.Start("azurite", "--silent", "--disableTelemetry", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", $"{blob}", "--queuePort", $"{queue}", "--tablePort", $"{table}");
        foreach (var port in new[] { blob, queue, table }) await azurite.WaitUntilAsync(() => AnswersAsAzuriteAsync(port), "Azurite");
        azurite.ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
    });

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>True once the port answers with Azurite's <c>Server</c> header; anything else listening there is an error.</summary>
    private static async Task<bool> AnswersAsAzuriteAsync(int port)
    {
        HttpResponseMessage response;
        try
        {
            response = await Probe.GetAsync(new Uri($"http://127.0.0.1:{port}/devstoreaccount1?comp=list"));
        }
        catch (TaskCanceledException)
        {
            return false; // a busy machine: ask again until the deadline
        }
        using var _ = response;
        var server = string.Join(' ', response.Headers.Server.Select(s => s.ToString()));
        return server.Contains("Azurite", StringComparison.OrdinalIgnoreCase)
            ? true
            : throw new InvalidOperationException($"Port {port} is answered by something other than Azurite ('{server}').");
    }
}

/// <summary>A real maildev (SMTP with a REST API) on free loopback ports; its API is under <c>/api</c> (maildev 3).</summary>
public sealed class MaildevProcess : LocalService
{
    public int SmtpPort { get; } = Repository.FreePort();
    public int WebPort { get; } = Repository.FreePort();

    /// <summary>The REST API: <c>GET email</c> lists every message received.</summary>
    public HttpClient Api { get; private set; } = new();

    public static async Task<MaildevProcess> StartAsync()
    {
        var maildev = new MaildevProcess();
        try
        {
            maildev.Start("maildev", "--smtp", $"{maildev.SmtpPort}", "--web", $"{maildev.WebPort}", "--ip", "127.0.0.1", "--web-ip", "127.0.0.1");
            maildev.Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{maildev.WebPort}/api/"), Timeout = TimeSpan.FromSeconds(10) };
            await maildev.WaitUntilAsync(async () => (await maildev.Api.GetAsync(new Uri("email", UriKind.Relative))).IsSuccessStatusCode, "maildev");
            return maildev;
        }
        catch
        {
            await maildev.DisposeAsync();
            throw;
        }
    }

    public override ValueTask DisposeAsync()
    {
        Api.Dispose();
        return base.DisposeAsync();
    }
}

/// <summary>What the webhook receiver got: one delivery attempt, and whether the npm <c>standardwebhooks</c> library verified its signature.</summary>
/// <param name="Answered">The status the receiver answered with (200, or 500/410 when told to fail, 401 when the signature did not verify).</param>
public sealed record ReceivedWebhook(string Id, string Timestamp, string? Type, string? EngagementId, string Body, bool Verified, string? Error, int Answered);

/// <summary>
/// The independent webhook receiver (<c>tests/webhook-receiver/receiver.mjs</c>, Node with the npm <c>standardwebhooks</c>
/// library) on a free loopback port. Each test uses mailboxes of its own: <see cref="Url"/> to register, <see cref="ConfigureAsync"/>
/// to give a box its secret or tell it to fail, <see cref="ReceivedAsync"/> to read what it got.
/// </summary>
public sealed class WebhookReceiverProcess : LocalService
{
    public int Port { get; private set; }
    private HttpClient Api { get; set; } = new();

    public static Task<WebhookReceiverProcess> StartAsync() => StartOnFreePortsAsync(async (WebhookReceiverProcess receiver) =>
    {
        receiver.Port = Repository.FreePort();
        receiver.StartProcess("node", Path.Combine(Repository.Root, "tests", "webhook-receiver", "receiver.mjs"), "--port", $"{receiver.Port}");
        receiver.Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{receiver.Port}/"), Timeout = TimeSpan.FromSeconds(10) };
        // What answers on the port must be the receiver (another process may have taken the port first).
        await receiver.WaitUntilAsync(async () => (await receiver.Api.GetStringAsync(new Uri("health", UriKind.Relative))).Contains("coachflow-webhook-receiver", StringComparison.Ordinal)
            ? true
            : throw new InvalidOperationException($"Port {receiver.Port} is answered by something other than the receiver."), "the webhook receiver");
    });

    /// <summary>Where the box receives deliveries.</summary>
    public Uri Url(string box) => new($"http://127.0.0.1:{Port}/hooks/{box}");

    /// <summary>Merges <paramref name="settings"/> (secret, failNext, failAll, gone, failEngagement, delayMs) into the box's.</summary>
    public async Task ConfigureAsync(string box, object settings)
    {
        using var response = await Api.PutAsync(new Uri($"control/{box}", UriKind.Relative),
            new StringContent(System.Text.Json.JsonSerializer.Serialize(settings), System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every request the box got, in arrival order.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> ReceivedAsync(string box) =>
        System.Text.Json.JsonSerializer.Deserialize<List<ReceivedWebhook>>(await Api.GetStringAsync(new Uri($"control/{box}/received", UriKind.Relative)),
            new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)) ?? [];

    public override ValueTask DisposeAsync()
    {
        Api.Dispose();
        return base.DisposeAsync();
    }
}
