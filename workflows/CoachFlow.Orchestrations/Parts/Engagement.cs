using CoachFlow.Workflows.Engagements;
using Microsoft.DurableTask;

namespace CoachFlow.Orchestrations.Parts;

/// <summary>
/// A coaching engagement, from the contract to the end of maintenance. It reads as the engagement runs: each
/// part is a sub-orchestration (with its own short history) that hands the engagement to the next; ending the
/// engagement at any point skips the rest.
/// </summary>
/// <remarks>
/// An engagement repaired from the read model (<see cref="EngagementRepair"/>) starts with its recorded version (a new one
/// starts at 0) and begins at the part it is in, skipping those it has left: their instances are done and are not run again.
/// A run that starts at version 0 takes every part as it always did, so histories recorded before repairs replay the same.
/// </remarks>
public sealed class Engagement : TaskOrchestrator<EngagementRun, EngagementOutcome>
{
    public override async Task<EngagementOutcome> RunAsync(TaskOrchestrationContext context, EngagementRun input)
    {
        var resumed = input.Version > 0;
        var run = input;
        if (!resumed || run.EffectivePhase is EngagementPhase.New or EngagementPhase.Contract or EngagementPhase.ContractExpired)
            run = await PartAsync(context, Names.Orchestrators.ContractSigning, "contract", run);
        if (!resumed || run.EffectivePhase == EngagementPhase.Intake)
            run = await PartAsync(context, Names.Orchestrators.PreCoachingQuestionnaire, "intake", run);
        while (!run.IsFinished && run.EffectivePhase is EngagementPhase.Sessions or EngagementPhase.Reassessment)
        {
            run = run.EffectivePhase == EngagementPhase.Reassessment
                ? await PartAsync(context, Names.Orchestrators.Reassessment, $"reassessment-{run.State.Reassessments.Count}", run)
                : await PartAsync(context, Names.Orchestrators.CoachingSession, $"session-{run.State.SessionsHeld + 1}", run);
        }
        if (!resumed || run.EffectivePhase == EngagementPhase.Graduation)
            run = await PartAsync(context, Names.Orchestrators.Graduation, "graduation", run);
        run = await PartAsync(context, Names.Orchestrators.Maintenance, "maintenance", run);
        return new EngagementOutcome(run.EngagementId, EngagementWorkflow.PhaseName(run.State.Phase), run.Version, run.State.ClosedAt);
    }

    /// <summary>The instance id of the part the engagement is in now (the one a repaired run begins with).</summary>
    public static string CurrentPartInstanceId(EngagementRun run) => Names.PartInstanceId(run.EngagementId, run.EffectivePhase switch
    {
        EngagementPhase.New or EngagementPhase.Contract or EngagementPhase.ContractExpired => "contract",
        EngagementPhase.Intake => "intake",
        EngagementPhase.Reassessment => $"reassessment-{run.State.Reassessments.Count}",
        EngagementPhase.Sessions => $"session-{run.State.SessionsHeld + 1}",
        EngagementPhase.Graduation => "graduation",
        _ => "maintenance",
    });

    private static async Task<EngagementRun> PartAsync(TaskOrchestrationContext context, string orchestrator, string part, EngagementRun run) =>
        run.IsFinished ? run : await context.CallSubOrchestratorAsync<EngagementRun>(
            orchestrator, run, new SubOrchestrationOptions { InstanceId = Names.PartInstanceId(run.EngagementId, part) });
}

/// <summary>How an engagement ended: closed after maintenance, or ended early by either side.</summary>
public sealed record EngagementOutcome(string EngagementId, string Phase, long Version, DateTimeOffset? ClosedAt);
