using CoachFlow.Web.Cohorts;

namespace CoachFlow.LocalHost;

/// <summary>
/// The local host's side of cohort import: polls <c>{prefix}cohort-imports</c> and hands each batch to
/// <see cref="CohortImporter"/> (what the Functions app's queue trigger does in Azure), deleting the message once the
/// batch returns. A message taken by a process that dies reappears after <see cref="CohortImportOptions.Lease"/> and
/// the batch runs again, harmlessly.
/// </summary>
internal sealed partial class CohortImportWorker(CohortStore store, CohortImporter importer, CohortImportOptions options, ILogger<CohortImportWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await store.EnsureCreatedAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var messages = (await store.Queue.ReceiveMessagesAsync(maxMessages: 4, visibilityTimeout: options.Lease, cancellationToken: stoppingToken)).Value;
                if (messages.Length == 0)
                {
                    await Task.Delay(options.PollInterval, stoppingToken);
                    continue;
                }
                await Task.WhenAll(messages.Select(async message =>
                {
                    try
                    {
                        await importer.HandleAsync(message.Body.ToString(), stoppingToken);
                        await store.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogBatchFailed(logger, message.DequeueCount, ex.GetType().Name); // the message reappears after the lease and runs again
                    }
                }));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Azure.RequestFailedException ex)
            {
                LogPollFailed(logger, ex.Status);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A cohort import batch failed (delivery {DequeueCount}, {ErrorType}); it runs again after its lease")]
    private static partial void LogBatchFailed(ILogger logger, long dequeueCount, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the cohort import queue failed ({Status})")]
    private static partial void LogPollFailed(ILogger logger, int status);
}
