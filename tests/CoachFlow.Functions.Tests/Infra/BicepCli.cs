using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CoachFlow.Testing;

namespace CoachFlow.Functions.Tests.Infra;

/// <summary>
/// The Bicep CLI infra/check.sh uses: the Azure.Bicep.CommandLine.linux-x64 package in the NuGet cache, at the version
/// infra/tools/BicepCli.csproj downloads, restored from that project (as check.sh does) when the cache lacks it.
/// </summary>
internal static partial class BicepCli
{
    private static readonly SemaphoreSlim Restore = new(1, 1);

    /// <summary>
    /// Compiles <paramref name="parametersFile"/> (a .bicepparam under infra/) with <paramref name="environment"/> as the
    /// variables its <c>readEnvironmentVariable</c> calls read, into the ARM template and its parameter values.
    /// </summary>
    public static async Task<(JsonObject Template, IReadOnlyDictionary<string, object?> Parameters)> BuildParamsAsync(
        string parametersFile, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(await PathAsync(), ["build-params", parametersFile, "--stdout"])
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Only the variables given: none of the caller's own SENDGRID_* or COACHFLOW_* values reach the parameters.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("SENDGRID_", StringComparison.Ordinal) || k.StartsWith("COACHFLOW_", StringComparison.Ordinal) || k == "AZURE_ENV_NAME").ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var (exit, stdout, stderr) = await RunAsync(start);
        if (exit != 0) throw new InvalidOperationException($"bicep build-params {parametersFile} exited {exit}: {stderr}");
        var output = JsonNode.Parse(stdout)!.AsObject();
        var template = JsonNode.Parse((string)output["templateJson"]!)!.AsObject();
        var parameters = JsonNode.Parse((string)output["parametersJson"]!)!["parameters"]!.AsObject();
        // Parameter files hold literal values only: no expression to evaluate.
        var evaluator = new ArmTemplate(new JsonObject(), new Dictionary<string, object?>(), new ArmDeployment());
        return (template, parameters.ToDictionary(p => p.Key, p => evaluator.Evaluate(p.Value!["value"]), StringComparer.OrdinalIgnoreCase));
    }

    private static async Task<string> PathAsync()
    {
        var project = Path.Combine(Repository.Root, "infra", "tools", "BicepCli.csproj");
        var version = VersionPattern().Match(await File.ReadAllTextAsync(project)).Groups[1].Value;
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var bicep = Path.Combine(packages, "azure.bicep.commandline.linux-x64", version, "tools", "bicep");
        await Restore.WaitAsync();
        try
        {
            if (!File.Exists(bicep))
            {
                // A copy outside the repository, so the repository's Directory.Build.props and central versions stay out of it.
                var work = Directory.CreateTempSubdirectory("coachflow-bicep-");
                try
                {
                    File.Copy(project, Path.Combine(work.FullName, "BicepCli.csproj"));
                    var restore = new ProcessStartInfo("dotnet", ["restore", Path.Combine(work.FullName, "BicepCli.csproj"), "--nologo", "-v", "quiet"])
                    {
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                    };
                    // The repository's NuGet sources where it has a nuget.config, as check.sh uses them.
                    if (new[] { "nuget.config", "NuGet.config", "NuGet.Config" }.Select(n => Path.Combine(Repository.Root, n)).FirstOrDefault(File.Exists) is { } config)
                    {
                        restore.ArgumentList.Add("--configfile");
                        restore.ArgumentList.Add(config);
                    }
                    var (exit, stdout, stderr) = await RunAsync(restore);
                    if (exit != 0) throw new InvalidOperationException($"Restoring the Bicep CLI ({project}) failed: {stdout}{stderr}");
                }
                finally
                {
                    work.Delete(recursive: true);
                }
            }
            if (!File.Exists(bicep)) throw new InvalidOperationException($"No Bicep CLI at {bicep} after restoring {project}.");
            if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(bicep).HasFlag(UnixFileMode.UserExecute))
                File.SetUnixFileMode(bicep, File.GetUnixFileMode(bicep) | UnixFileMode.UserExecute);
            return bicep;
        }
        finally
        {
            Restore.Release();
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)); // a cold NuGet restore on a loaded machine
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex("""Include="Azure\.Bicep\.CommandLine\.linux-x64"\s+Version="\[?([0-9.]+)\]?""")]
    private static partial Regex VersionPattern();
}
