namespace CoachFlow.Orchestrations;

/// <summary>
/// The version of the engagement orchestrations a deployment runs. Every orchestration records the version that
/// started it; a deployment runs its own version and older ones, and leaves newer ones to a newer deployment.
/// </summary>
/// <remarks>
/// Raise it with every change that would replay an orchestration's history differently (a new activity call, a
/// timer, a part added or moved), and keep the old path for older instances: <c>context.CompareVersionTo("1.1") &gt;= 0</c>.
/// A test starts an engagement on the previous version and finishes it on the current one.
/// </remarks>
public static class EngineVersion
{
    public const string Current = "1.0";
}
