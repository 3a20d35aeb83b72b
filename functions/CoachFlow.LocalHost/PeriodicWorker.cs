namespace CoachFlow.LocalHost;

/// <summary>
/// A sweep the local host runs at once and then every <c>interval</c> (what a Functions timer trigger does in Azure). A sweep
/// that fails (storage or the engine not reachable) is logged by the kind of failure and runs again at the next interval.
/// </summary>
internal abstract partial class PeriodicWorker(TimeSpan interval, ILogger logger) : BackgroundService
{
    /// <summary>What the log line calls it ("The {Name} failed …").</summary>
    protected abstract string Name { get; }

    protected abstract Task SweepAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogSweepFailed(logger, Name, ex.GetType().Name);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Name} failed ({ErrorType}); it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, string name, string errorType);
}
