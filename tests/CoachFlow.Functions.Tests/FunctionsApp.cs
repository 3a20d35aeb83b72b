using System.Reflection;
using System.Text.Json;
using CoachFlow.Functions.Hosting;
using CoachFlow.Testing;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.Core;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CoachFlow.Functions.Tests;

/// <summary>A function as the worker declares it to the Functions host: its name, its trigger and, for HTTP, methods and route.</summary>
internal sealed record DeclaredFunction(string Name, string Trigger, IReadOnlyList<string> Methods, string? Route);

/// <summary>The Functions app composed as its worker process composes it (not started: there is no Functions host here).</summary>
internal static class FunctionsApp
{
    /// <summary>The app's build output (the project reference builds it first): functions.metadata, host.json, worker.config.json.</summary>
    public static string BuildOutput { get; } = Path.Combine(Repository.Root, "functions", "CoachFlow.Functions", "bin", Metadata("Configuration"), Metadata("TargetFramework"));

    /// <summary>The app in Development, where the local defaults are allowed; links are signed with a configured key, so nothing here needs storage.</summary>
    public static IHost Build(Action<IServiceCollection>? services = null) =>
        Build(Environments.Development, [new("CoachFlow__Links__SigningKey", "functions-tests-link-signing-key-0123456789")], services);

    /// <summary>
    /// The app in <paramref name="environment"/> with <paramref name="appSettings"/> as its app settings (as Azure hands
    /// them to the worker: environment variables, <c>__</c> for <c>:</c>), and <paramref name="observer"/>, when given, as
    /// the configuration source asked first for every key.
    /// </summary>
    public static IHost Build(string environment, IEnumerable<KeyValuePair<string, string>> appSettings, Action<IServiceCollection>? services = null, IConfigurationSource? observer = null)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Environment.EnvironmentName = environment;
        // What the worker does first, for its entry assembly: run the extensions' start-up code the SDK generated into
        // the app (here that is the Durable Functions extension's). The test host is the entry assembly here, so do it by hand.
        var startup = typeof(FunctionsHosting).Assembly.GetCustomAttribute<WorkerExtensionStartupCodeExecutorInfoAttribute>()
            ?? throw new InvalidOperationException("The Functions SDK generated no extension start-up code into CoachFlow.Functions.");
        ((WorkerExtensionStartup)Activator.CreateInstance(startup.StartupCodeExecutorType)!).Configure(builder);
        // What the Functions host hands the worker it starts (its gRPC endpoint and ids): the worker's services need them
        // to be made. Nothing listens there; no test here connects.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Functions:Worker:HostEndpoint"] = "http://127.0.0.1:9",
            ["Functions:Worker:WorkerId"] = "functions-tests",
            ["Functions:Worker:RequestId"] = "functions-tests",
            ["Functions:Worker:GrpcMaxMessageLength"] = "2147483647",
        });
        builder.Configuration.AddInMemoryCollection(appSettings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)));
        if (observer is not null) ((IConfigurationBuilder)builder.Configuration).Add(observer);
        builder.AddCoachFlowFunctions();
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>
    /// Every function the worker declares to the host when asked at start-up: the functions.metadata the SDK wrote into
    /// <paramref name="directory"/> (the build output by default), as the worker's metadata manager reads it and its
    /// transformers extend it (the Durable Functions extension adds one function per registered orchestrator and activity).
    /// </summary>
    public static async Task<IReadOnlyList<DeclaredFunction>> DeclaredAsync(IHost app, string? directory = null)
    {
        var metadata = await app.Services.GetRequiredService<IFunctionMetadataManager>().GetFunctionMetadataAsync(directory ?? BuildOutput);
        return [.. metadata.Select(Describe)];
    }

    private static DeclaredFunction Describe(IFunctionMetadata function)
    {
        foreach (var raw in function.RawBindings ?? [])
        {
            var binding = JsonDocument.Parse(raw).RootElement;
            var type = Property(binding, "type")?.GetString() ?? "";
            if (!type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)) continue;
            string[] methods = Property(binding, "methods") is { ValueKind: JsonValueKind.Array } m ? [.. m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant())] : [];
            return new DeclaredFunction(function.Name!, type, methods, Property(binding, "route")?.GetString());
        }
        throw new InvalidOperationException($"Function {function.Name} declares no trigger.");
    }

    /// <summary>Binding JSON as the SDK and the extensions write it (property names in any case).</summary>
    private static JsonElement? Property(JsonElement element, string name) =>
        element.EnumerateObject().Where(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault();

    private static string Metadata(string key) =>
        typeof(FunctionsApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"No {key} metadata.");
}
