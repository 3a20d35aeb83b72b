using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Engagements;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.FirmDashboard;

public sealed record PhaseCount(string Phase, int Engagements);

/// <summary>An engagement that needs someone's attention: overdue, stalled or its client's email bouncing.</summary>
public sealed record AttentionRow(string EngagementId, string Client, string Coach, string Phase, string? WaitingFor, DateTimeOffset? DueAt, bool Overdue, bool Stalled, bool Bouncing);

public sealed record CoachLoad(string CoachId, string Coach, int Running, int Overdue, int Flagged);

public sealed record CohortProgress(string CohortId, string Cohort, int Engagements, int Signed, int IntakeCompleted, int HeldASession, int Graduated);

/// <summary>One bucket of progress since baseline (mean rating change, in points on the 1–10 scales).</summary>
public sealed record ProgressBucket(string Range, int Engagements);

/// <summary>
/// What the firm dashboard shows, computed from index rows only (never the engagements' answers or notes), already
/// scoped to what the viewer may see. <see cref="CoachLoads"/> is null for a sponsor.
/// </summary>
public sealed record Dashboard(
    int Total,
    IReadOnlyList<PhaseCount> Phases,
    int Overdue, int Stalled, int Bouncing,
    IReadOnlyList<AttentionRow> Attention,
    IReadOnlyList<CoachLoad>? CoachLoads,
    IReadOnlyList<CohortProgress> Cohorts,
    IReadOnlyList<ProgressBucket> Progress,
    int WithoutReassessment)
{
    /// <summary>Lifecycle order, so phases read as the process goes.</summary>
    private static readonly string[] PhaseOrder =
        [.. Enum.GetValues<EngagementPhase>().Select(EngagementWorkflow.PhaseName)];

    /// <summary>Bucket bounds (each includes its lower bound): below −1, −1 to 0, 0 to +1, +1 to +2, +2 to +3, +3 and more. No label starts with a sign, so a CSV cell is never read as a formula.</summary>
    public static readonly (string Range, double Low, double High)[] Buckets =
    [
        ("Below −1", double.NegativeInfinity, -1),
        ("From −1 to 0", -1, 0),
        ("From 0 to +1", 0, 1),
        ("From +1 to +2", 1, 2),
        ("From +2 to +3", 2, 3),
        ("At least +3", 3, double.PositiveInfinity),
    ];

    public static Dashboard Build(IReadOnlyList<IndexEntry> entries, IReadOnlyDictionary<string, string> coachNames,
        IReadOnlyDictionary<string, string> cohortNames, DateTimeOffset now, bool forSponsor)
    {
        string CoachName(string? id) => id is not null && coachNames.TryGetValue(id, out var n) ? n : "Unknown coach";
        static bool IsStalled(IndexEntry e) => e.Flags.Contains(FlagNames.Stalled) || e.Flags.Contains(FlagNames.StalledProgress);
        static bool IsBouncing(IndexEntry e) => e.Flags.Contains(FlagNames.ClientEmailBouncing);
        bool IsOverdue(IndexEntry e) => EngagementViews.IsOverdue(e.Status, e.DueAt, now);

        var phases = entries.GroupBy(e => e.Phase)
            .Select(g => new PhaseCount(g.Key, g.Count()))
            .OrderBy(p => Array.IndexOf(PhaseOrder, p.Phase) is var i && i < 0 ? int.MaxValue : i).ThenBy(p => p.Phase, StringComparer.Ordinal)
            .ToList();

        var attention = entries.Where(e => IsOverdue(e) || IsStalled(e) || IsBouncing(e))
            .Select(e => new AttentionRow(e.EngagementId, e.Label ?? "", CoachName(e.CoachId), e.Phase, e.WaitingFor, e.DueAt, IsOverdue(e), IsStalled(e), IsBouncing(e)))
            .OrderByDescending(a => a.Overdue).ThenBy(a => a.DueAt).ThenBy(a => a.Client, StringComparer.CurrentCulture)
            .ToList();

        var loads = forSponsor ? null : entries.Where(e => e.CoachId is not null).GroupBy(e => e.CoachId!)
            .Select(g => new CoachLoad(g.Key, CoachName(g.Key), g.Count(e => e.Status == EngagementStatus.Running), g.Count(IsOverdue), g.Count(e => e.Flags.Count > 0)))
            .OrderBy(l => l.Coach, StringComparer.CurrentCulture)
            .ToList();

        var cohorts = entries.Where(e => e.CohortId is not null).GroupBy(e => e.CohortId!)
            .Select(g => CohortOf(g.Key, cohortNames.TryGetValue(g.Key, out var name) ? name : g.Key, [.. g]))
            .OrderBy(c => c.Cohort, StringComparer.CurrentCulture)
            .ToList();

        // An erased engagement's tombstone counts as an engagement (and in its own phase), but it has no progress to show.
        var kept = entries.Where(e => e.Status != EngagementStatus.Erased).ToList();
        var progress = kept.Select(e => e.Milestones?.ProgressSinceBaseline).Where(p => p is not null).Select(p => p!.Value).ToList();
        var buckets = Buckets.Select(b => new ProgressBucket(b.Range, progress.Count(p => p >= b.Low && p < b.High))).ToList();

        return new Dashboard(entries.Count, phases, entries.Count(IsOverdue), entries.Count(IsStalled), entries.Count(IsBouncing),
            attention, loads, cohorts, buckets, kept.Count - progress.Count);
    }

    public static CohortProgress CohortOf(string id, string name, IReadOnlyList<IndexEntry> entries) => new(id, name, entries.Count,
        entries.Count(e => e.Milestones?.Signed == true),
        entries.Count(e => e.Milestones?.IntakeCompleted == true),
        entries.Count(e => e.Milestones?.SessionsHeld >= 1),
        entries.Count(e => e.Milestones?.Graduated == true));
}
