using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace CoachFlow.Web.Tests;

/// <summary>Where things are: the repository, the built Functions app, free ports.</summary>
public static class Repository
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CoachFlow.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Run the tests from inside the CoachFlow repository.");
        }
    }

    /// <summary>The Functions app as the build of this configuration produced it (the project reference builds it first).</summary>
    public static string AppDll
    {
        get
        {
            var path = Path.Combine(Root, "functions", "CoachFlow.LocalHost", "bin", Metadata("Configuration"), Metadata("TargetFramework"), "CoachFlow.LocalHost.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("The Functions app is not built.", path);
        }
    }

    /// <summary>The command line (<c>./coachflow admin|cohort|export|webhooks</c>) as the build of this configuration produced it.</summary>
    public static string CliDll
    {
        get
        {
            var path = Path.Combine(Root, "cli", "CoachFlow.Cli", "bin", Metadata("Configuration"), Metadata("TargetFramework"), "CoachFlow.Cli.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("The command line is not built.", path);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A storage prefix no other test uses (letters and digits, starting with a letter).</summary>
    public static string UniquePrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"No {key} metadata.");
}
