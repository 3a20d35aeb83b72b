using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.Parts;
using CoachFlow.Workflows.Engagements;
using Microsoft.DurableTask;

namespace CoachFlow.Functions.Hosting;

/// <summary>The engagement's orchestrators and activities, as the Functions app registers them.</summary>
/// <remarks>
/// The same registrations as the local host's <c>EngineHosting.AddEngagementTasks</c>, which lives in
/// CoachFlow.LocalHost beside its sidecar and so cannot be referenced from here. The drift test
/// (<c>Both_hosts_register_the_same_orchestrators_and_activities</c>) compares the two, and what the worker declares to
/// the host, in both directions.
/// </remarks>
public static class EngagementTasks
{
    /// <summary>Orchestrators hold no state between runs, so one instance of each serves every engagement; activities come from each invocation's services.</summary>
    public static DurableTaskRegistry AddTo(DurableTaskRegistry registry, EngagementWorkflow rules)
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
        return registry;
    }
}
