using System.Collections.Concurrent;
using Azure.Data.Tables;
using CoachFlow.LocalHost;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Runtime;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CoachFlow.Engine.Harness;

/// <summary>
/// What the effect handler ran, kept in a real table (<c>{prefix}effects</c>) so a test reads what happened
/// across host restarts; kinds listed in <see cref="FailingKinds"/> fail until told otherwise.
/// </summary>
public sealed class TableEffects(TableClient table) : IEngagementEffects
{
    public ConcurrentDictionary<string, int> FailingKinds { get; } = new();

    public TableClient Table => table;

    /// <summary>Raised once an effect is recorded: the engagement and the kind (<c>email:contract-invitation</c>), for benchmarks that wait on thousands.</summary>
    public event Action<string, string>? Ran;

    public async Task RunAsync(EffectContext context, WorkflowEffect effect, CancellationToken cancellationToken)
    {
        var (kind, reference) = effect switch
        {
            SendEmail e => ($"email:{e.Kind}", e.Ref ?? ""),
            WriteDocument d => ("document", d.Name),
            NotifyCoach n => ($"notify:{n.Kind}", n.Ref ?? ""),
            _ => (effect.GetType().Name, ""),
        };
        if (FailingKinds.TryGetValue(kind, out var left) && left != 0)
        {
            FailingKinds[kind] = left - 1;
            throw new IOException($"The {kind} transport is down.");
        }
        await table.AddEntityAsync(new TableEntity(context.EngagementId, $"{DateTime.UtcNow.Ticks:D20}-{Guid.NewGuid():N}")
        {
            ["EffectId"] = context.EffectId, ["Kind"] = kind, ["Ref"] = reference,
        }, cancellationToken);
        Ran?.Invoke(context.EngagementId, kind);
    }

    /// <summary>Every effect run for an engagement, in the order it ran: <c>kind/ref</c>.</summary>
    public async Task<List<(string EffectId, string What)>> ForAsync(string engagementId)
    {
        var rows = new List<(string, string)>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {engagementId}")))
            rows.Add((row.GetString("EffectId"), $"{row.GetString("Kind")}/{row.GetString("Ref")}"));
        return rows;
    }

    /// <summary>
    /// Every effect run for an engagement once <paramref name="done"/> holds for them, or as they are after
    /// <paramref name="within"/>. A step is recorded before its effects run, so a state read back can be ahead of them.
    /// </summary>
    public async Task<List<(string EffectId, string What)>> UntilAsync(string engagementId, Func<List<string>, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var rows = await ForAsync(engagementId);
            if (done(rows.ConvertAll(r => r.What)) || DateTime.UtcNow > deadline) return rows;
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// The local host's engine in this process: the sidecar on the Azure Storage provider over Azurite, the worker
/// running every engagement task, the client, the read model, and <see cref="TableEffects"/> as the effects.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly DurableTaskSidecar _sidecar;
    private readonly IHost _host;

    private EngineHost(DurableTaskSidecar sidecar, IHost host, string name)
    {
        _sidecar = sidecar;
        _host = host;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Episodes and storage requests of this host's engine.</summary>
    public EngineCounters Counters { get; private init; } = new();
    public EngagementEngine Engine => _host.Services.GetRequiredService<EngagementEngine>();
    public EngagementStore Store => Engine.Store;
    public DurableTaskClient Client => _host.Services.GetRequiredService<DurableTaskClient>();
    public EngagementSweep Sweep => _host.Services.GetRequiredService<EngagementSweep>();
    public EngagementRepair Repair => _host.Services.GetRequiredService<EngagementRepair>();
    public TableEffects Effects => (TableEffects)_host.Services.GetRequiredService<IEngagementEffects>();

    public static async Task<EngineHost> StartAsync(string connectionString, string name, ProgramCatalog? programs = null, EngineSettings? settings = null,
        TimeSpan? leaseInterval = null, Action<Microsoft.DurableTask.DurableTaskRegistry>? moreTasks = null, int partitions = 2,
        TimeSpan? maxPollingInterval = null, string version = EngineVersion.Current,
        Action<DurableTask.Core.TaskOrchestrationWorkItem, DurableTask.Core.OrchestrationRuntimeState>? episodeStored = null,
        Azure.Core.Pipeline.HttpPipelinePolicy? tablePolicy = null, EngineSweepOptions? sweep = null, IEngagementNotices? notices = null)
    {
        var log = Environment.GetEnvironmentVariable("COACHFLOW_TEST_LOG");
        var sidecarLogs = LoggerFactory.Create(b => { if (log is { Length: > 0 }) b.AddProvider(new FileLoggerProvider(log)).SetMinimumLevel(LogLevel.Information); });
        var options = new LocalEngineOptions
        {
            ConnectionString = connectionString, TaskHub = name, PartitionCount = partitions, MaxQueuePollingInterval = maxPollingInterval ?? TimeSpan.FromMilliseconds(500),
            LeaseInterval = leaseInterval ?? TimeSpan.FromSeconds(30),
            MessageVisibilityTimeout = leaseInterval ?? TimeSpan.FromSeconds(30),
            EpisodeStored = episodeStored,
        };
        var sidecar = await DurableTaskSidecar.StartAsync(options, sidecarLogs);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        if (log is { Length: > 0 })
            builder.Logging.AddProvider(new FileLoggerProvider(log)).SetMinimumLevel(LogLevel.Information);
        if (notices is not null) builder.Services.AddSingleton(notices); // before the engine's default, which tells nobody
        if (sweep is not null) builder.Services.Configure<EngineSweepOptions>(o => (o.Interval, o.MinAge) = (sweep.Interval, sweep.MinAge));
        builder.Services.AddEngagementEngine(sidecar.Address, connectionString, name, programs,
            settings ?? new EngineSettings(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), counters: options.Counters, moreTasks: moreTasks, version: version,
            tablePolicy: tablePolicy);
        var tables = new TableServiceClient(connectionString);
        var effects = tables.GetTableClient($"{name}effects");
        await effects.CreateIfNotExistsAsync();
        builder.Services.AddSingleton<IEngagementEffects>(new TableEffects(effects));
        builder.Services.AddSingleton<IEngagementOutbox>(NoEngagementOutbox.Instance); // no webhooks here
        var host = builder.Build();
        await host.Services.GetRequiredService<EngagementStore>().EnsureCreatedAsync();
        await host.StartAsync();
        return new EngineHost(sidecar, host, name) { Counters = options.Counters };
    }

    /// <summary>Polls the read model until <paramref name="condition"/> holds, or fails after <paramref name="within"/>.</summary>
    public async Task<EngagementSnapshot> UntilAsync(string engagementId, Func<EngagementSnapshot, bool> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        EngagementSnapshot? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await Store.GetAsync(engagementId, CancellationToken.None);
            if (last is not null && condition(last)) return last;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Engagement {engagementId} did not reach '{what}' within {within.TotalSeconds:0} s; it is at version {last?.Version}, phase {last?.State?.Phase}.");
    }

    /// <summary>Polls the firm's index (written just after the state row) until it lists the engagement as <paramref name="listed"/> says.</summary>
    public async Task UntilIndexAsync(string engagementId, bool listed, TimeSpan within, string what,
        string firmId = "firm-1", string? coachId = null, string? status = null, string? flag = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            var page = await Store.ListAsync(firmId, new IndexFilter(CoachId: coachId, Status: status, Flag: flag), 1000, null, CancellationToken.None);
            if (page.Items.Any(i => i.EngagementId == engagementId) == listed) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"The index did not {(listed ? "list" : "drop")} engagement {engagementId} for '{what}' within {within.TotalSeconds:0} s.");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(5));
        _host.Dispose();
        await _sidecar.DisposeAsync();
    }
}
