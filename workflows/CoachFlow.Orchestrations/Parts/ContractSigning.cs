using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Parts;

/// <summary>
/// Contract signing: the contract goes out with the start (the part's first input) and the client signs it.
/// </summary>
/// <remarks>
/// Waits for <see cref="SignContract"/> (the client's signature from the emailed link) and <see cref="ResendContract"/>
/// (the coach resends, also after expiry). Timers: <see cref="TimerIds.ContractReminder"/> (every
/// <c>Reminders.ContractReminderEvery</c>, up to <c>MaxReminders</c>) and <see cref="TimerIds.ContractExpiry"/> (the link's
/// end). Rules: <c>EngagementWorkflow.Contract.cs</c>. Over when the contract is signed (the engagement is in intake).
/// </remarks>
public sealed class ContractSigning(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) =>
        run.EffectivePhase is not (EngagementPhase.New or EngagementPhase.Contract or EngagementPhase.ContractExpired);
}
