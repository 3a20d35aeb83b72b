using System.Text.Json;
using CoachFlow.Functions.Hosting;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Runtime;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CoachFlow.Functions.Tests;

/// <summary>What the Functions host reads from host.json, and what the worker's services give the engine and the activities.</summary>
public sealed class AppConfigurationTests
{
    private static JsonElement HostJson() => JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsApp.BuildOutput, "host.json"))).RootElement;

    [Fact]
    public void GivenHostJson_WhenItIsRead_ThenItKeepsTheApiRoutesAndRunsTheEngineVersionOnAzureStorage()
    {
        var host = HostJson();
        Assert.Equal("2.0", host.GetProperty("version").GetString());
        var extensions = host.GetProperty("extensions");
        Assert.Equal("", extensions.GetProperty("http").GetProperty("routePrefix").GetString()); // api/… stays api/…, c/… stays c/…

        var durable = extensions.GetProperty("durableTask");
        Assert.Equal("%CoachFlowTaskHub%", durable.GetProperty("hubName").GetString());
        // New engagements record the version this build runs; a deployment runs that version and older ones, and leaves newer ones alone.
        Assert.Equal(EngineVersion.Current, durable.GetProperty("defaultVersion").GetString());
        Assert.Equal("CurrentOrOlder", durable.GetProperty("versionMatchStrategy").GetString());
        Assert.Equal("Reject", durable.GetProperty("versionFailureStrategy").GetString());
        Assert.True(durable.GetProperty("extendedSessionsEnabled").GetBoolean());

        var storage = durable.GetProperty("storageProvider");
        Assert.False(storage.TryGetProperty("type", out _)); // no type: the Azure Storage provider
        Assert.Equal(4, storage.GetProperty("partitionCount").GetInt32());
        Assert.True(TimeSpan.Parse(storage.GetProperty("maxQueuePollingInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture) <= TimeSpan.FromSeconds(30));

        // Orchestration inputs and outputs carry what clients typed: never in the logs.
        Assert.False(durable.GetProperty("tracing").GetProperty("traceInputsAndOutputs").GetBoolean());
        // An isolated worker brings its extensions in the package; a bundle would be a second, different copy.
        Assert.False(host.TryGetProperty("extensionBundle", out _));
        Assert.False(host.TryGetProperty("customHandler", out _));
    }

    [Fact]
    public void GivenAnInvocationsServices_WhenTheEngineAndEachActivityAreResolved_ThenEveryOneResolves()
    {
        using var app = FunctionsApp.Build();
        using var invocation = app.Services.CreateScope();

        Assert.NotNull(invocation.ServiceProvider.GetRequiredService<EngagementEngine>());
        Assert.Equal("EngagementEffects", invocation.ServiceProvider.GetRequiredService<IEngagementEffects>().GetType().Name); // CoachFlow.Web's emails and documents
        Assert.Same(app.Services.GetRequiredService<BoundDurableTaskClient>(), app.Services.GetRequiredService<DurableTaskClient>());
        var registry = app.Services.GetRequiredService<IOptions<DurableTaskRegistry>>().Value;
        foreach (var (name, create) in registry.GetActivities())
            Assert.Equal(name.Name, create(invocation.ServiceProvider).GetType().Name);
        foreach (var (name, create) in registry.GetOrchestrators())
            Assert.Equal(name.Name, create(invocation.ServiceProvider).GetType().Name);
    }

    [Fact]
    public async Task GivenNoTriggerHasRun_WhenTheEngineCallsTheHost_ThenItSaysWhereTheClientComesFrom()
    {
        var client = new BoundDurableTaskClient();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.RaiseEventAsync("engagement-1", Names.Events.Input, null));
        Assert.Contains("[DurableClient]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTheWorkersDataConverter_WhenAnEngagementIsWrittenAndRead_ThenItReadsBackAsItWasWritten()
    {
        // Orchestration inputs and outputs go through the Functions worker's serializer, not the Durable Task SDK's
        // default one the local host uses: an engagement signed and waiting must survive it unchanged.
        var rules = new EngagementWorkflow(ProgramCatalog.BuiltIn);
        var now = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        var state = rules.Initial("engagement-1");
        WorkflowInput[] inputs =
        [
            new StartEngagement("firm-1", "coach-ada", "client-sam", "Sam Rivera", "sam@example.test", BuiltInPrograms.Career6.Id,
                new EngagementTerms(60, 1800m, "EUR", "Half at signature", "24 hours' notice", null, "nothing", ["A new role"])),
            new SignContract(1, "Sam Rivera", true, "203.0.113.7", "Mozilla/5.0", new string('a', 64)),
        ];
        foreach (var input in inputs)
            state = rules.Decide(state, input, now).Events.Aggregate(state, rules.Evolve);
        Assert.NotEqual(EngagementPhase.New, state.Phase);
        var run = EngagementRun.New("engagement-1", EngineSettings.Default) with
        {
            State = state,
            Version = 3,
            Timers = [new TimerEntry("reminder-1", now.AddDays(2))],
            Deferred = [new PendingInput("key-1", EngagementCodec.Wrap(new ResendContract()), now)],
            SeenKeys = ["start:key-0"],
        };

        using var app = FunctionsApp.Build();
        var converter = app.Services.GetRequiredService<IOptions<DurableTaskWorkerOptions>>().Value.DataConverter;
        Assert.Equal("ObjectConverterShim", converter.GetType().Name); // the worker's ObjectSerializer, as in Azure
        var json = converter.Serialize(run)!;
        var back = converter.Deserialize<EngagementRun>(json)!;

        Assert.Equal(json, converter.Serialize(back));
        Assert.Equal(JsonSerializer.Serialize(run, EngagementCodec.Json), JsonSerializer.Serialize(back, EngagementCodec.Json));
    }
}
