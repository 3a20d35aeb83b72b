namespace CoachFlow.Orchestrations;

/// <summary>
/// The version of the engagement orchestrations a deployment runs. Every orchestration records the version that
/// started it; a deployment runs its own version and older ones, and leaves newer ones to a newer deployment.
/// </summary>
/// <remarks>
/// Raise it with every change that would replay an orchestration's history differently (a new activity call, a
/// timer, a part added or moved), and with every change of a rule's output: what <c>Decide</c>/<c>Evolve</c> (or a
/// program's offsets) return for a recorded input. Keep the old path for older instances:
/// <c>context.CompareVersionTo("1.1") &gt;= 0</c>. A test starts an engagement on the previous version and finishes it on
/// the current one; the history replay test (<c>HistoryReplayTests</c>) replays recorded engagements on today's code and
/// fails on any changed decision.
/// </remarks>
public static class EngineVersion
{
    public const string Current = "1.0";
}
