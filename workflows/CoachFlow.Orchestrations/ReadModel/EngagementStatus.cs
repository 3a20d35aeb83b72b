namespace CoachFlow.Orchestrations.ReadModel;

/// <summary>
/// Where an engagement stands in the read model (the snapshot's and the firm index's <c>Status</c>), and what the coach
/// API's <c>status</c> filter takes.
/// </summary>
/// <remarks>WARNING: stored in every snapshot and index row. Never rename one.</remarks>
public static class EngagementStatus
{
    /// <summary>Its start is recorded and its orchestration is being scheduled.</summary>
    public const string Starting = "starting";
    /// <summary>An orchestration runs it.</summary>
    public const string Running = "running";
    /// <summary>Closed after maintenance, as the program planned.</summary>
    public const string Completed = "completed";
    /// <summary>Ended early by the coach or the client.</summary>
    public const string Ended = "ended";
    /// <summary>What is left of an erased engagement in the index (its program and dates); also its phase there.</summary>
    public const string Erased = "erased";

    /// <summary>Whether nothing more happens to an engagement with this status.</summary>
    public static bool IsOver(string? status) => status is Completed or Ended;

    /// <summary>Whether an orchestration should be running it.</summary>
    public static bool IsLive(string? status) => status is Running or Starting;
}
