using CoachFlow.Orchestrations.ReadModel;

namespace CoachFlow.Orchestrations;

/// <summary>What keeping an input found: the input kept before under the same key, if any, and where to raise this one.</summary>
/// <param name="Earlier">The input kept before under the same key (a repeat), or null.</param>
/// <param name="RaiseTo">The part orchestration to raise <paramref name="Pending"/> to; null when nothing is to be raised now
/// (decided already, or no part runs yet: the next part finds the input in the inbox).</param>
public sealed record KeptInput(InputRecord? Earlier, string? RaiseTo, PendingInput Pending)
{
    /// <summary>Decided by an earlier submission of the same key: nothing more to do than tell what came of it.</summary>
    public bool DecidedBefore => Earlier is { Status: not RaiseOutcome.Accepted };
}

/// <summary>
/// The one rule by which every input enters an engagement (a person's request through <see cref="EngagementEngine"/>,
/// a bulk action's batch through <see cref="Bulk.KeepBulkBatch"/>): keep it first, read where inputs go second.
/// </summary>
/// <remarks>
/// The Azure Storage provider drops an event raised to an instance that has not started, and an engagement moves between
/// part orchestrations. A part records itself as the active instance first and reads the inbox second; an input kept
/// first and routed second is therefore always found by one of them, and its idempotency key makes a repeat harmless.
/// </remarks>
public static class Inbox
{
    /// <summary>Keeps <paramref name="input"/> under <paramref name="key"/> and says where to raise it; null when the engagement was erased meanwhile.</summary>
    public static async Task<KeptInput?> KeepThenRouteAsync(EngagementStore store, string engagementId, string key, Envelope input, DateTimeOffset now, CancellationToken ct)
    {
        var earlier = await store.AcceptAsync(engagementId, key, input, now, ct);
        var pending = new PendingInput(key, input, earlier?.AcceptedAt ?? now);
        if (earlier is { Status: not RaiseOutcome.Accepted }) return new KeptInput(earlier, null, pending);
        var route = await store.GetRouteAsync(engagementId, ct);
        if (route is null)
        {
            // Erased in between: the erasure deletes the snapshot before the other rows, so what was kept here is taken back
            // here, or found by the erasure.
            await store.ForgetInputAsync(engagementId, key, ct);
            return null;
        }
        return new KeptInput(earlier, route.Value.ActiveInstance, pending);
    }
}
