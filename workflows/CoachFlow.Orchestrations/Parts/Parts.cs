using CoachFlow.Workflows.Engagements;
using Microsoft.DurableTask;

namespace CoachFlow.Orchestrations.Parts;

// One orchestrator per part of the lifecycle. Each runs the rules over the inputs and timers of its part and
// returns the engagement as it leaves it; the engagement orchestrator calls them in order.

/// <summary>The contract goes out and the client signs it: reminders while unsigned, expiry, resends.</summary>
public sealed class ContractSigning(EngagementWorkflow rules) : TaskOrchestrator<EngagementRun, EngagementRun>
{
    public override async Task<EngagementRun> RunAsync(TaskOrchestrationContext context, EngagementRun input)
    {
        var part = new PartRunner(context, rules, input);
        await part.BeginAsync(Names.Orchestrators.ContractSigning); // the start is the first input: the contract is written and sent
        await part.RunUntilAsync(run => run.EffectivePhase is not (EngagementPhase.New or EngagementPhase.Contract or EngagementPhase.ContractExpired));
        return part.Run;
    }
}

/// <summary>The pre-coaching audit: saved answers, reminders, until the client submits it.</summary>
public sealed class PreCoachingQuestionnaire(EngagementWorkflow rules) : TaskOrchestrator<EngagementRun, EngagementRun>
{
    public override async Task<EngagementRun> RunAsync(TaskOrchestrationContext context, EngagementRun input)
    {
        var part = new PartRunner(context, rules, input);
        await part.BeginAsync(Names.Orchestrators.PreCoachingQuestionnaire);
        await part.RunUntilAsync(run => run.EffectivePhase != EngagementPhase.Intake);
        return part.Run;
    }
}

/// <summary>
/// One coaching session, from the moment it is the next one until it is held: scheduling (and the coach's
/// nudges while nothing is booked), the reminder with the pre-session questionnaire, the session agreement,
/// the summary, and the check-in on each action at its due date.
/// </summary>
public sealed class CoachingSession(EngagementWorkflow rules) : TaskOrchestrator<EngagementRun, EngagementRun>
{
    public override async Task<EngagementRun> RunAsync(TaskOrchestrationContext context, EngagementRun input)
    {
        var session = input.State.SessionsHeld + 1;
        var part = new PartRunner(context, rules, input);
        await part.BeginAsync(Names.Orchestrators.CoachingSession);
        await part.RunUntilAsync(run => run.State.SessionsHeld >= session || run.EffectivePhase != EngagementPhase.Sessions);
        return part.Run;
    }
}

/// <summary>A periodic reassessment: the client re-rates, the coach and client review and adjust the goals.</summary>
public sealed class Reassessment(EngagementWorkflow rules) : TaskOrchestrator<EngagementRun, EngagementRun>
{
    public override async Task<EngagementRun> RunAsync(TaskOrchestrationContext context, EngagementRun input)
    {
        var part = new PartRunner(context, rules, input);
        await part.BeginAsync(Names.Orchestrators.Reassessment);
        await part.RunUntilAsync(run => run.EffectivePhase != EngagementPhase.Reassessment);
        return part.Run;
    }
}

/// <summary>Graduation: the final reassessment, the coach drafts the maintenance plan, the client confirms it.</summary>
public sealed class Graduation(EngagementWorkflow rules) : TaskOrchestrator<EngagementRun, EngagementRun>
{
    public override async Task<EngagementRun> RunAsync(TaskOrchestrationContext context, EngagementRun input)
    {
        var part = new PartRunner(context, rules, input);
        await part.BeginAsync(Names.Orchestrators.Graduation);
        await part.RunUntilAsync(run => run.EffectivePhase != EngagementPhase.Graduation);
        return part.Run;
    }
}

/// <summary>
/// Maintenance: the self-coaching check-ins until the engagement closes. Long-lived, so it continues as new
/// after each check-in it sends, which keeps its history to one period.
/// </summary>
public sealed class Maintenance(EngagementWorkflow rules) : TaskOrchestrator<EngagementRun, EngagementRun>
{
    public override async Task<EngagementRun> RunAsync(TaskOrchestrationContext context, EngagementRun input)
    {
        var checksSent = input.State.ChecksSent.Count;
        var part = new PartRunner(context, rules, input);
        await part.BeginAsync(Names.Orchestrators.Maintenance);
        await part.RunUntilAsync(run => run.EffectivePhase != EngagementPhase.Maintenance || run.State.ChecksSent.Count > checksSent);
        if (part.Run.EffectivePhase == EngagementPhase.Maintenance && !part.Run.IsFinished)
            context.ContinueAsNew(part.Run, preserveUnprocessedEvents: true);
        return part.Run;
    }
}

/// <summary>
/// A coaching engagement, from the contract to the end of maintenance. It reads as the engagement runs: each
/// part is a sub-orchestration (with its own short history) that hands the engagement to the next; ending the
/// engagement at any point skips the rest.
/// </summary>
public sealed class Engagement : TaskOrchestrator<EngagementRun, EngagementOutcome>
{
    public override async Task<EngagementOutcome> RunAsync(TaskOrchestrationContext context, EngagementRun input)
    {
        var run = await PartAsync(context, Names.Orchestrators.ContractSigning, "contract", input);
        run = await PartAsync(context, Names.Orchestrators.PreCoachingQuestionnaire, "intake", run);
        while (!run.IsFinished && run.EffectivePhase is EngagementPhase.Sessions or EngagementPhase.Reassessment)
        {
            run = run.EffectivePhase == EngagementPhase.Reassessment
                ? await PartAsync(context, Names.Orchestrators.Reassessment, $"reassessment-{run.State.Reassessments.Count}", run)
                : await PartAsync(context, Names.Orchestrators.CoachingSession, $"session-{run.State.SessionsHeld + 1}", run);
        }
        run = await PartAsync(context, Names.Orchestrators.Graduation, "graduation", run);
        run = await PartAsync(context, Names.Orchestrators.Maintenance, "maintenance", run);
        return new EngagementOutcome(run.EngagementId, EngagementWorkflow.PhaseName(run.State.Phase), run.Version, run.State.ClosedAt);
    }

    private static async Task<EngagementRun> PartAsync(TaskOrchestrationContext context, string orchestrator, string part, EngagementRun run) =>
        run.IsFinished ? run : await context.CallSubOrchestratorAsync<EngagementRun>(
            orchestrator, run, new SubOrchestrationOptions { InstanceId = Names.PartInstanceId(run.EngagementId, part) });
}

/// <summary>How an engagement ended: closed after maintenance, or ended early by either side.</summary>
public sealed record EngagementOutcome(string EngagementId, string Phase, long Version, DateTimeOffset? ClosedAt);
