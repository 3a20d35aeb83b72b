namespace CoachFlow.Web.OutboundWebhooks;

/// <summary>Outbound webhooks (configuration section <c>CoachFlow:Webhooks</c>, environment <c>CoachFlow__Webhooks__…</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "CoachFlow:Webhooks";

    /// <summary>
    /// The waits between attempts of one delivery, comma-separated (<c>hh:mm:ss</c>): after the first failed attempt the
    /// first wait, and so on; after the last a delivery is <c>failed</c>. Default 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h:
    /// eight attempts over about 27.6 hours, so a delivery is retried for at least 24 hours.
    /// </summary>
    public string RetrySchedule { get; set; } = "00:00:05,00:05:00,00:30:00,02:00:00,05:00:00,10:00:00,10:00:00";

    /// <summary><see cref="RetrySchedule"/>, read.</summary>
    public IReadOnlyList<TimeSpan> Waits => _waits ??= ParseWaits(RetrySchedule);

    private IReadOnlyList<TimeSpan>? _waits;

    /// <summary>An endpoint whose every delivery failed for this long (no success in between) is disabled and the firm's admins are emailed.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>
    /// Deliver to (and register) loopback and private-network addresses, and plain http. Off by default; on in the
    /// Development environment, under <c>./coachflow run</c> and in tests.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long one delivery attempt may take, connection included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a worker holds a stream (one endpoint's deliveries of one engagement); it starts no attempt after half of
    /// it and hands the stream to a fresh wake-up instead, so at least twice <see cref="Timeout"/>. After a crash the stream waits this long.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a wake-up message taken by the local host's worker stays hidden; after a crash it is handled again this much later.</summary>
    public TimeSpan QueueLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the local host's worker looks at an empty queue.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a firm's endpoints are kept in memory for the fan-out (a step does not read the table each time): a change reaches other processes this much later.</summary>
    public TimeSpan EndpointCache { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most endpoints one firm registers.</summary>
    public const int MaxEndpointsPerFirm = 20;

    /// <summary>The longest endpoint URL.</summary>
    public const int MaxUrlLength = 2000;

    /// <summary>The longest description.</summary>
    public const int MaxDescriptionLength = 500;

    /// <summary>Attempts one delivery gets before it is <c>failed</c> (the first and one after each wait).</summary>
    public int MaxAttempts => Waits.Count + 1;

    /// <summary>Throws, naming the setting, when a value cannot work.</summary>
    public WebhookOptions Validated()
    {
        _ = Waits;
        if (DisableAfter <= TimeSpan.Zero) throw new InvalidOperationException("CoachFlow:Webhooks:DisableAfter must be longer than zero.");
        if (Timeout <= TimeSpan.Zero || Lease < 2 * Timeout)
            throw new InvalidOperationException("CoachFlow:Webhooks:Lease must be at least twice CoachFlow:Webhooks:Timeout, which must be longer than zero.");
        if (QueueLease <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero || EndpointCache < TimeSpan.Zero)
            throw new InvalidOperationException("CoachFlow:Webhooks:QueueLease and PollInterval must be longer than zero, EndpointCache zero or more.");
        return this;
    }

    private static TimeSpan[] ParseWaits(string text)
    {
        var waits = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => TimeSpan.TryParse(part, System.Globalization.CultureInfo.InvariantCulture, out var wait) && wait > TimeSpan.Zero && wait <= TimeSpan.FromDays(6)
                ? wait
                : throw new InvalidOperationException($"CoachFlow:Webhooks:RetrySchedule: '{part}' is not a wait such as 00:05:00 (more than zero, at most 6 days)."))
            .ToArray();
        return waits.Length is > 0 and <= 20 ? waits : throw new InvalidOperationException("CoachFlow:Webhooks:RetrySchedule holds 1 to 20 waits, comma-separated (e.g. 00:00:05,00:05:00).");
    }
}
