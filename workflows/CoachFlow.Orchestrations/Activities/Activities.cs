using System.Collections.Immutable;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace CoachFlow.Orchestrations.Activities;

/// <summary>A part starts: inputs are raised to it from now on, and it gets those that came before.</summary>
public sealed class BeginPart(EngagementStore store) : TaskActivity<BeginPartRequest, IReadOnlyList<PendingInput>>
{
    public override Task<IReadOnlyList<PendingInput>> RunAsync(TaskActivityContext context, BeginPartRequest input) =>
        store.BeginPartAsync(input.EngagementId, input.InstanceId, CancellationToken.None);
}

/// <summary>Records a step in the read model, hands it to the outbox (webhooks), then runs its effects in order.</summary>
/// <remarks>
/// A repeat of this activity finds the step recorded and hands it to the outbox again, which keeps it once; a failure
/// of the outbox fails the activity, so the engine runs it again and no step leaves without its webhooks. A step that
/// finds the read model at another state than it expects (drift) writes nothing, runs no effect and says so.
/// </remarks>
public sealed partial class RecordStep(EngagementStore store, IEngagementOutbox outbox, EffectSequence effects, ILogger<RecordStep> logger)
    : TaskActivity<StepRecord, EffectsReport>
{
    public override async Task<EffectsReport> RunAsync(TaskActivityContext context, StepRecord input)
    {
        switch (await store.RecordAsync(input, CancellationToken.None))
        {
            case RecordResult.Erased:
                return EffectsReport.AllDone; // an erased engagement sends nothing more
            case RecordResult.Diverged:
                LogDiverged(logger, input.EngagementId, input.FromVersion);
                return EffectsReport.AllDone with { Diverged = $"the read model is not at version {input.FromVersion} with the state this step expects" };
            case RecordResult.Repeat:
                // Written by an earlier run of this activity; its effects run again (each effect's own record skips one delivered).
                LogRepeat(logger, input.EngagementId, input.FromVersion);
                break;
        }
        await outbox.StepRecordedAsync(input, CancellationToken.None);
        return await effects.RunAsync(input.EngagementId, input.State, input.Effects, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Engagement {EngagementId} diverged: its step from version {Version} does not match the read model; nothing written, no effect run")]
    private static partial void LogDiverged(ILogger logger, string engagementId, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engagement {EngagementId}: the step from version {Version} was recorded already (a repeated activity)")]
    private static partial void LogRepeat(ILogger logger, string engagementId, long version);
}

/// <summary>
/// A step is parked: the engagement is flagged <c>step-parked</c> and the firm's admins are told. The orchestration
/// waits for a redrive or its own retry afterwards; storage that is still failing fails this too, and the step waits all the same.
/// </summary>
public sealed partial class ParkStep(EngagementStore store, IEngagementNotices notices, ILogger<ParkStep> logger) : TaskActivity<ParkStepRequest, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ParkStepRequest input)
    {
        LogParked(logger, input.EngagementId, input.Version, input.Reason);
        if (await store.ParkStepAsync(input.EngagementId, input.Reason, input.At, CancellationToken.None) is not { } parked) return false; // erased
        // Once per parking (a step parked again after a failed retry is flagged already); a repeat of this activity may tell twice.
        if (parked.First) await notices.StepParkedAsync(parked.FirmId, input, CancellationToken.None);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Engagement {EngagementId} parked at version {Version}: {Reason}")]
    private static partial void LogParked(ILogger logger, string engagementId, long version, string reason);
}

/// <summary>Runs effects that failed before (or that an operator redrives), in order.</summary>
public sealed class RunEffects(EngagementStore store, EffectSequence effects) : TaskActivity<EffectsRequest, EffectsReport>
{
    public override async Task<EffectsReport> RunAsync(TaskActivityContext context, EffectsRequest input)
    {
        if ((await store.GetAsync(input.EngagementId, CancellationToken.None))?.State is not { } state) return EffectsReport.AllDone; // erased
        return await effects.RunAsync(input.EngagementId, state, input.Effects, CancellationToken.None);
    }
}

/// <summary>
/// Runs a step's effects one after another and stops at the first that fails, so later emails never overtake
/// an earlier one. A failure is reported (the orchestration retries it later), never thrown.
/// </summary>
public sealed partial class EffectSequence(IEngagementEffects handler, ILogger<EffectSequence> logger)
{
    public async Task<EffectsReport> RunAsync(string engagementId, EngagementState state, ImmutableList<EffectToRun> effects, CancellationToken ct)
    {
        for (var i = 0; i < effects.Count; i++)
        {
            var effect = effects[i];
            try
            {
                await handler.RunAsync(new EffectContext(engagementId, effect.EffectId, state), EngagementCodec.Open<WorkflowEffect>(effect.Effect), ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The type and message of a transport or storage failure; never an email body or answers.
                LogEffectFailed(logger, engagementId, effect.EffectId, effect.Effect.Type, ex.GetType().Name);
                return new EffectsReport(effects.RemoveRange(0, i), $"{effect.Effect.Type} failed: {ex.GetType().Name}: {Trim(ex.Message)}");
            }
        }
        return EffectsReport.AllDone;
    }

    private static string Trim(string message) => message.Length <= 300 ? message : message[..300];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Effect {EffectId} ({EffectType}) of engagement {EngagementId} failed ({ErrorType}); it will be retried")]
    private static partial void LogEffectFailed(ILogger logger, string engagementId, string effectId, string effectType, string errorType);
}
