using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace CoachFlow.Web.Hosting;

/// <summary>Where CoachFlow keeps its data (configuration section <c>CoachFlow:Storage</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section the host binds.</summary>
    public const string Section = "CoachFlow:Storage";

    /// <summary>Storage connection string (Azurite locally). Ignored when the service URIs are set.</summary>
    public string? ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>Table service URI for identity-based access (Azure).</summary>
    public Uri? TableUri { get; set; }

    /// <summary>Blob service URI for identity-based access (Azure).</summary>
    public Uri? BlobUri { get; set; }

    /// <summary>Queue service URI for identity-based access (Azure): cohort import batches (<c>{prefix}cohort-imports</c>).</summary>
    public Uri? QueueUri { get; set; }

    /// <summary>
    /// Prefix of every table and container name, and the Durable Task hub's name (letters and digits), so
    /// environments can share an account.
    /// </summary>
    public string Prefix { get; set; } = "coachflow";

    /// <summary>The prefix, checked and lower-cased.</summary>
    public string CheckedPrefix
    {
        get
        {
            var prefix = Prefix.ToLowerInvariant();
            if (prefix.Length == 0 || !prefix.All(char.IsAsciiLetterOrDigit) || !char.IsAsciiLetter(prefix[0]))
                throw new InvalidOperationException("CoachFlow:Storage:Prefix must start with a letter and hold only letters and digits.");
            return prefix;
        }
    }
}

/// <summary>The tables and the documents container the host keeps beside the engine's read model.</summary>
public sealed class StorageAccount
{
    public StorageAccount(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Prefix = options.CheckedPrefix;
        // Messages are Base64: what the Functions QueueTrigger reads.
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (options.TableUri is not null && options.BlobUri is not null)
        {
            TokenCredential credential = new DefaultAzureCredential();
            Tables = new TableServiceClient(options.TableUri, credential);
            Blobs = new BlobServiceClient(options.BlobUri, credential);
            _queues = options.QueueUri is { } queueUri ? new QueueServiceClient(queueUri, credential, queueOptions) : null;
        }
        else
        {
            var cs = options.ConnectionString ?? throw new InvalidOperationException("Set CoachFlow:Storage:ConnectionString or the table and blob service URIs.");
            Tables = new TableServiceClient(cs);
            Blobs = new BlobServiceClient(cs);
            _queues = new QueueServiceClient(cs, queueOptions);
        }
        Documents = Blobs.GetBlobContainerClient($"{Prefix}-documents");
    }

    /// <summary>Lower-case prefix of every table and container of this environment.</summary>
    public string Prefix { get; }

    /// <summary>The table service: tenancy, notifications, webhook events, and the engine's read model.</summary>
    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    private readonly QueueServiceClient? _queues;

    /// <summary>The queue service (cohort import batches), with the same credentials as tables and blobs.</summary>
    public QueueServiceClient Queues => _queues
        ?? throw new InvalidOperationException("Set CoachFlow:Storage:QueueUri beside the table and blob service URIs: cohort imports run on a queue.");

    /// <summary>Documents (under <c>instances/{id}/documents/</c>) and the data-protection keys.</summary>
    public BlobContainerClient Documents { get; }

    /// <summary>A table of this environment: <c>{prefix}{name}</c>.</summary>
    public TableClient Table(string name) => Tables.GetTableClient(Prefix + name);

    /// <summary>Creates what is missing (idempotent).</summary>
    public Task EnsureCreatedAsync(CancellationToken ct = default) => Documents.CreateIfNotExistsAsync(cancellationToken: ct);
}
