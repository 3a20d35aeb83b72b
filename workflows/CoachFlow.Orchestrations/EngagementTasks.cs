using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.Parts;
using CoachFlow.Workflows.Engagements;
using Microsoft.DurableTask;

namespace CoachFlow.Orchestrations;

/// <summary>Every orchestrator and activity of an engagement, by its name in <see cref="Names"/>: what each host registers.</summary>
public static class EngagementTasks
{
    /// <summary>
    /// Orchestrators hold no state between runs, so one instance of each serves every engagement; activities come
    /// from each invocation's services. The local host and the Functions app both call this, so they cannot drift.
    /// </summary>
    public static DurableTaskRegistry AddEngagementTasks(this DurableTaskRegistry registry, EngagementWorkflow rules)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestrator(Names.Orchestrators.Engagement, new Engagement());
        registry.AddOrchestrator(Names.Orchestrators.ContractSigning, new ContractSigning(rules));
        registry.AddOrchestrator(Names.Orchestrators.PreCoachingQuestionnaire, new PreCoachingQuestionnaire(rules));
        registry.AddOrchestrator(Names.Orchestrators.CoachingSession, new CoachingSession(rules));
        registry.AddOrchestrator(Names.Orchestrators.Reassessment, new Reassessment(rules));
        registry.AddOrchestrator(Names.Orchestrators.Graduation, new Graduation(rules));
        registry.AddOrchestrator(Names.Orchestrators.Maintenance, new Maintenance(rules));
        registry.AddActivity<BeginPart>();
        registry.AddActivity<RecordStep>();
        registry.AddActivity<RunEffects>();
        registry.AddActivity<ParkStep>();
        registry.AddOrchestrator(Names.Orchestrators.BulkAction, new Bulk.BulkAction());
        registry.AddActivity<Bulk.BeginBulkAction>();
        registry.AddActivity<Bulk.KeepBulkBatch>();
        registry.AddActivity<Bulk.SettleBulkAction>();
        return registry;
    }
}
