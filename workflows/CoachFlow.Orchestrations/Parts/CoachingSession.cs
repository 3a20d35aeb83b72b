using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Parts;

/// <summary>One coaching session, from the moment it is the next one until it is held.</summary>
/// <remarks>
/// Waits for <see cref="ScheduleSession"/> and <see cref="RescheduleSession"/> (the coach books it),
/// <see cref="AnswerPreSession"/> (the client's questions before it), <see cref="CaptureSessionAgreement"/>,
/// <see cref="MarkSessionHeld"/> (the summary goes out) and <see cref="CheckInAction"/> (the client on an earlier action).
/// Timers: <see cref="TimerIds.SessionReminder"/> (a day before, with the pre-session questionnaire),
/// <see cref="TimerIds.CoachNudge"/> (while nothing is booked), <see cref="TimerIds.ActionCheckIn"/> (each action's due
/// date) and <see cref="TimerIds.Stalled"/>. Rules: <c>EngagementWorkflow.Sessions.cs</c>. Over when it is held.
/// </remarks>
public sealed class CoachingSession(EngagementWorkflow rules) : Part(rules)
{
    protected override bool IsOver(EngagementRun run, EngagementRun entered) =>
        run.State.SessionsHeld > entered.State.SessionsHeld || run.EffectivePhase != EngagementPhase.Sessions;
}
