using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CoachFlow.Web.Tests;

/// <summary><c>functions/publish.sh</c> produces the package Azure Functions deploys, and that package starts.</summary>
public sealed class PublishTests : IAsyncLifetime
{
    private static readonly string[] Functions = ["api", "pages", "openapi", "work", "timers"];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coachflow-publish-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (DirectoryNotFoundException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_published_package_has_the_functions_layout_and_its_app_answers_within_10_seconds()
    {
        var stage = Path.Combine(_dir, "stage");
        var zip = Path.Combine(_dir, "coachflow-functions.zip");
        var printed = await RunPublishAsync(stage, zip);
        Assert.Equal(zip, printed);

        // host.json at the root, one folder per function, the start command that host.json names.
        var hostJson = Path.Combine(stage, "host.json");
        Assert.True(File.Exists(hostJson), "host.json is not at the root");
        foreach (var function in Functions)
            Assert.True(File.Exists(Path.Combine(stage, function, "function.json")), $"{function}/function.json is missing");
        Assert.False(Directory.Exists(Path.Combine(stage, "functions")), "the source functions/ folder was published too");
        var handler = JsonDocument.Parse(await File.ReadAllTextAsync(hostJson)).RootElement.GetProperty("customHandler");
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        var description = handler.GetProperty("description");
        var executable = description.GetProperty("defaultExecutablePath").GetString()!;
        string[] arguments = [.. description.TryGetProperty("arguments", out var a) ? a.EnumerateArray().Select(x => x.GetString()!) : []];
        var command = ResolveCommand(stage, executable, arguments);

        // The zip holds the same tree, rooted where the host looks.
        using (var archive = ZipFile.OpenRead(zip))
        {
            var entries = archive.Entries.Select(e => e.FullName.Replace('\\', '/')).ToHashSet();
            Assert.Contains("host.json", entries);
            foreach (var function in Functions) Assert.Contains($"{function}/function.json", entries);
            if (executable != "dotnet")
            {
                var exe = archive.GetEntry(executable)!;
                Assert.NotNull(exe);
                Assert.True(((exe.ExternalAttributes >> 16) & 0b001_000_000) != 0, $"{executable} is not executable in the zip");
            }
        }

        // Started as the host starts it: the command from host.json, in the package folder, with the port set.
        await using var azurite = await Azurite.StartAsync();
        var started = Stopwatch.StartNew();
        await using var app = HandlerProcess.Start(command, arguments, stage, azurite.ConnectionString);
        using var response = await app.WaitForHealthAsync(TimeSpan.FromSeconds(10));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    /// <summary>The executable named in host.json: a file in the package (self-contained) or <c>dotnet</c> with the app's dll.</summary>
    private static string ResolveCommand(string stage, string executable, string[] arguments)
    {
        if (executable == "dotnet")
        {
            Assert.NotEmpty(arguments);
            Assert.True(File.Exists(Path.Combine(stage, arguments[0])), $"{arguments[0]} named in host.json is not in the package");
            return "dotnet";
        }
        var path = Path.Combine(stage, executable);
        Assert.True(File.Exists(path), $"{executable} named in host.json is not in the package");
        if (!OperatingSystem.IsWindows())
            Assert.True((File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0, $"{executable} is not executable");
        return path;
    }

    /// <summary>Runs the script from an unrelated working directory; returns what it printed (the zip path).</summary>
    private async Task<string> RunPublishAsync(string stage, string zip)
    {
        Directory.CreateDirectory(_dir);
        var info = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "functions", "publish.sh"), stage])
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["COACHFLOW_ZIP"] = zip;
        // No build servers left behind holding our pipes open; no settings leaking from the test host's own build.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["UseSharedCompilation"] = "false";
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) && k != "MSBUILDDISABLENODEREUSE").ToList())
            info.Environment.Remove(key);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"publish.sh did not finish in 3 minutes:\n{await stderr}");
        }
        Assert.True(process.ExitCode == 0, $"publish.sh exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        return (await stdout).Trim();
    }
}
