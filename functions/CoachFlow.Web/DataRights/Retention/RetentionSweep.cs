using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.DataRights;

/// <summary>How erasures are finished and retention is kept (<c>CoachFlow:DataRights</c>).</summary>
public sealed class DataRightsOptions
{
    public const string Section = "CoachFlow:DataRights";

    /// <summary>How often the local host sweeps (the Functions app's timer trigger has its own schedule, <c>CoachFlowDataRightsSchedule</c>).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a month of retention lasts; unset: calendar months. Only tests and demos shorten it.</summary>
    public TimeSpan? MonthLength { get; set; }

    /// <summary>A running erasure nobody has moved on for this long stopped half-way (its process died): the sweep finishes it.</summary>
    public TimeSpan ResumeAfter { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>What one sweep did.</summary>
public sealed record SweepResult(int Resumed, int Erased, int Failed);

/// <summary>
/// The periodic sweep: finishes erasures that stopped half-way, then, for every firm with a retention period, erases the
/// engagements that closed or ended longer ago than that (an erasure like any other, with the reason "retention").
/// </summary>
/// <remarks>
/// One engagement that cannot be erased now (storage failing) is logged and left for the next sweep; its erasure record,
/// if it got that far, is finished by <see cref="ErasureService.ResumeAsync"/>. The sweep reads each firm's index partition
/// once per status, never a scan of engagements.
/// </remarks>
public sealed partial class RetentionSweep(TenancyStore tenancy, EngagementStore store, ErasureService erasure, DataRightsOptions options,
    TimeProvider time, ILogger<RetentionSweep> logger)
{
    public async Task<SweepResult> RunAsync(CancellationToken ct)
    {
        var resumed = await erasure.ResumeAsync(ct);
        int erased = 0, failed = 0;
        var now = time.GetUtcNow();
        foreach (var firm in await tenancy.FirmsWithRetentionAsync(ct))
        {
            var cutoff = Cutoff(firm.RetentionMonths!.Value, now);
            var due = new List<IndexEntry>();
            foreach (var status in new[] { EngagementStatus.Completed, EngagementStatus.Ended })
                await foreach (var entry in store.ListAllAsync(firm.FirmId, new IndexFilter(Status: status), ct))
                    if ((entry.FinishedAt ?? entry.UpdatedAt) <= cutoff) due.Add(entry);
            foreach (var entry in due)
            {
                try
                {
                    await erasure.EraseEngagementAsync(ErasureService.System(firm, ErasureReasons.Retention), entry.EngagementId, ErasureReasons.Retention, ct);
                    erased++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failed++;
                    LogFailed(logger, firm.FirmId, entry.EngagementId, ex.GetType().Name);
                }
            }
            if (due.Count > 0) LogSwept(logger, firm.FirmId, firm.RetentionMonths.Value, due.Count);
        }
        return new SweepResult(resumed, erased, failed);
    }

    /// <summary>Engagements over at or before this moment are past the firm's retention.</summary>
    public DateTimeOffset Cutoff(int months, DateTimeOffset now) => options.MonthLength is { } month ? now - (month * months) : now.AddMonths(-months);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention of firm {FirmId} ({Months} months): {Count} engagements past it erased")]
    private static partial void LogSwept(ILogger logger, string firmId, int months, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention of firm {FirmId}: engagement {EngagementId} could not be erased now ({ErrorType}); the next sweep tries again")]
    private static partial void LogFailed(ILogger logger, string firmId, string engagementId, string errorType);
}
