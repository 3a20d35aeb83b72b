using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CoachFlow.Engine.Harness;

/// <summary>
/// The built local host (<c>CoachFlow.LocalHost.dll</c>) as a child process on a free loopback port, configured
/// through the environment as <c>./coachflow run</c> configures it: storage, a task hub prefix of its own, the SMTP
/// port of a maildev and its public URL.
/// </summary>
internal sealed class LocalHostProcess : IAsyncDisposable
{
    private const int KeptLines = 200;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private LocalHostProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>CPU time the app has used so far (all its threads: web, worker, sidecar, SMTP client).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The last lines the app printed, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Runs the command line's <c>admin seed-demo</c> with the same configuration and returns the demo coach's token.</summary>
    public static Task<string> SeedDemoAsync(string cliDll, IReadOnlyDictionary<string, string> environment) =>
        AdminAsync(cliDll, ["seed-demo"], environment);

    /// <summary>Runs the command line's (<paramref name="cliDll"/>) <c>admin …</c> (<c>seed-demo</c>, <c>add-user</c>) with the same configuration and returns the token it printed.</summary>
    public static async Task<string> AdminAsync(string cliDll, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var info = Info(cliDll, ["admin", .. args], environment);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {cliDll}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var token = (await stdout).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("token: ", StringComparison.Ordinal))?["token: ".Length..];
        return process.ExitCode == 0 && token is { Length: > 0 }
            ? token
            : throw new InvalidOperationException($"admin {args[0]} exited with {process.ExitCode} and printed no token:\n{await stdout}\n{await stderr}");
    }

    /// <summary>Starts the app on a free port and waits until <c>GET /api/health</c> answers 200.</summary>
    public static async Task<LocalHostProcess> StartAsync(string appDll, IReadOnlyDictionary<string, string> environment, TimeSpan within)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var info = Info(appDll, ["--urls", address.ToString().TrimEnd('/')], new Dictionary<string, string>(environment) { ["CoachFlow__PublicBaseUrl"] = address.ToString().TrimEnd('/') });
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {appDll}.");
        var app = new LocalHostProcess(process, address);
        process.OutputDataReceived += (_, e) => app.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => app.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += app.KillOnExit; // the bench stopped (SIGTERM): the app goes with it
        try
        {
            await app.WaitForHealthAsync(within);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo Info(string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var path = Path.GetFullPath(dll);
        var info = new ProcessStartInfo("dotnet", [path, .. arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(path)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS" }) info.Environment.Remove(inherited);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        return info;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > KeptLines) _output.TryDequeue(out _);
    }

    private async Task WaitForHealthAsync(TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The app exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await http.GetAsync(new Uri("/api/health", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            if (clock.Elapsed > within) throw new TimeoutException($"/api/health did not answer 200 within {within.TotalSeconds:0} s:\n{Output}");
            await Task.Delay(100);
        }
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(wait.Token); } catch (OperationCanceledException) { }
        }
        _process.Dispose();
    }
}
