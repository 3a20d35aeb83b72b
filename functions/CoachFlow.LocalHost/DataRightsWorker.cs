using CoachFlow.Web.DataRights;

namespace CoachFlow.LocalHost;

/// <summary>
/// The local host's side of erasure and retention: every <see cref="DataRightsOptions.SweepInterval"/> it runs the
/// <see cref="RetentionSweep"/> (what the Functions app's timer trigger does in Azure): erasures that stopped half-way are
/// finished, and engagements past their firm's retention are erased.
/// </summary>
internal sealed partial class DataRightsWorker(RetentionSweep sweep, DataRightsOptions options, ILogger<DataRightsWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval);
        do
        {
            try
            {
                var result = await sweep.RunAsync(stoppingToken);
                if (result.Resumed + result.Erased + result.Failed > 0) LogSwept(logger, result.Resumed, result.Erased, result.Failed);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogSweepFailed(logger, ex.GetType().Name); // storage or the engine not reachable: the next tick tries again
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Data-rights sweep: {Resumed} erasures finished, {Erased} engagements past retention erased, {Failed} left for the next sweep")]
    private static partial void LogSwept(ILogger logger, int resumed, int erased, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The data-rights sweep failed ({ErrorType}); it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, string errorType);
}
