using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using CoachFlow.Orchestrations;
using CoachFlow.Testing;

namespace CoachFlow.Functions.Tests;

/// <summary><c>functions/publish.sh</c> produces the package Azure Functions runs: the isolated worker, its functions and the host's Durable Functions extension.</summary>
public sealed class PublishTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coachflow-publish-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    [Fact]
    public async Task GivenThePublishedZip_WhenItIsOpened_ThenItIsADotnetIsolatedAppWithItsFunctionsAndTheDurableFunctionsExtension()
    {
        var stage = Path.Combine(_dir, "stage");
        var zip = Path.Combine(_dir, "coachflow-functions.zip");
        Assert.Equal(zip, await RunPublishAsync(stage, zip));

        using var archive = ZipFile.OpenRead(zip);
        var entries = archive.Entries.Select(e => e.FullName.Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);
        JsonElement Read(string name)
        {
            Assert.Contains(name, entries);
            using var stream = archive.GetEntry(name)!.Open();
            return JsonDocument.Parse(stream).RootElement.Clone();
        }

        // The host: host.json with the task hub, no custom handler, no extension bundle.
        var host = Read("host.json");
        Assert.Equal(EngineVersion.Current, host.GetProperty("extensions").GetProperty("durableTask").GetProperty("defaultVersion").GetString());
        Assert.False(host.TryGetProperty("customHandler", out _));
        Assert.False(host.TryGetProperty("extensionBundle", out _));

        // The worker: started as `dotnet CoachFlow.Functions.dll`, indexed by the worker itself.
        var worker = Read("worker.config.json").GetProperty("description");
        Assert.Equal("dotnet-isolated", worker.GetProperty("language").GetString());
        Assert.Equal("CoachFlow.Functions.dll", worker.GetProperty("defaultWorkerPath").GetString());
        Assert.Contains("CoachFlow.Functions.dll", entries);
        Assert.Contains("CoachFlow.Orchestrations.dll", entries);
        Assert.Contains("CoachFlow.Web.dll", entries);

        // The host's extensions: Durable Functions, loaded from .azurefunctions/.
        var extensions = Read("extensions.json").GetProperty("extensions").EnumerateArray().ToList();
        var durable = Assert.Single(extensions, e => e.GetProperty("name").GetString() == "DurableTask");
        var hintPath = durable.GetProperty("hintPath").GetString()!;
        if (hintPath.StartsWith("./", StringComparison.Ordinal)) hintPath = hintPath[2..];
        Assert.Contains(hintPath, entries);
        Assert.Contains("Microsoft.Azure.Functions.Worker.Extensions.DurableTask.dll", entries);

        // Nothing of the custom handler, nothing local.
        Assert.DoesNotContain(entries, e => e.EndsWith("function.json", StringComparison.Ordinal));
        Assert.DoesNotContain("local.settings.json", entries);

        // Nothing of the command line (cli/CoachFlow.Cli): neither it nor its parser and console libraries.
        Assert.DoesNotContain(entries, e => e.Contains("commandline", StringComparison.OrdinalIgnoreCase) || e.Contains("spectre", StringComparison.OrdinalIgnoreCase)
            || e.Contains("CoachFlow.Cli", StringComparison.OrdinalIgnoreCase));

        // The functions: the HTTP triggers are in functions.metadata; with the orchestrators and activities the
        // extension adds from the app's registry, that is what the worker declares to the host from this package.
        var metadata = Read("functions.metadata").EnumerateArray().ToList();
        Assert.NotEmpty(metadata);
        Assert.All(metadata, f => Assert.Equal("CoachFlow.Functions.dll", f.GetProperty("scriptFile").GetString()));
        using var app = FunctionsApp.Build();
        var declared = await FunctionsApp.DeclaredAsync(app, stage);
        // The queue triggers run cohort import batches and webhook deliveries; the timer trigger, the data-rights sweep.
        Assert.Equal(metadata.Count, declared.Count(f => f.Trigger is "httpTrigger" or "queueTrigger" or "timerTrigger"));
        Sets.AssertSame(Names.Orchestrators.All, declared.Where(f => f.Trigger == "orchestrationTrigger").Select(f => f.Name), "Names.Orchestrators", "the package");
        Sets.AssertSame(Names.Activities.All, declared.Where(f => f.Trigger == "activityTrigger").Select(f => f.Name), "Names.Activities", "the package");
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
