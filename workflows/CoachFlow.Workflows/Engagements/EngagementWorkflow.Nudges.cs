using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

/// <summary>
/// What the engagement waits for from the client, and the link that opens it: what a nudge links to and what
/// "resend the pending link" sends again.
/// </summary>
/// <param name="LinkPurpose">The purpose of the signed link (the client page that opens).</param>
/// <param name="Ref">What the link is about (<c>session-2</c>, <c>reassessment-1</c>, a check id…).</param>
/// <param name="EmailKind">The email that carries the link when it is sent again.</param>
/// <param name="What">In words a coach would use: "the pre-coaching questionnaire".</param>
public sealed record PendingFromClient(string LinkPurpose, string Ref, string EmailKind, string What);

// Follow-up from the coach: a short nudge to the client, and the pending link sent again.
public sealed partial class EngagementWorkflow
{
    /// <summary>A nudge is a short message: at most this many characters.</summary>
    public const int MaxNudgeLength = 500;

    /// <summary>At most one nudge per client in this time, whatever is asked.</summary>
    public static readonly TimeSpan NudgeInterval = TimeSpan.FromHours(24);

    /// <summary>
    /// What the client has to do next and the link for it, or null when nothing waits for the client (the coach
    /// must act, the engagement is paused or over). An expired contract is not pending from the client: the coach
    /// sends it again (<see cref="ResendPendingLink"/> does that, as <see cref="ResendContract"/> does).
    /// </summary>
    public static PendingFromClient? PendingFrom(EngagementState s)
    {
        switch (s.Phase)
        {
            case EngagementPhase.Contract:
                return new PendingFromClient(LinkPurposes.SignContract, $"contract-v{s.ContractVersion}", EmailKinds.ContractInvitation, "the contract");
            case EngagementPhase.Intake:
                return new PendingFromClient(LinkPurposes.Intake, "intake", EmailKinds.IntakeInvitation, "the pre-coaching questionnaire");
            case EngagementPhase.Sessions:
            {
                // The questions before a session go out with its reminder; until answered they wait for the client.
                var next = s.Session(s.SessionsHeld + 1);
                return next is { ReminderSent: true, PreSessionAnswered: false, HeldAt: null }
                    ? new PendingFromClient(LinkPurposes.PreSessionQuestionnaire, $"session-{next.Number}", EmailKinds.SessionReminder, $"the questions before session {next.Number}")
                    : null;
            }
            case EngagementPhase.Reassessment or EngagementPhase.Graduation:
            {
                if (s.Reassessments.LastOrDefault() is { CompletedAt: null } r)
                    return new PendingFromClient(LinkPurposes.Reassessment, $"reassessment-{r.Number}", EmailKinds.ReassessmentInvitation,
                        r.Final ? "the final reassessment" : $"reassessment {r.Number}");
                return s.Phase == EngagementPhase.Graduation && s.Plan is not null && s.PlanChangesRequestedOn is null
                    ? new PendingFromClient(LinkPurposes.ConfirmMaintenancePlan, $"plan-draft-{s.PlanDrafts}", EmailKinds.MaintenancePlanReview, "the maintenance plan")
                    : null;
            }
            case EngagementPhase.Maintenance:
            {
                var open = s.ChecksSent.LastOrDefault(c => !s.ChecksAnswered.Exists(a => a.CheckId == c));
                if (open is null) return null;
                return open == TimerIds.SixMonthCheck
                    ? new PendingFromClient(open, open, EmailKinds.StillApplyingCheck, "the “still applying it?” check")
                    : new PendingFromClient(open, open, EmailKinds.MaintenanceCheckIn, "the maintenance check-in");
            }
            default:
                return null;
        }
    }

    private Decision<EngagementEvent> Nudge(EngagementState s, NudgeClient nudge, DateTimeOffset now)
    {
        var message = (nudge.Message ?? "").Trim();
        if (message.Length == 0) return Reject(s, nudge, "a nudge needs a message");
        if (message.Length > MaxNudgeLength) return Reject(s, nudge, $"a nudge is at most {MaxNudgeLength} characters");
        if (s.Phase == EngagementPhase.Paused) return Reject(s, nudge, "the engagement is paused");
        if (s.RemindersStoppedAt is { } off) return Reject(s, nudge, $"the client turned reminders and nudges off (at {off:yyyy-MM-dd HH:mm} UTC)");
        if (s.LastNudge is { } last && now - last.NudgedAt < NudgeInterval)
            return Reject(s, nudge, $"the client was already nudged in the last 24 hours (at {last.NudgedAt:yyyy-MM-dd HH:mm} UTC); one nudge a day at most");
        var pending = PendingFrom(s);
        return Decision<EngagementEvent>.Apply(
            [new ClientNudged(s.EngagementId, message, pending?.LinkPurpose, now)],
            Email(EmailKinds.ClientNudge, Recipients.Client, pending?.LinkPurpose, pending?.Ref ?? $"nudge-{now:yyyyMMddHHmmss}"));
    }

    private Decision<EngagementEvent> ResendPending(EngagementState s, WorkflowInput input, DateTimeOffset now)
    {
        // The contract keeps ResendContract's behaviour: a new expiry, reminders again, also after it expired.
        if (s.Phase is EngagementPhase.Contract or EngagementPhase.ContractExpired) return Resend(s, input, now);
        if (s.Phase == EngagementPhase.Paused) return Reject(s, input, "the engagement is paused");
        if (PendingFrom(s) is not { } pending) return Reject(s, input, "nothing is waiting for the client");
        return Decision<EngagementEvent>.Apply(
            [new PendingLinkResent(s.EngagementId, pending.LinkPurpose, pending.Ref, now)],
            Email(pending.EmailKind, Recipients.Client, pending.LinkPurpose, pending.Ref));
    }
}

/// <summary>What the read model's <c>WaitingFor</c> says about who acts next.</summary>
public static class WaitingForClient
{
    /// <summary>
    /// Whether a listing's <c>waitingFor</c> is something the client has to do (sign, answer, confirm), not the
    /// coach (book a session, review, draft) or nobody. The questions before a session are not visible in the
    /// listing; "resend the pending link" still finds them.
    /// </summary>
    public static bool Is(string? waitingFor) => waitingFor switch
    {
        null => false,
        "client-signature" or "intake" or "final-reassessment" or "maintenance-plan-confirmation" or TimerIds.SixMonthCheck => true,
        _ when waitingFor.EndsWith("-review", StringComparison.Ordinal) => false,
        _ when waitingFor.StartsWith("reassessment-", StringComparison.Ordinal) => true,
        _ when waitingFor.StartsWith(TimerIds.MaintenanceCheckInPrefix, StringComparison.Ordinal) => true,
        _ => false,
    };
}
