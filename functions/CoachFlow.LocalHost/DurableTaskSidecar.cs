using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

namespace CoachFlow.LocalHost;

/// <summary>How the local engine stores and polls (the settings Durable Functions takes from host.json in Azure).</summary>
public sealed class LocalEngineOptions
{
    public const string Section = "CoachFlow:Engine";

    /// <summary>The storage account (Azurite locally).</summary>
    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>The task hub: the tables, queues and containers of one engine (letters and digits, 3–45).</summary>
    public string TaskHub { get; set; } = "coachflow";

    /// <summary>Control-queue partitions; few on a small machine, each is polled.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>The longest pause between polls of an idle queue: what bounds the latency of a client's action at idle.</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Keeps orchestrations in memory between episodes instead of replaying their history each time.</summary>
    public bool ExtendedSessions { get; set; } = true;

    /// <summary>How long a killed process keeps its control-queue partitions before another takes them over.</summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a message taken by a process that then dies stays hidden before another process takes it (work
    /// in progress is renewed, so this only bounds recovery after a crash). The provider's default is five minutes.
    /// </summary>
    public TimeSpan MessageVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Work items run at once in this process.</summary>
    public int Concurrency { get; set; } = 100;

    /// <summary>Counts episodes and storage requests (the benchmark reads it).</summary>
    public EngineCounters Counters { get; } = new();

    /// <summary>
    /// Told of every episode once the provider has stored it: the work item (with the messages the episode took) and
    /// the history it stored. The history replay tests record whole engagements with it (see <c>docs/architecture.md</c>).
    /// </summary>
    public Action<TaskOrchestrationWorkItem, OrchestrationRuntimeState>? EpisodeStored { get; set; }
}

/// <summary>
/// The Durable Task sidecar the local host's worker and client talk to: <c>TaskHubGrpcServer</c> over the Durable
/// Task Framework's Azure Storage provider, served on a loopback HTTP/2 port of its own. In Azure the Functions
/// host plays this part; everything else (worker, client, orchestrators, activities) is the same.
/// </summary>
public sealed class DurableTaskSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SidecarBackend _service;

    private DurableTaskSidecar(WebApplication app, SidecarBackend service, Uri address)
    {
        _app = app;
        _service = service;
        Address = address;
    }

    /// <summary>Where the worker and client connect (gRPC over h2c on 127.0.0.1).</summary>
    public Uri Address { get; }

    public static async Task<DurableTaskSidecar> StartAsync(LocalEngineOptions options, ILoggerFactory? loggerFactory = null, CancellationToken ct = default)
    {
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(
                StorageServiceClientProvider.ForBlob(options.ConnectionString, Counted(new Azure.Storage.Blobs.BlobClientOptions(), options.Counters)),
                StorageServiceClientProvider.ForQueue(options.ConnectionString, Counted(new Azure.Storage.Queues.QueueClientOptions(), options.Counters)),
                StorageServiceClientProvider.ForTable(options.ConnectionString, Counted(new Azure.Data.Tables.TableClientOptions(), options.Counters))),
            TaskHubName = options.TaskHub,
            PartitionCount = options.PartitionCount,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            ExtendedSessionsEnabled = options.ExtendedSessions,
            LeaseInterval = options.LeaseInterval,
            ControlQueueVisibilityTimeout = options.MessageVisibilityTimeout,
            WorkItemQueueVisibilityTimeout = options.MessageVisibilityTimeout,
            MaxConcurrentTaskOrchestrationWorkItems = options.Concurrency,
            MaxConcurrentTaskActivityWorkItems = options.Concurrency,
            LoggerFactory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
        });
        await service.CreateIfNotExistsAsync();

        var port = FreeLoopbackPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (loggerFactory is not null) builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var repaired = new SidecarBackend(service, options.Counters, loggerFactory?.CreateLogger<SidecarBackend>(), options.EpisodeStored);
        builder.Services.AddSingleton<IOrchestrationService>(repaired);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(repaired);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        builder.Services.AddOptions<TaskHubGrpcServerOptions>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(ct);
        return new DurableTaskSidecar(app, repaired, new Uri($"http://127.0.0.1:{port}"));
    }

    private static T Counted<T>(T clientOptions, EngineCounters counters) where T : Azure.Core.ClientOptions
    {
        clientOptions.AddPolicy(counters.StoragePolicy, Azure.Core.HttpPipelinePosition.PerRetry);
        return clientOptions;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(TimeSpan.FromSeconds(5));
            await _service.StopAsync(isForced: true);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}
