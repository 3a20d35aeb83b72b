using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Workflows.Engagements;

public sealed partial class EngagementWorkflow
{
    public override EngagementState Evolve(EngagementState s, EngagementEvent e) => e switch
    {
        EngagementStarted x => s with
        {
            Phase = EngagementPhase.Contract, FirmId = x.FirmId, CoachId = x.CoachId, ClientId = x.ClientId, ClientName = x.ClientName,
            ClientEmail = x.ClientEmail, ProgramId = x.ProgramId, ProgramVersion = x.ProgramVersion, Terms = x.Terms, StartedAt = x.StartedAt,
            SponsorId = x.SponsorId, CohortId = x.CohortId, ClientTimeZone = x.ClientTimeZone,
        },
        ContractSent x => s with
        {
            Phase = s.Phase is EngagementPhase.New or EngagementPhase.ContractExpired ? EngagementPhase.Contract : s.Phase,
            Terms = x.Terms, ContractVersion = x.ContractVersion, ContractSends = s.ContractSends + 1, ContractReminders = 0, ContractExpiresAt = x.ExpiresAt,
        },
        ContractReminderSent x => s with { ContractReminders = x.Number },
        ContractSigned x => s with
        {
            Phase = s.Phase == EngagementPhase.Contract ? EngagementPhase.Intake : s.Phase,
            SignedContractVersion = x.ContractVersion,
            Signatures = s.Signatures.Add(new ContractSignature(x.ContractVersion, x.FullName, x.IpAddress, x.UserAgent, x.DocumentSha256, x.SignedAt)),
        },
        ContractExpired => s with { Phase = EngagementPhase.ContractExpired },
        IntakeSent x => s with { IntakeDueAt = x.DueAt },
        IntakeReminderSent x => s with { IntakeReminders = x.Number },
        IntakeSaved x => s with { IntakeAnswers = QuestionnaireAnswer.Merge(s.IntakeAnswers, x.Answers) },
        IntakeCompleted x => s with
        {
            Phase = EngagementPhase.Sessions, IntakeAnswers = x.Answers, Baseline = x.Baseline, IntakeCompletedAt = x.CompletedAt, LastRatedAt = x.CompletedAt,
        },
        SessionScheduled x => s with { Sessions = s.Sessions.Add(new SessionRecord(x.Number, x.StartAt, x.TimeZoneId)) },
        SessionRescheduled x => WithSession(s, x.Number, r => r with { StartAt = x.StartAt, TimeZoneId = x.TimeZoneId, ReminderSent = false }),
        SessionReminderSent x => WithSession(s, x.Number, r => r with { ReminderSent = true }),
        PreSessionAnswered x => WithSession(s, x.Number, r => r with { PreSessionAnswered = true }),
        SessionAgreementCaptured x => WithSession(s, x.Number, r => r with { AgreementCaptured = true }) with
        {
            Actions = s.Actions.AddRange(x.Actions.Select(a => new ActionRecord(a.ActionId, x.Number, a.Description, a.DueAt))),
        },
        SessionHeld x => WithSession(s, x.Number, r => r with { HeldAt = x.HeldAt }) with
        {
            SessionsHeld = x.Number,
            LastSessionHeldAt = x.HeldAt,
            // Without a final reassessment, the last session leads straight to graduation.
            Phase = x.Number >= ProgramOf(s).SessionCount ? EngagementPhase.Graduation : s.Phase,
        },
        CoachNudged => s with { CoachNudges = s.CoachNudges + 1 },
        ActionCheckInRequested x => WithAction(s, x.ActionId, a => a with { CheckInRequested = true }),
        ActionCheckedIn x => WithAction(s, x.ActionId, a => a with
        {
            LastStatus = x.Status, LastLearning = x.Learning, NotDoneStreak = x.Status == ActionStatus.NotDone ? a.NotDoneStreak + 1 : 0,
        }),
        ReassessmentRequested x => s with
        {
            Phase = x.Final ? EngagementPhase.Graduation : EngagementPhase.Reassessment,
            Reassessments = s.Reassessments.Add(new ReassessmentRecord(x.Number, x.Final, x.RequestedAt)),
        },
        ReassessmentReminderSent x => WithReassessment(s, x.Number, r => r with { Reminders = r.Reminders + 1 }),
        ReassessmentCompleted x => WithReassessment(s, x.Number, r => r with
        {
            Ratings = [.. x.Deltas.Select(d => new Rating(d.ItemId, d.Score))], CompletedAt = x.CompletedAt,
        }) with { LastRatedAt = x.CompletedAt },
        ReassessmentReviewed x => WithReassessment(s, x.Number, r => r with { ReviewedAt = x.ReviewedAt }) with
        {
            Phase = s.Phase == EngagementPhase.Reassessment ? EngagementPhase.Sessions : s.Phase,
            Actions = [.. s.Actions.Select(a => x.DroppedActionIds.Contains(a.ActionId) ? a with { Dropped = true } : a)],
        },
        FlagRaised x => s with { Flags = s.Flags.Add(new EngagementFlag(x.Flag, x.Subject, x.RaisedAt)) },
        FlagCleared x => s with { Flags = s.Flags.RemoveAll(f => f.Name == x.Flag && f.Subject == x.Subject) },
        MaintenancePlanDrafted x => s with { Plan = x.Plan, PlanDrafts = s.PlanDrafts + 1, PlanChangesRequestedOn = null },
        MaintenancePlanChangesRequested x => s with { PlanChangesRequestedOn = x.Draft },
        FollowUpStarted x => s with { FollowUps = s.FollowUps.Add(x.FollowUpEngagementId) },
        PreviousEngagementLinked x => s with { PreviousEngagementId = x.PreviousEngagementId },
        ClientNudged x => s with { LastNudge = new ClientNudge(x.Message, x.NudgedAt) },
        PendingLinkResent => s,
        RemindersStopped x => s with { RemindersStoppedAt = x.StoppedAt },
        RemindersResumed => s with { RemindersStoppedAt = null },
        // A withheld reminder takes its turn, so a chain of reminders keeps its count and its end (MaxReminders).
        ReminderWithheld x => x.Kind switch
        {
            EmailKinds.ContractReminder => s with { ContractReminders = s.ContractReminders + 1 },
            EmailKinds.IntakeReminder => s with { IntakeReminders = s.IntakeReminders + 1 },
            EmailKinds.ReassessmentReminder when s.Reassessments.LastOrDefault() is { CompletedAt: null } pending =>
                WithReassessment(s, pending.Number, r => r with { Reminders = r.Reminders + 1 }),
            _ => s,
        },
        MaintenancePlanConfirmed => s,
        Graduated x => s with { Phase = EngagementPhase.Maintenance, GraduatedAt = x.GraduatedAt, MaintenanceEndsAt = x.MaintenanceEndsAt },
        MaintenanceCheckInSent x => s with { ChecksSent = s.ChecksSent.Add(x.CheckId) },
        MaintenanceCheckInRecorded x => s with
        {
            ChecksAnswered = s.ChecksAnswered.Add(new MaintenanceCheckRecord(x.CheckId, x.StillApplying, x.TriggerReported, x.RecordedAt)),
        },
        EngagementPaused => s with { PausedFrom = s.Phase, Phase = EngagementPhase.Paused },
        EngagementResumed => s with { Phase = s.PausedFrom ?? EngagementPhase.Sessions, PausedFrom = null },
        CoachChanged x => s with { CoachId = x.NewCoachId },
        EngagementEnded x => s with { Phase = EngagementPhase.Ended, PausedFrom = null, EndedBy = x.By, EndReason = x.Reason, ClosedAt = x.EndedAt },
        EngagementClosed x => s with { Phase = EngagementPhase.Closed, ClosedAt = x.ClosedAt },
        _ => s,
    };

    private static EngagementState WithSession(EngagementState s, int number, Func<SessionRecord, SessionRecord> change) =>
        s with { Sessions = [.. s.Sessions.Select(r => r.Number == number ? change(r) : r)] };

    private static EngagementState WithAction(EngagementState s, string actionId, Func<ActionRecord, ActionRecord> change) =>
        s with { Actions = [.. s.Actions.Select(a => a.ActionId == actionId ? change(a) : a)] };

    private static EngagementState WithReassessment(EngagementState s, int number, Func<ReassessmentRecord, ReassessmentRecord> change) =>
        s with { Reassessments = [.. s.Reassessments.Select(r => r.Number == number ? change(r) : r)] };
}
