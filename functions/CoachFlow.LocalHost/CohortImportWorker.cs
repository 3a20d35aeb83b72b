using Azure.Storage.Queues;
using CoachFlow.Web.Cohorts;

namespace CoachFlow.LocalHost;

/// <summary>
/// The local host's side of cohort import: polls <c>{prefix}cohort-imports</c> and hands each batch to
/// <see cref="CohortImporter"/> (what the Functions app's queue trigger does in Azure), deleting the message once the
/// batch returns. A message taken by a process that dies reappears after <see cref="CohortImportOptions.Lease"/> and
/// the batch runs again, harmlessly.
/// </summary>
internal sealed class CohortImportWorker(CohortStore store, CohortImporter importer, CohortImportOptions options, ILogger<CohortImportWorker> logger)
    : QueuePollingWorker(logger)
{
    protected override QueueClient Queue => store.Queue;
    protected override TimeSpan Lease => options.Lease;
    protected override TimeSpan PollInterval => options.PollInterval;
    protected override string What => "cohort import batch";

    protected override Task EnsureCreatedAsync(CancellationToken ct) => store.EnsureCreatedAsync(ct);

    protected override Task HandleAsync(string message, CancellationToken ct) => importer.HandleAsync(message, ct);
}
