using System.Globalization;
using CoachFlow.Orchestrations.Parts;
using CoachFlow.Workflows.Engagements;
using DurableTask.Core;
using DurableTask.Core.Command;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Shims;

namespace CoachFlow.Orchestrations.Tests.Replay;

/// <summary>Where a replay first decided differently from its recording.</summary>
/// <param name="Episode">The episode's number in its generation, from 1.</param>
/// <param name="Path">The first differing JSON path in the action's payload, or what about the action differs.</param>
public sealed record ReplayDifference(string InstanceId, int Generation, int Episode, string Action, string Path, string Expected, string Actual)
{
    public override string ToString() =>
        $"{InstanceId} generation {Generation} episode {Episode}, {Action}: {Path} was {Expected} when recorded and is {Actual} today";
}

/// <summary>
/// Replays recorded histories against today's orchestrators and rules, the way the worker runs them: each episode
/// through durabletask-dotnet's shim (<see cref="DurableTaskShimFactory"/>) and DurableTask.Core's
/// <see cref="TaskOrchestrationExecutor"/> over the history before it, and every action it takes (activities,
/// sub-orchestrations, timers, completion or continue-as-new) compared with what the recording holds.
/// </summary>
/// <remarks>
/// Payloads are compared as parsed JSON (a string holding JSON, such as an envelope's, is compared parsed too); a
/// property today's code writes that the recording lacks is allowed only when it is null.
/// </remarks>
public static class HistoryReplay
{
    /// <summary>The orchestrators an engagement's histories name, as the hosts register them (<see cref="EngagementTasks"/>).</summary>
    public static IReadOnlyDictionary<string, ITaskOrchestrator> Orchestrators(EngagementWorkflow rules) => new Dictionary<string, ITaskOrchestrator>(StringComparer.Ordinal)
    {
        [Names.Orchestrators.Engagement] = new Engagement(),
        [Names.Orchestrators.ContractSigning] = new ContractSigning(rules),
        [Names.Orchestrators.PreCoachingQuestionnaire] = new PreCoachingQuestionnaire(rules),
        [Names.Orchestrators.CoachingSession] = new CoachingSession(rules),
        [Names.Orchestrators.Reassessment] = new Reassessment(rules),
        [Names.Orchestrators.Graduation] = new Graduation(rules),
        [Names.Orchestrators.Maintenance] = new Maintenance(rules),
    };

    /// <summary>Replays every instance and generation; at most one difference (the first) per generation.</summary>
    public static IReadOnlyList<ReplayDifference> Replay(RecordedEngagement recording, EngagementWorkflow rules)
    {
        var orchestrators = Orchestrators(rules);
        var differences = new List<ReplayDifference>();
        foreach (var instance in recording.Instances)
        {
            if (!orchestrators.TryGetValue(instance.Name, out var orchestrator))
                throw new InvalidDataException($"{instance.InstanceId} ran {instance.Name}, which today's code does not register.");
            for (var g = 0; g < instance.Generations.Count; g++)
            {
                var next = g + 1 < instance.Generations.Count ? instance.Generations[g + 1] : null;
                if (ReplayGeneration(instance, g, next, orchestrator) is { } difference) differences.Add(difference);
            }
        }
        return differences;
    }

    private static ReplayDifference? ReplayGeneration(RecordedInstance instance, int g, RecordedGeneration? next, ITaskOrchestrator orchestrator)
    {
        var generation = instance.Generations[g];
        var history = generation.History;
        var starts = Enumerable.Range(0, history.Count).Where(i => history[i] is OrchestratorStartedEvent).ToList();
        var episodes = new List<(List<HistoryEvent> Past, List<HistoryEvent> New, List<RecordedAction> Expected)>();
        for (var k = 0; k < starts.Count; k++)
        {
            var episode = history.Skip(starts[k]).Take((k + 1 < starts.Count ? starts[k + 1] : history.Count) - starts[k]).ToList();
            episodes.Add(([.. history.Take(starts[k])], [.. episode.Where(e => RecordedAction.From(e) is null && e is not OrchestratorCompletedEvent)],
                [.. episode.Select(RecordedAction.From).OfType<RecordedAction>()]));
        }
        if (generation.ContinuedAsNew is { } last)
        {
            var nextInput = next?.History.OfType<ExecutionStartedEvent>().FirstOrDefault()?.Input
                ?? throw new InvalidDataException($"{instance.InstanceId} generation {g + 1} continued as new, and no next generation was recorded.");
            episodes.Add(([.. history], [new OrchestratorStartedEvent(-1) { Timestamp = last.At }, .. last.Events],
                [new RecordedAction("continue as new", "", null, null, nextInput)]));
        }

        for (var k = 0; k < episodes.Count; k++)
        {
            var (past, added, expected) = episodes[k];
            var actual = Execute(instance.Name, orchestrator, past, added);
            if (Compare(expected, actual) is { } d) return new ReplayDifference(instance.InstanceId, g + 1, k + 1, d.Action, d.Path, d.Expected, d.Actual);
        }
        return null;
    }

    private static List<RecordedAction> Execute(string name, ITaskOrchestrator orchestrator, List<HistoryEvent> past, List<HistoryEvent> added)
    {
        var state = new OrchestrationRuntimeState(past);
        foreach (var e in added) state.AddEvent(e);
        var shim = DurableTaskShimFactory.Default.CreateOrchestration(new TaskName(name), orchestrator, parent: null);
        var result = new TaskOrchestrationExecutor(state, shim, BehaviorOnContinueAsNew.Carryover, ErrorPropagationMode.UseFailureDetails).Execute();
        return [.. result.Actions.Select(RecordedAction.From)];
    }

    private static (string Action, string Path, string Expected, string Actual)? Compare(List<RecordedAction> expected, List<RecordedAction> actual)
    {
        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            var e = i < expected.Count ? expected[i] : null;
            var a = i < actual.Count ? actual[i] : null;
            if (e is null || a is null || e.Kind != a.Kind || e.Name != a.Name || e.InstanceId != a.InstanceId || e.FireAt != a.FireAt)
                return ($"action {i + 1}", "the action", e?.ToString() ?? "nothing", a?.ToString() ?? "nothing");
            if (JsonDifference.First(e.Payload, a.Payload) is { } d) return ($"action {i + 1} ({e})", d.Path, d.Expected, d.Actual);
        }
        return null;
    }

    /// <summary>An action as the orchestrator takes it and as the history records it.</summary>
    private sealed record RecordedAction(string Kind, string Name, string? InstanceId, DateTime? FireAt, string? Payload)
    {
        public override string ToString() => Kind + (Name.Length > 0 ? $" {Name}" : "") + (InstanceId is null ? "" : $" as {InstanceId}")
            + (FireAt is { } at ? $" at {at.ToString("O", CultureInfo.InvariantCulture)}" : "");

        /// <summary>The action a history event records, or null for an event the episode took as input.</summary>
        public static RecordedAction? From(HistoryEvent e) => e switch
        {
            TaskScheduledEvent s => new("activity", s.Name ?? "", null, null, s.Input),
            SubOrchestrationInstanceCreatedEvent s => new("sub-orchestration", s.Name ?? "", s.InstanceId, null, s.Input),
            TimerCreatedEvent t => new("timer", "", null, t.FireAt, null),
            EventSentEvent s => new("event sent", s.Name ?? "", s.InstanceId, null, s.Input),
            ExecutionCompletedEvent c when c.OrchestrationStatus == OrchestrationStatus.ContinuedAsNew => new("continue as new", "", null, null, c.Result),
            ExecutionCompletedEvent c => new($"complete ({c.OrchestrationStatus})", "", null, null, c.Result),
            _ => null,
        };

        public static RecordedAction From(OrchestratorAction action) => action switch
        {
            ScheduleTaskOrchestratorAction s => new("activity", s.Name ?? "", null, null, s.Input),
            CreateSubOrchestrationAction s => new("sub-orchestration", s.Name ?? "", s.InstanceId, null, s.Input),
            CreateTimerOrchestratorAction t => new("timer", "", null, t.FireAt, null),
            SendEventOrchestratorAction s => new("event sent", s.EventName ?? "", s.Instance?.InstanceId, null, s.EventData),
            OrchestrationCompleteOrchestratorAction c when c.OrchestrationStatus == OrchestrationStatus.ContinuedAsNew => new("continue as new", "", null, null, c.Result),
            OrchestrationCompleteOrchestratorAction c => new($"complete ({c.OrchestrationStatus})", "", null, null,
                c.OrchestrationStatus == OrchestrationStatus.Failed ? $"{c.Result} {c.FailureDetails}" : c.Result),
            _ => new(action.OrchestratorActionType.ToString(), "", null, null, null),
        };
    }
}
