using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;

namespace CoachFlow.Runtime.Harness;

/// <summary>
/// The target of <see cref="Notify"/> effects in tests: a table keyed by effect id, so an effect that runs
/// twice (at-least-once) lands once, and a count of executions that shows whether it ran twice.
/// </summary>
public sealed class NotifyLog(TableClient table)
{
    /// <summary>Effect kinds that should fail, and how many more times.</summary>
    public ConcurrentDictionary<string, int> FailuresToInject { get; } = new();

    /// <summary>Executions that found their effect already recorded.</summary>
    public int Repeats => _repeats;
    private int _repeats;

    public static async Task<NotifyLog> CreateAsync(StorageAccount storage, string prefix)
    {
        var table = storage.Tables.GetTableClient($"{prefix}notified");
        await table.CreateIfNotExistsAsync();
        return new NotifyLog(table);
    }

    public DurableRuntime Attach(DurableRuntime runtime) => runtime.Handle<Notify>(HandleAsync);

    public async Task HandleAsync(EffectContext ctx, Notify notify, CancellationToken ct)
    {
        if (FailuresToInject.TryGetValue(notify.What, out var left) && left > 0)
        {
            FailuresToInject[notify.What] = left - 1;
            throw new InvalidOperationException($"Injected failure of '{notify.What}'.");
        }
        try
        {
            await table.AddEntityAsync(new TableEntity(ctx.InstanceId, ctx.EffectId.Replace('/', '|'))
            {
                ["What"] = notify.What,
                ["Attempt"] = ctx.Attempt,
            }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            Interlocked.Increment(ref _repeats);
        }
    }

    /// <summary>What one instance was told, in effect order.</summary>
    public async Task<List<string>> ReadAsync(string instanceId)
    {
        var list = new List<(string Key, string What)>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}")))
            list.Add((row.RowKey, row.GetString("What")));
        return [.. list.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => x.What)];
    }
}
