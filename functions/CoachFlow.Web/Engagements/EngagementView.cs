using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Engagements;

/// <summary>
/// An engagement as the host reads it from the engine's read model: the rules' state, what listing shows of it
/// (phase, waiting-for, due, flags), its timers and effects parked for an operator, and its timeline.
/// </summary>
public sealed record EngagementView(
    string InstanceId,
    string Status,
    long Version,
    string FirmId,
    string? CoachId,
    string? SponsorId,
    string Phase,
    string? WaitingFor,
    DateTimeOffset? DueAt,
    IReadOnlyList<string> Flags,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    EngagementState State,
    IReadOnlyList<TimerEntry> Timers,
    IReadOnlyList<ParkedEffect> Parked,
    IReadOnlyList<TimelineEvent> History)
{
    /// <summary>Reads the engagement, with its timeline when <paramref name="withHistory"/>; throws "not found" when there is none.</summary>
    public static async Task<EngagementView> LoadAsync(EngagementStore store, EngagementWorkflow rules, string engagementId, bool withHistory, CancellationToken ct)
    {
        var snapshot = await store.GetAsync(engagementId, ct);
        if (snapshot?.State is not { } state) throw new EngagementNotFoundException(engagementId);
        var history = withHistory ? await store.TimelineAsync(engagementId, ct) : [];
        var projection = rules.Project(state);
        var flags = snapshot.Parked.Count > 0 ? [.. projection.Flags, "effect-parked"] : projection.Flags;
        if (snapshot.StepParked is not null) flags = [.. flags, EngagementStore.StepParkedFlag];
        if (snapshot.RepairedAt is not null) flags = [.. flags, EngagementStore.RepairedFlag];
        return new EngagementView(engagementId, snapshot.Status, snapshot.Version, snapshot.FirmId, snapshot.CoachId, snapshot.SponsorId,
            projection.Phase, projection.WaitingFor, projection.DueAt, flags, snapshot.CreatedAt, snapshot.UpdatedAt, state,
            snapshot.Timers, snapshot.Parked, history);
    }
}
