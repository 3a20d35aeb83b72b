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
/// A repeat of this activity finds the step recorded and hands it to the outbox again, which keeps it once, and finds
/// the effects that went delivered (<see cref="EffectSequence"/>); a failure of the outbox fails the activity, so the
/// engine runs it again and no step leaves without its webhooks.
/// The effects run with the engagement as the read model recorded the step, not as this input carries it: after a
/// crash the engine can run the step's episode again at another moment, and that twin's state holds other times (a
/// contract's expiry). The first to record the step is what every attempt at its effects sees, so a repeated email is
/// the same email. A step that finds the read model at another state than it expects (drift) writes nothing, runs no
/// effect and says so.
/// </remarks>
public sealed partial class RecordStep(EngagementStore store, IEngagementOutbox outbox, EffectSequence effects, ILogger<RecordStep> logger)
    : TaskActivity<StepRecord, EffectsReport>
{
    public override async Task<EffectsReport> RunAsync(TaskActivityContext context, StepRecord input)
    {
        var result = await store.RecordAsync(input, CancellationToken.None);
        switch (result)
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
        if (result == RecordResult.Written) return input.Effects.Count == 0 ? EffectsReport.AllDone : await effects.RunAsync(input.EngagementId, input.State, input.Effects, CancellationToken.None);

        if (await store.GetAsync(input.EngagementId, CancellationToken.None) is not { } recorded) return EffectsReport.AllDone; // erased since
        // Past this step (a later one recorded while this twin waited): its effects went with the first; run them as they came.
        var first = recorded.Version == input.ToVersion ? recorded.State : null;
        var state = first ?? input.State;
        var report = input.Effects.Count == 0 ? EffectsReport.AllDone : await effects.RunAsync(input.EngagementId, state, input.Effects, CancellationToken.None);
        // A twin recorded this step with its own moment: the orchestration carries on from what was recorded, so its next
        // step starts from the state the read model holds.
        return first is not null && StateHash.Of(first) != StateHash.Of(input.State) ? report with { Recorded = first } : report;
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
/// an earlier one. A failure is reported (the orchestration retries it later), never thrown. An effect that was
/// delivered is not run again, however often its step is recorded or its retry runs.
/// </summary>
/// <remarks>
/// <para>
/// Once per effect, for every kind (emails, documents, coach notifications), here rather than in each handler: before
/// an effect runs, its delivery record in the engagement's partition (<see cref="EngagementStore.BeginEffectAsync"/>,
/// row <c>fx-…</c>) is read or created with a conditional insert; a delivered record skips the effect, otherwise it runs
/// with the first attempt's time and is then marked delivered. The rows live with the engagement, so its erasure
/// removes them with the rest; the export lists only events and inputs, never these.
/// </para>
/// <para>
/// The one window left: an attempt that hands an email to the provider and is cut off before the delivered mark is
/// written (a crash or SIGKILL, a provider that times out after it accepted, a storage failure at the mark, a lost
/// lease while the attempt still runs) leaves the record undelivered, so the next attempt sends that email again.
/// It is the same email: its link's nonce is derived from the effect id and its expiry from the first attempt, and
/// the Message-ID from the effect id. Only effects in flight at that moment can repeat, and each at most once per
/// interrupted attempt; every effect already marked is never sent again. Effect ids are unique per engagement
/// (<c>{engagement}/{version}/{n}</c>, and every step that asks for effects records events, so its version is new).
/// </para>
/// </remarks>
public sealed partial class EffectSequence(IEngagementEffects handler, EngagementStore store, TimeProvider time, ILogger<EffectSequence> logger)
{
    public async Task<EffectsReport> RunAsync(string engagementId, EngagementState state, ImmutableList<EffectToRun> effects, CancellationToken ct)
    {
        for (var i = 0; i < effects.Count; i++)
        {
            var effect = effects[i];
            try
            {
                var delivery = await store.BeginEffectAsync(engagementId, effect.EffectId, effect.Effect.Type, time.GetUtcNow(), ct);
                if (delivery is null) return EffectsReport.AllDone; // erased: nothing more goes out
                if (delivery.Delivered)
                {
                    LogAlreadyDelivered(logger, engagementId, effect.EffectId, effect.Effect.Type);
                    continue;
                }
                if (delivery.Attempts > 1) LogAttemptedAgain(logger, engagementId, effect.EffectId, effect.Effect.Type, delivery.Attempts);
                await handler.RunAsync(new EffectContext(engagementId, effect.EffectId, state, delivery.FirstAttemptedAt), EngagementCodec.Open<WorkflowEffect>(effect.Effect), ct);
                await store.MarkDeliveredAsync(engagementId, effect.EffectId, time.GetUtcNow(), ct);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Effect {EffectId} ({EffectType}) of engagement {EngagementId} was delivered before; it is not run again")]
    private static partial void LogAlreadyDelivered(ILogger logger, string engagementId, string effectId, string effectType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Effect {EffectId} ({EffectType}) of engagement {EngagementId} is attempted again (attempt {Attempt}) as it was first")]
    private static partial void LogAttemptedAgain(ILogger logger, string engagementId, string effectId, string effectType, int attempt);
}
