namespace CoachFlow.Runtime;

/// <summary>How the durable runtime reaches storage and paces its background work.</summary>
public sealed class RuntimeOptions
{
    /// <summary>Storage connection string (Azurite locally). Ignored when the service URIs are set.</summary>
    public string? ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>Table service URI for identity-based access (Azure).</summary>
    public Uri? TableUri { get; set; }

    /// <summary>Queue service URI for identity-based access (Azure).</summary>
    public Uri? QueueUri { get; set; }

    /// <summary>Blob service URI for identity-based access (Azure).</summary>
    public Uri? BlobUri { get; set; }

    /// <summary>Prefix of every table, queue and container name (letters and digits), so environments can share an account.</summary>
    public string Prefix { get; set; } = "coachflow";

    /// <summary>Identifies this host process in guard messages and logs.</summary>
    public string HostId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// How long a guard message stays invisible. If the host that committed a step has not finished its
    /// effects by then (it crashed), any host picks the message up and finishes them.
    /// </summary>
    public TimeSpan GuardDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Guard windows open at once (each instance always uses the same one), so busy hosts protect steps in parallel.</summary>
    public int GuardLanes { get; set; } = 4;

    /// <summary>How long one guard window collects instances before a new one opens.</summary>
    public TimeSpan WindowLength { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts of an effect before it is parked for an operator.</summary>
    public int MaxEffectAttempts { get; set; } = 8;

    /// <summary>First retry delay of a failed effect; doubles each attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest delay between two attempts of an effect.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Longest pause between two polls of the work queue when it is idle.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Interval of the due-timer scan; timers set by this host fire on time regardless (it wakes itself).</summary>
    public TimeSpan TimerScanInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a received work message stays hidden while a host handles it.</summary>
    public TimeSpan WorkVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Messages dequeued this many times go to the poison queue.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Largest serialized input accepted, in bytes.</summary>
    public int MaxInputBytes { get; set; } = 256 * 1024;

    /// <summary>Most instances kept in this host's snapshot cache.</summary>
    public int CacheCapacity { get; set; } = 20_000;

    /// <summary>Test seam: called at named points of a step (e.g. to crash a process there). Null in production.</summary>
    public Action<string>? FaultInjector { get; set; }
}
