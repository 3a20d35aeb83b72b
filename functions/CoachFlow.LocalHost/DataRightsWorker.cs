using CoachFlow.Web.DataRights;

namespace CoachFlow.LocalHost;

/// <summary>
/// The local host's side of erasure and retention: every <see cref="DataRightsOptions.SweepInterval"/> it runs the
/// <see cref="RetentionSweep"/> (what the Functions app's timer trigger does in Azure): erasures that stopped half-way are
/// finished, and engagements past their firm's retention are erased.
/// </summary>
internal sealed partial class DataRightsWorker(RetentionSweep sweep, DataRightsOptions options, ILogger<DataRightsWorker> logger)
    : PeriodicWorker(options.SweepInterval, logger)
{
    protected override string Name => "data-rights sweep";

    protected override async Task SweepAsync(CancellationToken ct)
    {
        var result = await sweep.RunAsync(ct);
        if (result.Resumed + result.Erased + result.Failed > 0) LogSwept(logger, result.Resumed, result.Erased, result.Failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Data-rights sweep: {Resumed} erasures finished, {Erased} engagements past retention erased, {Failed} left for the next sweep")]
    private static partial void LogSwept(ILogger logger, int resumed, int erased, int failed);
}
