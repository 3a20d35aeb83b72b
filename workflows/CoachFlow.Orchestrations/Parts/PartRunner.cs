using System.Collections.Immutable;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using Microsoft.DurableTask;

namespace CoachFlow.Orchestrations.Parts;

/// <summary>
/// Runs one part of an engagement inside its orchestration: takes the inputs raised to it and the timers the
/// rules set, lets the rules (<see cref="EngagementWorkflow"/>) decide each, and records every step with one
/// activity that also runs the step's effects.
/// </summary>
/// <remarks>
/// Deterministic: time is the orchestration's, every decision is a pure function of the recorded inputs, and
/// collections are lists (never hash-ordered). An input is decided once per idempotency key; one that comes too
/// early waits in <see cref="EngagementRun.Deferred"/> and is offered again after every later step. Inputs that
/// were raised while an activity ran are decided together and recorded with one activity (fewer episodes).
/// An activity that still fails after its retries (<see cref="EngineSettings.ActivityAttempts"/>) never fails the
/// orchestration: the step is parked (<see cref="ParkAsync"/>) and tried again, the same step, after a redrive or
/// <see cref="EngineSettings.ParkedRetryDelay"/>; inputs raised meanwhile are held in order and decided after it.
/// </remarks>
internal sealed class PartRunner(TaskOrchestrationContext context, EngagementWorkflow rules, EngagementRun run)
{
    private readonly TaskOptions _activityRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: run.Settings.ActivityAttempts, firstRetryInterval: run.Settings.ActivityFirstRetryDelay, backoffCoefficient: 2,
        maxRetryInterval: run.Settings.ActivityMaxRetryDelay));

    /// <summary>Inputs raised while a step was parked, in the order they came; decided once it is recorded.</summary>
    private readonly List<PendingInput> _held = [];

    private Task<PendingInput>? _input;
    private (DateTimeOffset Due, Task Fired, CancellationTokenSource Cancel)? _timer;

    public EngagementRun Run { get; private set; } = run;

    private DateTimeOffset Now => new(context.CurrentUtcDateTime, TimeSpan.Zero);

    /// <summary>Makes this orchestration the one inputs are raised to, and decides the inputs that arrived before it.</summary>
    public async Task BeginAsync(string part)
    {
        var waiting = await PersistAsync<IReadOnlyList<PendingInput>>(Names.Activities.BeginPart, new BeginPartRequest(Run.EngagementId, context.InstanceId, part));
        await DecideAsync([.. waiting.Where(i => !Run.SeenKeys.Contains(i.Key))]);
    }

    /// <summary>Takes inputs and timers until <paramref name="done"/> holds for the rules' state, or the engagement is over.</summary>
    public async Task RunUntilAsync(Func<EngagementRun, bool> done)
    {
        // Inputs kept from an earlier part are offered first.
        if (Run.Deferred.Count > 0) await DecideAsync([]);
        // An engagement that is over still finishes delivering what it owes (a closing email that failed once).
        while (Run.IsFinished ? Run.Retries.Count > 0 : !done(Run))
            await DecideAsync(await NextAsync());
        _timer?.Cancel.Cancel();
    }

    /// <summary>Waits for the next input, or for the earliest timer or effect retry to come due.</summary>
    private async Task<IReadOnlyList<PendingInput>> NextAsync()
    {
        if (_held.Count > 0)
        {
            // Kept while a step was parked: decided now, in the order they came, each once (SeenKeys).
            List<PendingInput> held = [.. _held];
            _held.Clear();
            return held;
        }
        var due = DueTimers();
        if (due.Count > 0 || (Run.Retries.Count > 0 && Run.Retries[0].DueAt <= Now)) return await TakeDueAsync();

        _input ??= context.WaitForExternalEvent<PendingInput>(Names.Events.Input);
        var earliest = Earliest();
        if (earliest is { } at && _timer?.Due != at)
        {
            _timer?.Cancel.Cancel();
            var cancel = new CancellationTokenSource();
            _timer = (at, context.CreateTimer(at.UtcDateTime, cancel.Token), cancel);
        }
        else if (earliest is null && _timer is { } stale)
        {
            stale.Cancel.Cancel();
            _timer = null;
        }

        if (_timer is { } timer) await Task.WhenAny(_input, timer.Fired);
        else await _input;
        if (_input.IsCompleted)
        {
            List<PendingInput> inputs = [await _input];
            _input = null;
            // Inputs raised while the last activity ran are already here: decide them in the same step.
            while (inputs.Count < 50)
            {
                _input = context.WaitForExternalEvent<PendingInput>(Names.Events.Input);
                if (!_input.IsCompleted) break;
                inputs.Add(await _input);
                _input = null;
            }
            return inputs;
        }
        _timer = null;
        return await TakeDueAsync();
    }

    /// <summary>Due timers become inputs (removed from the timer list); a due effect retry runs.</summary>
    private async Task<IReadOnlyList<PendingInput>> TakeDueAsync()
    {
        if (Run.Retries.Count > 0 && Run.Retries[0].DueAt <= Now) await RetryAsync();
        var due = DueTimers();
        Run = Run with { Timers = Run.Timers.RemoveAll(t => due.Contains(t)) };
        return [.. due.Select(t => PendingInput.Timer(t, Now))];
    }

    private List<TimerEntry> DueTimers() => [.. Run.Timers.Where(t => t.DueAt <= Now).OrderBy(t => t.DueAt).ThenBy(t => t.TimerId, StringComparer.Ordinal)];

    private DateTimeOffset? Earliest()
    {
        DateTimeOffset? earliest = Run.Timers.Count > 0 ? Run.Timers.Min(t => t.DueAt) : null;
        if (Run.Retries.Count > 0 && (earliest is null || Run.Retries[0].DueAt < earliest)) earliest = Run.Retries[0].DueAt;
        return earliest;
    }

    /// <summary>Decides inputs (then the kept ones again) and records the step, if anything happened.</summary>
    private async Task DecideAsync(IReadOnlyList<PendingInput> inputs)
    {
        var step = new Step(Run);
        foreach (var input in inputs) Decide(step, input, offeredAgain: false);
        // A step that changed the state may let kept inputs through: offer them again until nothing moves.
        var moved = step.Events.Count > 0 || (Run.Deferred.Count > 0 && inputs.Count == 0);
        while (moved && step.Run.Deferred.Count > 0)
        {
            moved = false;
            foreach (var kept in step.Run.Deferred)
            {
                var before = step.Run.Deferred.Count;
                Decide(step, kept, offeredAgain: true);
                if (step.Run.Deferred.Count < before) { moved = true; break; }
            }
        }
        Run = step.Run;
        if (step.IsEmpty) return;
        await RecordAsync(step);
    }

    private void Decide(Step step, PendingInput pending, bool offeredAgain)
    {
        var s = step.Run;
        if (!offeredAgain && pending.FromCaller)
        {
            if (s.SeenKeys.Contains(pending.Key)) return;
            step.Run = s = s with { SeenKeys = s.SeenKeys.Add(pending.Key) };
        }
        var input = EngagementCodec.Open<WorkflowInput>(pending.Input);
        if (input is RedriveEffects)
        {
            step.Run = s with { Parked = [] };
            step.Effects.AddRange(s.Parked.Select(p => p.Effect));
            step.Outcome(pending, InputOutcome.Applied, null);
            return;
        }

        var decision = rules.Decide(s.State, input, Now);
        switch (decision.Kind)
        {
            case DecisionKind.Deferred:
                if (offeredAgain) return; // still waiting; its caller was told the first time
                step.Run = step.Run with { Deferred = step.Run.Deferred.Add(pending) };
                step.Outcome(pending, InputOutcome.Deferred, decision.Reason);
                return;
            case DecisionKind.Rejected:
                if (offeredAgain) step.Run = step.Run with { Deferred = step.Run.Deferred.Remove(pending) };
                step.Outcome(pending, InputOutcome.Rejected, decision.Reason);
                return;
        }

        if (offeredAgain) step.Run = step.Run with { Deferred = step.Run.Deferred.Remove(pending) };
        var state = step.Run.State;
        foreach (var e in decision.Events)
        {
            state = rules.Evolve(state, e);
            step.Events.Add(EngagementCodec.Wrap(e));
        }
        var timers = step.Run.Timers;
        foreach (var effect in decision.Effects)
        {
            switch (effect)
            {
                case SetTimer set:
                    timers = timers.RemoveAll(t => t.TimerId == set.TimerId).Add(new TimerEntry(set.TimerId, set.DueAt));
                    break;
                case CancelTimer cancel:
                    timers = timers.RemoveAll(t => t.TimerId == cancel.TimerId);
                    break;
                default:
                    step.Effects.Add(new EffectToRun($"{s.EngagementId}/{step.ToVersion}/{step.Effects.Count + 1}", EngagementCodec.Wrap(effect)));
                    break;
            }
        }
        if (state.IsFinished()) timers = [];
        step.Run = step.Run with { State = state, Timers = timers };
        step.Outcome(pending, InputOutcome.Applied, null);
    }

    /// <summary>Records a step; its effects run now unless earlier ones wait for a retry (effects keep their order).</summary>
    private async Task RecordAsync(Step step)
    {
        var runNow = Run.Retries.Count == 0 ? step.Effects.ToImmutableList() : [];
        if (runNow.Count == 0 && step.Effects.Count > 0)
            Run = Run with { Retries = Run.Retries.SetItem(Run.Retries.Count - 1, Run.Retries[^1] with { Effects = Run.Retries[^1].Effects.AddRange(step.Effects) }) };
        var record = new StepRecord(Run.EngagementId, context.InstanceId, step.FromVersion, [.. step.Events], Run.State, rules.Project(Run.State),
            Run.Timers, [.. step.Outcomes], runNow, Run.Parked, Now, StateHash.Of(step.Before));
        var report = await PersistAsync<EffectsReport>(Names.Activities.RecordStep, record);
        // Drift: the read model is not where this orchestration believes. Never written past; parked until someone acts.
        while (report.Diverged is { } diverged)
        {
            await ParkAsync($"diverged: {diverged}", diverged: true);
            report = await PersistAsync<EffectsReport>(Names.Activities.RecordStep, record);
        }
        // Recorded before by this step's twin (an episode run again after a crash): carry on from what the read model holds.
        Run = report.Recorded is { } recorded ? Run with { Version = record.ToVersion, State = recorded } : Run with { Version = record.ToVersion };
        if (report.Remaining.Count > 0) ScheduleRetry(report, attempt: 2);
    }

    private void ScheduleRetry(EffectsReport report, int attempt) =>
        Run = Run with { Retries = [new EffectRetry(report.Remaining, attempt, Now + Run.Settings.DelayBefore(attempt))] };

    /// <summary>Runs the waiting effects again; after the last attempt they are parked for an operator and the engagement is flagged.</summary>
    private async Task RetryAsync()
    {
        var retry = Run.Retries[0];
        Run = Run with { Retries = [] };
        var report = await PersistAsync<EffectsReport>(Names.Activities.RunEffects, new EffectsRequest(Run.EngagementId, retry.Effects));
        if (report.Remaining.Count == 0) return;
        if (retry.Attempt < Run.Settings.MaxEffectAttempts)
        {
            ScheduleRetry(report, retry.Attempt + 1);
            return;
        }
        Run = Run with { Parked = Run.Parked.AddRange(report.Remaining.Select(e => new ParkedEffect(e, retry.Attempt, report.Error ?? "failed"))) };
        await RecordAsync(new Step(Run) { ParkedChanged = true });
    }

    /// <summary>Calls one of the engine's activities; past its retries the step is parked and the same call made again, until it succeeds.</summary>
    /// <remarks>Each parking adds a handful of history events, and a parking lasts hours (<see cref="EngineSettings.ParkedRetryDelay"/>) unless redriven.</remarks>
    private async Task<T> PersistAsync<T>(string activity, object request) where T : class
    {
        T? result = null;
        while (result is null)
        {
            try
            {
                result = await context.CallActivityAsync<T>(activity, request, _activityRetry);
            }
            catch (TaskFailedException ex)
            {
                // The activity and the kind of failure only: a message may quote what was being written.
                await ParkAsync($"{activity} failed {Run.Settings.ActivityAttempts} times ({ex.FailureDetails.ErrorType})", diverged: false);
            }
        }
        return result;
    }

    /// <summary>
    /// Flags the engagement <c>step-parked</c> and tells the firm's admins (as far as storage allows), then waits for a
    /// redrive or <see cref="EngineSettings.ParkedRetryDelay"/>. Every other input that arrives meanwhile is held.
    /// </summary>
    private async Task ParkAsync(string reason, bool diverged)
    {
        try
        {
            await context.CallActivityAsync<bool>(Names.Activities.ParkStep, new ParkStepRequest(Run.EngagementId, context.InstanceId, Run.Version, reason, diverged, Now),
                _activityRetry);
        }
        catch (TaskFailedException)
        {
            // The flag could not be written either (the storage that failed the step); the step waits all the same.
        }
        using var cancel = new CancellationTokenSource();
        var retry = context.CreateTimer((Now + Run.Settings.ParkedRetryDelay).UtcDateTime, cancel.Token);
        var resume = false;
        while (!resume)
        {
            _input ??= context.WaitForExternalEvent<PendingInput>(Names.Events.Input);
            if (await Task.WhenAny(_input, retry) == retry) return;
            var input = await _input;
            _input = null;
            _held.Add(input);
            resume = input.Input.Type == nameof(RedriveEffects);
        }
        cancel.Cancel();
    }

    /// <summary>What one step collects before it is recorded.</summary>
    private sealed class Step(EngagementRun run)
    {
        public EngagementRun Run { get; set; } = run;
        public EngagementState Before { get; } = run.State;
        public long FromVersion { get; } = run.Version;
        public List<Envelope> Events { get; } = [];
        public List<EffectToRun> Effects { get; } = [];
        public List<InputOutcome> Outcomes { get; } = [];
        public bool ParkedChanged { get; init; }
        public long ToVersion => FromVersion + Events.Count;
        public bool IsEmpty => Events.Count == 0 && Effects.Count == 0 && Outcomes.Count == 0 && !ParkedChanged;

        public void Outcome(PendingInput input, string result, string? reason)
        {
            if (!input.FromCaller) return;
            Outcomes.RemoveAll(o => o.Key == input.Key);
            Outcomes.Add(new InputOutcome(input.Key, result, reason, ToVersion));
        }
    }
}
