using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CoachFlow.Runtime.Tests;

/// <summary>A real Azurite (from the repository's node_modules) on free ports, in memory, for the whole test run.</summary>
public sealed class Azurite : IAsyncLifetime
{
    private Process? _process;

    public string ConnectionString { get; private set; } = "";

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CoachFlow.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Run the tests from inside the CoachFlow repository.");
        }
    }

    public async Task InitializeAsync()
    {
        var bin = Path.Combine(RepositoryRoot, "node_modules", ".bin", "azurite");
        if (!File.Exists(bin)) throw new InvalidOperationException($"Azurite is not installed at {bin}; run ./coachflow test (it runs npm ci first).");
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        _process = Process.Start(new ProcessStartInfo(bin,
            ["--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl",
             "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
             "--blobPort", $"{blob}", "--queuePort", $"{queue}", "--tablePort", $"{table}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        foreach (var port in new[] { blob, queue, table }) await WaitForPortAsync(port);
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.Dispose();
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<Azurite>
{
    public const string Name = "azurite";
}
