using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace CoachFlow.Runtime;

/// <summary>Counts every request the storage clients send (retries included), for benchmarks and telemetry.</summary>
public sealed class StorageRequestCounter
{
    private long _count;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _byKind = new(StringComparer.Ordinal);

    /// <summary>Requests sent so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Requests sent so far by kind: table_transaction, table, queue, blob.</summary>
    public IReadOnlyDictionary<string, long> ByKind => new Dictionary<string, long>(_byKind, StringComparer.Ordinal);

    /// <summary>The pipeline policy that counts one service's requests.</summary>
    internal HttpPipelinePolicy For(string service) => new Policy(this, service);

    private void Record(string service, HttpMessage message)
    {
        Interlocked.Increment(ref _count);
        var kind = service == "table" && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) ? "table_transaction" : service;
        _byKind.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    private sealed class Policy(StorageRequestCounter counter, string service) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            counter.Record(service, message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            counter.Record(service, message);
            return ProcessNextAsync(message, pipeline);
        }
    }
}

/// <summary>The tables, queues and containers of one CoachFlow environment.</summary>
public sealed class StorageAccount
{
    /// <summary>Creates the clients; call <see cref="EnsureCreatedAsync"/> once before use.</summary>
    public StorageAccount(RuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = options.Prefix.ToLowerInvariant();
        if (prefix.Length == 0 || !prefix.All(char.IsAsciiLetterOrDigit) || !char.IsAsciiLetter(prefix[0]))
            throw new ArgumentException("The storage prefix must start with a letter and hold only letters and digits.", nameof(options));

        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(Counter.For("table"), HttpPipelinePosition.PerRetry);
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        queueOptions.AddPolicy(Counter.For("queue"), HttpPipelinePosition.PerRetry);
        var blobOptions = new BlobClientOptions();
        blobOptions.AddPolicy(Counter.For("blob"), HttpPipelinePosition.PerRetry);

        TableServiceClient tables;
        QueueServiceClient queues;
        BlobServiceClient blobs;
        if (options.TableUri is not null && options.QueueUri is not null && options.BlobUri is not null)
        {
            TokenCredential credential = new DefaultAzureCredential();
            tables = new TableServiceClient(options.TableUri, credential, tableOptions);
            queues = new QueueServiceClient(options.QueueUri, credential, queueOptions);
            blobs = new BlobServiceClient(options.BlobUri, credential, blobOptions);
        }
        else
        {
            var cs = options.ConnectionString ?? throw new ArgumentException("Set a storage connection string or the three service URIs.", nameof(options));
            tables = new TableServiceClient(cs, tableOptions);
            queues = new QueueServiceClient(cs, queueOptions);
            blobs = new BlobServiceClient(cs, blobOptions);
        }

        Instances = tables.GetTableClient($"{prefix}instances");
        Index = tables.GetTableClient($"{prefix}index");
        Timers = tables.GetTableClient($"{prefix}timers");
        Work = queues.GetQueueClient($"{prefix}-work");
        Poison = queues.GetQueueClient($"{prefix}-work-poison");
        Documents = blobs.GetBlobContainerClient($"{prefix}-documents");
        Tables = tables;
    }

    /// <summary>Counts every storage request.</summary>
    public StorageRequestCounter Counter { get; } = new();

    /// <summary>The table service (for extra tables the host keeps).</summary>
    public TableServiceClient Tables { get; }

    /// <summary>One partition per instance: state, events, inputs seen, pending inputs, timers, outbox.</summary>
    public TableClient Instances { get; }

    /// <summary>One partition per firm, one row per instance: what listing and filtering read.</summary>
    public TableClient Index { get; }

    /// <summary>Due timers and effect retries, partitioned by due minute.</summary>
    public TableClient Timers { get; }

    /// <summary>Guard windows and asynchronous inputs.</summary>
    public QueueClient Work { get; }

    /// <summary>Messages that failed too often or could not be read.</summary>
    public QueueClient Poison { get; }

    /// <summary>Large payloads and documents, under one prefix per instance.</summary>
    public BlobContainerClient Documents { get; }

    /// <summary>Creates what is missing (idempotent).</summary>
    public async Task EnsureCreatedAsync(CancellationToken ct = default)
    {
        await Task.WhenAll(
            Instances.CreateIfNotExistsAsync(ct),
            Index.CreateIfNotExistsAsync(ct),
            Timers.CreateIfNotExistsAsync(ct),
            Work.CreateIfNotExistsAsync(cancellationToken: ct),
            Poison.CreateIfNotExistsAsync(cancellationToken: ct),
            Documents.CreateIfNotExistsAsync(cancellationToken: ct));
    }
}
