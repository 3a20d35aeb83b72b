using CoachFlow.Workflows.Engagements;
using Microsoft.DurableTask;

namespace CoachFlow.Orchestrations.Parts;

/// <summary>
/// One part of the lifecycle as an orchestration: it becomes where the engagement's inputs go, lets the rules
/// decide every input and timer until the part is over, and returns the engagement as it leaves it.
/// </summary>
/// <remarks>
/// What a part waits for and which timers it sets are the rules' (<c>workflows/CoachFlow.Workflows/Engagements/
/// EngagementWorkflow.{Part}.cs</c>): <see cref="PartRunner"/> keeps a durable timer for every <c>SetTimer</c> the rules
/// return and races them against the inputs raised to the part. Each part's summary lists both.
/// </remarks>
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
