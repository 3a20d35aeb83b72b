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

    protected void Start(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(Repository.NodeTool(tool)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
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
    public static async Task<AzuriteProcess> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var azurite = new AzuriteProcess();
            try
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
                return azurite;
            }
            catch (Exception) when (attempt < 3)
            {
                await azurite.DisposeAsync();
            }
            catch
            {
                await azurite.DisposeAsync();
                throw;
            }
        }
    }

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
