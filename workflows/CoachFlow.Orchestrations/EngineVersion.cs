namespace CoachFlow.Orchestrations;

/// <summary>
/// The version of the engagement orchestrations a deployment runs. Every orchestration records the version that
/// started it; a deployment runs its own version and older ones, and leaves newer ones to a newer deployment.
/// </summary>
/// <remarks>
/// Raise it with every change that would replay an orchestration's history differently (a new activity call, a
/// timer, a part added or moved), and keep the old path for older instances: <c>context.CompareVersionTo("1.1") &gt;= 0</c>.
/// A test starts an engagement on the previous version and finishes it on the current one.
/// A change of any rule's output (what <c>EngagementWorkflow</c> decides, evolves or projects for the same inputs, or a
/// program's offsets) needs a new version too: the history replay test (<c>HistoryReplayTests</c>) replays recorded
/// engagements on today's code and fails on any changed decision. A step that finds such drift in a running engagement
/// (its <c>BeforeHash</c> or version does not match the snapshot) writes nothing, runs no effect and parks the engagement
/// (<c>step-parked</c>), so such a change stops engagements instead of corrupting them.
/// The repaired start (<c>EngagementRepair</c>: an <c>Engagement</c> run whose input is at a version above 0 begins at the part
/// the engagement is in) needed none: it is only ever a new instance, and a run at version 0 takes every part as before.
/// </remarks>
public static class EngineVersion
{
    public const string Current = "1.0";
}
