using Azure.Storage.Queues;

namespace CoachFlow.LocalHost;

/// <summary>
/// The local host's stand-in for a Functions queue trigger: polls a queue and hands each message to
/// <see cref="HandleAsync"/>, up to <see cref="MaxConcurrency"/> at once (a new one is taken as soon as one is done, so a
/// slow message holds up no other), deleting it once handled. While a message is handled its lease is renewed every half
/// <see cref="Lease"/>, as the Functions queue trigger keeps a running message hidden, so a slow handler on a busy machine
/// is never joined by a second copy of itself. A message taken by a process that dies, or whose handling throws,
/// reappears after <see cref="Lease"/> and is handled again, so handlers must be idempotent.
/// </summary>
internal abstract partial class QueuePollingWorker(ILogger logger) : BackgroundService
{
    /// <summary>The queue to poll.</summary>
    protected abstract QueueClient Queue { get; }

    /// <summary>How long a message taken stays hidden from other workers.</summary>
    protected abstract TimeSpan Lease { get; }

    /// <summary>How long to wait after finding the queue empty.</summary>
    protected abstract TimeSpan PollInterval { get; }

    /// <summary>What one message is, for the logs ("cohort import batch").</summary>
    protected abstract string What { get; }

    /// <summary>Messages handled at once; the worker takes more as soon as one is done.</summary>
    protected virtual int MaxConcurrency => 4;

    /// <summary>Creates what the queue and the handler need (idempotent), before the first poll.</summary>
    protected abstract Task EnsureCreatedAsync(CancellationToken ct);

    protected abstract Task HandleAsync(string message, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await EnsureCreatedAsync(stoppingToken);
        using var slots = new SemaphoreSlim(MaxConcurrency, MaxConcurrency);
        var running = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var free = 1;
                while (free < Math.Min(MaxConcurrency, 32) && slots.Wait(0, CancellationToken.None)) free++;
                Azure.Storage.Queues.Models.QueueMessage[] messages;
                try
                {
                    messages = (await Queue.ReceiveMessagesAsync(maxMessages: free, visibilityTimeout: Lease, cancellationToken: stoppingToken)).Value;
                }
                catch (Azure.RequestFailedException ex)
                {
                    slots.Release(free);
                    LogPollFailed(logger, What, ex.Status);
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                    continue;
                }
                if (messages.Length < free) slots.Release(free - messages.Length);
                running.RemoveAll(t => t.IsCompleted);
                running.AddRange(messages.Select(message => Task.Run(async () =>
                {
                    using var handled = new CancellationTokenSource();
                    var lease = new MessageLease(message.MessageId, message.PopReceipt);
                    var renewing = RenewWhileHandledAsync(lease, handled.Token);
                    try
                    {
                        await HandleAsync(message.Body.ToString(), stoppingToken);
                        await handled.CancelAsync();
                        await renewing;
                        await Queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogMessageFailed(logger, What, message.DequeueCount, ex.GetType().Name); // the message reappears after the lease and runs again
                    }
                    finally
                    {
                        await handled.CancelAsync();
                        await renewing;
                        slots.Release();
                    }
                }, CancellationToken.None)));
                if (messages.Length == 0) await Task.Delay(PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        try
        {
            await Task.WhenAll(running); // let what is under way see the stop, before the slots go
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The message being handled and its latest pop receipt (each renewal hands out a new one).</summary>
    private sealed class MessageLease(string messageId, string popReceipt)
    {
        public string MessageId { get; } = messageId;
        public string PopReceipt { get; set; } = popReceipt;
    }

    /// <summary>Keeps <paramref name="lease"/>'s message hidden until <paramref name="handled"/> is cancelled; a renewal refused (the lease was lost) ends it.</summary>
    private async Task RenewWhileHandledAsync(MessageLease lease, CancellationToken handled)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Lease / 2, handled);
                var renewed = await Queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, visibilityTimeout: Lease, cancellationToken: handled);
                lease.PopReceipt = renewed.Value.PopReceipt;
            }
        }
        catch (OperationCanceledException) when (handled.IsCancellationRequested)
        {
        }
        catch (Azure.RequestFailedException ex)
        {
            LogRenewFailed(logger, What, ex.Status); // the message may run again after its lease; handlers are idempotent
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lease of a {What} failed ({Status}); it may run again")]
    private static partial void LogRenewFailed(ILogger logger, string what, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {What} failed (delivery {DequeueCount}, {ErrorType}); it runs again after its lease")]
    private static partial void LogMessageFailed(ILogger logger, string what, long dequeueCount, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the {What} queue failed ({Status})")]
    private static partial void LogPollFailed(ILogger logger, string what, int status);
}
