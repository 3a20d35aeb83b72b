using CoachFlow.Engine.Harness;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>
/// A cooperative coach and client: looking at the engagement as the read model shows it, they send what it
/// waits for, each input under a key of its own (so sending it again while the read model catches up is a repeat).
/// </summary>
internal static class CoachAndClient
{
    /// <param name="sessionIn">How far ahead sessions are booked (two hours unless the program's clock is faster).</param>
    public static (string Key, WorkflowInput Input)? NextInput(EngagementState s, DateTimeOffset now, TimeSpan? sessionIn = null)
    {
        switch (s.Phase)
        {
            case EngagementPhase.Contract when s.SignedContractVersion < s.ContractVersion:
                return ($"sign:{s.ContractVersion}", Examples.Sign(s.ContractVersion));
            case EngagementPhase.Intake:
                return ("intake", new SubmitIntake(Examples.IntakeAnswers()));
            case EngagementPhase.Sessions:
            {
                var n = s.SessionsHeld + 1;
                var session = s.Session(n);
                if (session is null) return ($"schedule:{n}", new ScheduleSession(n, now + (sessionIn ?? TimeSpan.FromHours(2)), "Europe/Berlin"));
                if (!session.ReminderSent) return null; // the reminder goes a day ahead (here: at once); wait for it
                if (!session.AgreementCaptured) return ($"agreement:{n}", new CaptureSessionAgreement(n, Examples.Agreement(now.AddDays(30))));
                return ($"held:{n}", new MarkSessionHeld(n));
            }
            case EngagementPhase.Reassessment or EngagementPhase.Graduation when s.Reassessments.LastOrDefault() is { CompletedAt: null } r:
                return ($"reassess:{r.Number}", new SubmitReassessment(r.Number, Examples.Ratings(4 + (2 * r.Number)), [new IndicatorReading("Informational interviews", $"{r.Number * 2}")]));
            case EngagementPhase.Reassessment or EngagementPhase.Graduation when s.Reassessments.LastOrDefault() is { ReviewedAt: null } r:
                return ($"review:{r.Number}", new ReviewReassessment(r.Number, ["Narrow the search to storage companies"], [], false));
            case EngagementPhase.Graduation when s.Plan is null:
                return ("plan", new DraftMaintenancePlan(Examples.Plan));
            case EngagementPhase.Graduation:
                return ("confirm", new ConfirmMaintenancePlan());
            case EngagementPhase.Maintenance when s.ChecksSent.FirstOrDefault(c => !s.ChecksAnswered.Exists(a => a.CheckId == c)) is { } check:
                return ($"check:{check}", new AnswerMaintenanceCheckIn(check, true, null));
            default:
                return null;
        }
    }

    /// <summary>Drives an engagement until it is over, sending what it waits for as the read model shows it.</summary>
    public static async Task<EngagementSnapshot> FollowThroughAsync(EngineHost host, string engagementId, TimeSpan within, TimeSpan? sessionIn = null)
    {
        var deadline = DateTime.UtcNow + within;
        var lastKey = "";
        while (DateTime.UtcNow < deadline)
        {
            var snapshot = await host.Store.GetAsync(engagementId, CancellationToken.None);
            if (snapshot?.State is { } state)
            {
                if (state.IsFinished()) return snapshot;
                if (NextInput(state, DateTimeOffset.UtcNow, sessionIn) is var (key, input) && key != lastKey)
                {
                    await host.Engine.SubmitAsync(engagementId, input, key);
                    lastKey = key;
                }
            }
            await Task.Delay(150);
        }
        var at = await host.Store.GetAsync(engagementId, CancellationToken.None);
        throw new TimeoutException($"Engagement {engagementId} is not over after {within.TotalSeconds:0} s: phase {at?.State?.Phase}, version {at?.Version}.");
    }
}
