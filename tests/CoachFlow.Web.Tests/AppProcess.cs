using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace CoachFlow.Web.Tests;

/// <summary>
/// The built local host as a child process on a free port, talked to over HTTP on 127.0.0.1, as
/// <c>./coachflow run</c> starts it.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    /// <summary>What the app printed so far, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static AppProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, string storageConnectionString, string? prefix = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = Repository.FreePort();
        var info = new ProcessStartInfo(fileName, [.. arguments, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS" }) info.Environment.Remove(inherited);
        info.Environment["CoachFlow__Storage__ConnectionString"] = storageConnectionString;
        info.Environment["CoachFlow__Storage__Prefix"] = prefix ?? Repository.UniquePrefix();
        info.Environment["CoachFlow__PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var handler = new AppProcess(process, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) handler._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) handler._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return handler;
    }


    /// <summary>Polls <c>GET /api/health</c> until it answers 200 or <paramref name="within"/> passes.</summary>
    public async Task<HttpResponseMessage> WaitForHealthAsync(TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The app exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var response = await Client.GetAsync("/api/health", attempt.Token);
                if (response.StatusCode == HttpStatusCode.OK) return response;
                response.Dispose();
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (deadline.Elapsed > within) throw new TimeoutException($"/api/health did not answer 200 within {within.TotalSeconds:0} s:\n{Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Asks the app to stop as Ctrl+C or a service manager does (SIGTERM) and waits up to <paramref name="within"/> for it
    /// to exit; true if it did.
    /// </summary>
    public async Task<bool> TerminateAsync(TimeSpan within)
    {
        if (!_process.HasExited && Kill(_process.Id, 15) != 0)
            throw new InvalidOperationException($"SIGTERM to {_process.Id} failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        using var wait = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(wait.Token); } catch (OperationCanceledException) { }
        }
        _process.Dispose();
    }
}
