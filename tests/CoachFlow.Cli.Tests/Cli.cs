using System.Diagnostics;
using System.Reflection;
using CoachFlow.Testing;

namespace CoachFlow.Cli.Tests;

/// <summary>The built command line, run as <c>./coachflow</c> runs it: <c>dotnet CoachFlow.Cli.dll …</c>, its output not a terminal.</summary>
public static class Cli
{
    /// <summary>The command line as the build of this configuration produced it (the project reference builds it first).</summary>
    public static string Dll
    {
        get
        {
            var path = Path.Combine(Repository.Root, "cli", "CoachFlow.Cli", "bin", Metadata("Configuration"), Metadata("TargetFramework"), "CoachFlow.Cli.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("The command line is not built.", path);
        }
    }

    /// <summary>Runs <paramref name="args"/> with <paramref name="environment"/> (the storage settings) and returns its exit code and all it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Dll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', args)} did not finish in 120 s:\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, (await stdout + await stderr).Replace("\r", "", StringComparison.Ordinal));
    }

    /// <summary>A storage prefix no other test uses (letters and digits, starting with a letter).</summary>
    public static string UniquePrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    private static string Metadata(string key) =>
        typeof(Cli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"No {key} metadata.");
}
