using System.Collections.Immutable;
using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Workflows.Reassessments;

/// <summary>One rating now, and how far it moved since the baseline and since the previous reassessment.</summary>
public sealed record RatingDelta(string ItemId, int Score, int? SinceBaseline, int? SincePrevious);

/// <summary>Compares reassessment ratings with the intake baseline and the previous reassessment.</summary>
public static class RatingComparison
{
    public static ImmutableList<RatingDelta> Deltas(IReadOnlyList<Rating> now, IReadOnlyList<Rating> baseline, IReadOnlyList<Rating>? previous) =>
        [.. now.Select(r => new RatingDelta(
            r.ItemId,
            r.Score,
            Find(baseline, r.ItemId) is int b ? r.Score - b : null,
            Find(previous ?? baseline, r.ItemId) is int p ? r.Score - p : null))];

    /// <summary>Progress has stalled when no rating rose since the previous reassessment (or the baseline, for the first).</summary>
    public static bool IsStalled(IReadOnlyList<RatingDelta> deltas) => !deltas.Any(d => d.SincePrevious > 0);

    /// <summary>
    /// The mean change since the intake baseline over the items of the latest completed reassessment that the baseline
    /// also rated; null before a reassessment is completed. What a firm's overview plots, one number per engagement.
    /// </summary>
    public static double? MeanSinceBaseline(Engagements.EngagementState s)
    {
        var latest = s.Reassessments.LastOrDefault(r => r.CompletedAt is not null && r.Ratings is { Count: > 0 });
        if (latest is null) return null;
        var deltas = Deltas(latest.Ratings!, s.Baseline, null).Where(d => d.SinceBaseline is not null).Select(d => (double)d.SinceBaseline!.Value).ToList();
        return deltas.Count == 0 ? null : Math.Round(deltas.Average(), 2);
    }

    private static int? Find(IReadOnlyList<Rating> ratings, string itemId) =>
        ratings.FirstOrDefault(r => r.ItemId == itemId)?.Score;
}
