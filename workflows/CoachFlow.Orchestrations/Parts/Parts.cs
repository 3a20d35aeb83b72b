using CoachFlow.Workflows.Engagements;
using Microsoft.DurableTask;

namespace CoachFlow.Orchestrations.Parts;

/// <summary>
/// One part of the lifecycle as an orchestration: it becomes where the engagement's inputs go, lets the rules
/// decide every input and timer until the part is over, and returns the engagement as it leaves it.
/// </summary>
public abstract class Part(EngagementWorkflow rules) : TaskOrchestrator<EngagementRun, EngagementRun>
{
    /// <summary>Whether the engagement has left this part (it also ends when the engagement is over).</summary>
    /// <param name="run">The engagement now.</param>
    /// <param name="entered">The engagement as the part began.</param>
    protected abstract bool IsOver(EngagementRun run, EngagementRun entered);

    public override async Task<EngagementRun> RunAsync(TaskOrchestrationContext context, EngagementRun input)
    {
        var part = new PartRunner(context, rules, input);
        await part.BeginAsync(context.Name.Name);
        await part.RunUntilAsync(run => IsOver(run, input));
        return Leave(context, part.Run);
    }

    /// <summary>What the part does as it ends; by default it hands the engagement back.</summary>
    protected virtual EngagementRun Leave(TaskOrchestrationContext context, EngagementRun run) => run;
}

/// <summary>The contract goes out and the client signs it: reminders while unsigned, expiry, resends. The start is its first input.</summary>
public sealed class ContractSigning(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) =>
        run.EffectivePhase is not (EngagementPhase.New or EngagementPhase.Contract or EngagementPhase.ContractExpired);
}

/// <summary>The pre-coaching audit: saved answers, reminders, until the client submits it.</summary>
public sealed class PreCoachingQuestionnaire(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) => run.EffectivePhase != EngagementPhase.Intake;
}

/// <summary>
/// One coaching session, from the moment it is the next one until it is held: scheduling (and the coach's
/// nudges while nothing is booked), the reminder with the pre-session questionnaire, the session agreement,
/// the summary, and the check-in on each action at its due date.
/// </summary>
public sealed class CoachingSession(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) =>
        run.State.SessionsHeld > entered.State.SessionsHeld || run.EffectivePhase != EngagementPhase.Sessions;
}

/// <summary>A periodic reassessment: the client re-rates, the coach and client review and adjust the goals.</summary>
public sealed class Reassessment(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) => run.EffectivePhase != EngagementPhase.Reassessment;
}

/// <summary>Graduation: the final reassessment, the coach drafts the maintenance plan, the client confirms it.</summary>
public sealed class Graduation(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) => run.EffectivePhase != EngagementPhase.Graduation;
}

/// <summary>
/// Maintenance: the self-coaching check-ins until the engagement closes. Long-lived, so it continues as new
/// after each check-in it sends, which keeps its history to one period.
/// </summary>
public sealed class Maintenance(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) =>
        run.EffectivePhase != EngagementPhase.Maintenance || run.State.ChecksSent.Count > entered.State.ChecksSent.Count;

    protected override EngagementRun Leave(TaskOrchestrationContext context, EngagementRun run)
    {
        if (run.EffectivePhase == EngagementPhase.Maintenance && !run.IsFinished) context.ContinueAsNew(run, preserveUnprocessedEvents: true);
        return run;
    }
}

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
