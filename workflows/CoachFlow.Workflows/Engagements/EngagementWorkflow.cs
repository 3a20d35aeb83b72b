using CoachFlow.Workflows.Reassessments;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Engagements;

/// <summary>
/// A coaching engagement from contract to the end of maintenance, as a pure decider over
/// <see cref="EngagementState"/>. Programs come from a <see cref="ProgramCatalog"/>; an engagement pins the
/// program version it started on.
/// </summary>
/// <remarks>
/// A repeated input decides nothing; an impossible one is rejected with a message naming the input and the
/// phase; an input that comes before the engagement is ready for it (intake answers before the signature,
/// anything while paused) is deferred. Any applied input from the coach or the client in an active phase
/// restarts the <c>stalled</c> timer and clears the stalled flag.
/// </remarks>
public sealed partial class EngagementWorkflow(ProgramCatalog programs) : WorkflowDefinition<EngagementState, EngagementEvent>
{
    public EngagementWorkflow() : this(ProgramCatalog.BuiltIn) { }

    public override string Name => "engagement";
    public override int Version => 1;

    public override IReadOnlyList<Type> InputTypes =>
    [
        typeof(StartEngagement), typeof(SignContract), typeof(ResendContract), typeof(SaveIntake), typeof(SubmitIntake),
        typeof(ScheduleSession), typeof(RescheduleSession), typeof(AnswerPreSession), typeof(CaptureSessionAgreement),
        typeof(MarkSessionHeld), typeof(CheckInAction), typeof(SubmitReassessment), typeof(ReviewReassessment),
        typeof(DraftMaintenancePlan), typeof(ConfirmMaintenancePlan), typeof(AnswerMaintenanceCheckIn),
        typeof(PauseEngagement), typeof(ResumeEngagement), typeof(EndEngagement), typeof(ChangeCoach), typeof(ReportEmailBouncing),
        typeof(RequestPlanChanges), typeof(StartFollowUp), typeof(NudgeClient), typeof(ResendPendingLink),
        typeof(StopReminders), typeof(ResumeReminders),
    ];

    public override IReadOnlyList<Type> EventTypes =>
    [
        typeof(EngagementStarted), typeof(ContractSent), typeof(ContractReminderSent), typeof(ContractSigned), typeof(ContractExpired),
        typeof(IntakeSent), typeof(IntakeReminderSent), typeof(IntakeSaved), typeof(IntakeCompleted),
        typeof(SessionScheduled), typeof(SessionRescheduled), typeof(SessionReminderSent), typeof(PreSessionAnswered),
        typeof(SessionAgreementCaptured), typeof(SessionHeld), typeof(CoachNudged), typeof(ActionCheckInRequested), typeof(ActionCheckedIn),
        typeof(ReassessmentRequested), typeof(ReassessmentReminderSent), typeof(ReassessmentCompleted), typeof(ReassessmentReviewed),
        typeof(FlagRaised), typeof(FlagCleared), typeof(MaintenancePlanDrafted), typeof(MaintenancePlanConfirmed), typeof(Graduated),
        typeof(MaintenanceCheckInSent), typeof(MaintenanceCheckInRecorded), typeof(EngagementPaused), typeof(EngagementResumed),
        typeof(CoachChanged), typeof(EngagementEnded), typeof(EngagementClosed),
        typeof(MaintenancePlanChangesRequested), typeof(FollowUpStarted), typeof(PreviousEngagementLinked),
        typeof(ClientNudged), typeof(PendingLinkResent), typeof(RemindersStopped), typeof(RemindersResumed), typeof(ReminderWithheld),
    ];

    public override IReadOnlyList<Type> EffectTypes => [typeof(SendEmail), typeof(WriteDocument), typeof(NotifyCoach)];

    public override EngagementState Initial(string instanceId) => new() { EngagementId = instanceId };

    public override Decision<EngagementEvent> Decide(EngagementState state, WorkflowInput input, DateTimeOffset now)
    {
        var decision = DecideCore(state, input, now);
        if (input is TimerFired) return WithholdingReminders(state, decision, now);
        // A nudge, a link sent again or reminders switched off or on is not progress: it neither restarts nor clears "stalled".
        return input is ReportEmailBouncing or NudgeClient or ResendPendingLink or StopReminders or ResumeReminders ? decision : WithActivity(state, decision, now);
    }

    /// <summary>
    /// While the client has reminders off, a timer whose decision sends one (<see cref="EmailKinds.RemindersAndNudges"/>) is
    /// withheld: <see cref="ReminderWithheld"/> instead of the reminder and its record, no email, but the same timers, so a
    /// chain of reminders goes on (each withheld one taking its turn) and its next reminder goes out once the client turns
    /// them back on.
    /// </summary>
    /// <remarks>Every timer that sends a reminder does only that and its own timers (each is a reminder rule), so nothing else is lost.</remarks>
    private static Decision<EngagementEvent> WithholdingReminders(EngagementState s, Decision<EngagementEvent> decision, DateTimeOffset now)
    {
        if (s.RemindersStoppedAt is null || decision.Kind != DecisionKind.Applied) return decision;
        var reminder = decision.Effects.OfType<SendEmail>().FirstOrDefault(e => e.To == Recipients.Client && EmailKinds.RemindersAndNudges.Contains(e.Kind));
        return reminder is null
            ? decision
            : Decision<EngagementEvent>.Apply([new ReminderWithheld(s.EngagementId, reminder.Kind, now)], [.. decision.Effects.Where(e => e is SetTimer or CancelTimer)]);
    }

    private Decision<EngagementEvent> DecideCore(EngagementState s, WorkflowInput input, DateTimeOffset now)
    {
        if (s.Phase == EngagementPhase.New)
            return input switch
            {
                StartEngagement start => Start(s, start, now),
                TimerFired => Decision<EngagementEvent>.None,
                _ => Reject(s, input, "the engagement has not started"),
            };

        if (s.IsFinished())
            return input switch
            {
                StartFollowUp follow when s.GraduatedAt is not null => FollowUp(s, follow, now),
                StartEngagement or EndEngagement or TimerFired or PauseEngagement or ResumeEngagement or ReportEmailBouncing
                    or StopReminders or ResumeReminders => Decision<EngagementEvent>.None,
                _ => Reject(s, input, "the engagement is over"),
            };

        switch (input)
        {
            case StartEngagement: return Decision<EngagementEvent>.None;
            case ReportEmailBouncing bounce: return ReportBounce(s, bounce, now);
            case EndEngagement end: return End(s, end, now);
            case ChangeCoach change: return ChangeCoach(s, change, now);
            case PauseEngagement pause: return Pause(s, pause, now);
            case ResumeEngagement: return s.Phase == EngagementPhase.Paused ? Resume(s, now) : Decision<EngagementEvent>.None;
            case StartFollowUp follow: return FollowUp(s, follow, now);
            case NudgeClient nudge: return Nudge(s, nudge, now);
            case ResendPendingLink: return ResendPending(s, input, now);
            case StopReminders: return s.RemindersStoppedAt is null ? Decision<EngagementEvent>.Apply([new RemindersStopped(s.EngagementId, now)]) : Decision<EngagementEvent>.None;
            case ResumeReminders: return s.RemindersStoppedAt is null ? Decision<EngagementEvent>.None : Decision<EngagementEvent>.Apply([new RemindersResumed(s.EngagementId, now)]);
        }

        if (s.Phase == EngagementPhase.Paused)
            return Decision<EngagementEvent>.Defer($"{input.GetType().Name} waits: engagement {s.EngagementId} is paused.");

        // Inputs of later phases that arrive while the contract is still out wait for the signature.
        if (s.Phase is EngagementPhase.Contract or EngagementPhase.ContractExpired
            && input is not (TimerFired or SignContract or ResendContract))
            return Decision<EngagementEvent>.Defer($"{input.GetType().Name} waits until the client signs the contract of engagement {s.EngagementId}.");

        return input switch
        {
            TimerFired timer => OnTimer(s, timer, now),
            SignContract sign => Sign(s, sign, now),
            ResendContract => Resend(s, input, now),
            SaveIntake save => SaveIntake(s, save, now),
            SubmitIntake submit => SubmitIntake(s, submit, now),
            ScheduleSession schedule => Schedule(s, schedule, now),
            RescheduleSession reschedule => Reschedule(s, reschedule, now),
            AnswerPreSession answer => AnswerPreSession(s, answer, now),
            CaptureSessionAgreement capture => CaptureAgreement(s, capture, now),
            MarkSessionHeld held => MarkHeld(s, held, now),
            CheckInAction checkIn => CheckIn(s, checkIn, now),
            SubmitReassessment submit => SubmitReassessment(s, submit, now),
            ReviewReassessment review => ReviewReassessment(s, review, now),
            DraftMaintenancePlan draft => DraftPlan(s, draft, now),
            ConfirmMaintenancePlan => ConfirmPlan(s, input, now),
            RequestPlanChanges changes => RequestPlanChanges(s, changes, now),
            AnswerMaintenanceCheckIn answer => AnswerMaintenanceCheck(s, answer, now),
            _ => Reject(s, input, "it is not an engagement input"),
        };
    }

    private Decision<EngagementEvent> OnTimer(EngagementState s, TimerFired timer, DateTimeOffset now) => timer.TimerId switch
    {
        TimerIds.ContractReminder => ContractReminder(s, now),
        TimerIds.ContractExpiry => ContractExpiry(s, now),
        TimerIds.IntakeReminder => IntakeReminder(s, now),
        TimerIds.CoachNudge => CoachNudge(s, now),
        TimerIds.Stalled => StalledTimer(s, now),
        TimerIds.ReassessmentReminder => ReassessmentReminder(s, now),
        TimerIds.SixMonthCheck => SendMaintenanceCheck(s, TimerIds.SixMonthCheck, now),
        TimerIds.MaintenanceEnd => s.Phase == EngagementPhase.Maintenance ? Close(s, now) : Decision<EngagementEvent>.None,
        var id when id.StartsWith(TimerIds.SessionReminderPrefix) && int.TryParse(id[TimerIds.SessionReminderPrefix.Length..], out var n) => SessionReminder(s, n, now),
        var id when id.StartsWith(TimerIds.MaintenanceCheckInPrefix) => SendMaintenanceCheck(s, id, now),
        var id when id.StartsWith(TimerIds.CheckInPrefix) => RequestCheckIn(s, id[TimerIds.CheckInPrefix.Length..], now),
        _ => Decision<EngagementEvent>.None,
    };

    /// <summary>Phases in which the engagement is actively coached, so silence means it has stalled.</summary>
    private static bool IsActive(EngagementPhase phase) =>
        phase is EngagementPhase.Intake or EngagementPhase.Sessions or EngagementPhase.Reassessment or EngagementPhase.Graduation;

    private Decision<EngagementEvent> WithActivity(EngagementState s, Decision<EngagementEvent> decision, DateTimeOffset now)
    {
        if (decision.Kind != DecisionKind.Applied || decision.Events.Count == 0) return decision;
        var after = decision.Events.Aggregate(s, Evolve);
        if (!IsActive(after.Phase)) return decision;
        IReadOnlyList<EngagementEvent> events = after.HasFlag(FlagNames.Stalled)
            ? [.. decision.Events, new FlagCleared(s.EngagementId, FlagNames.Stalled, null, now)]
            : decision.Events;
        return Decision<EngagementEvent>.Apply(events, [.. decision.Effects, new SetTimer(TimerIds.Stalled, now + ProgramOf(s).StalledAfter)]);
    }

    private Decision<EngagementEvent> StalledTimer(EngagementState s, DateTimeOffset now) =>
        IsActive(s.Phase) && !s.HasFlag(FlagNames.Stalled)
            ? Decision<EngagementEvent>.Apply([new FlagRaised(s.EngagementId, FlagNames.Stalled, null, now)], new NotifyCoach("engagement-stalled"))
            : Decision<EngagementEvent>.None;

    // ---- cross-cutting: pause, resume, end, change of coach ----

    private Decision<EngagementEvent> Pause(EngagementState s, PauseEngagement pause, DateTimeOffset now)
    {
        if (s.Phase == EngagementPhase.Paused) return Decision<EngagementEvent>.None;
        if (!IsActive(s.Phase)) return Reject(s, pause, "only an engagement in coaching (intake to graduation) can be paused");
        return Decision<EngagementEvent>.Apply(
            [new EngagementPaused(s.EngagementId, pause.By, pause.Reason, now)],
            new CancelTimer(TimerIds.Stalled), new CancelTimer(TimerIds.CoachNudge),
            Email(EmailKinds.EngagementPaused, Recipients.Client, null, $"pause-{now:yyyyMMddHHmmss}"),
            new NotifyCoach("engagement-paused"));
    }

    private Decision<EngagementEvent> Resume(EngagementState s, DateTimeOffset now)
    {
        var program = ProgramOf(s);
        var resumed = s with { Phase = s.PausedFrom ?? EngagementPhase.Sessions };
        List<WorkflowEffect> effects =
        [
            Email(EmailKinds.EngagementResumed, Recipients.Client, null, $"resume-{now:yyyyMMddHHmmss}"),
            new SetTimer(TimerIds.Stalled, now + program.StalledAfter),
        ];
        if (resumed.Phase == EngagementPhase.Sessions && resumed.Session(resumed.SessionsHeld + 1) is null)
            effects.Add(new SetTimer(TimerIds.CoachNudge, now + program.Reminders.CoachNudgeAfter));
        return Decision<EngagementEvent>.Apply([new EngagementResumed(s.EngagementId, now)], [.. effects]);
    }

    private Decision<EngagementEvent> End(EngagementState s, EndEngagement end, DateTimeOffset now) => Decision<EngagementEvent>.Apply(
        [new EngagementEnded(s.EngagementId, end.By, end.Reason, now)],
        [
            .. AllTimers(s).Select(id => new CancelTimer(id)),
            new WriteDocument("closing-summary", "closing-summary"),
            Email(EmailKinds.EngagementEnded, Recipients.Client, LinkPurposes.ClosingSummary, "ended"),
            new NotifyCoach("engagement-ended"),
        ]);

    private Decision<EngagementEvent> ChangeCoach(EngagementState s, ChangeCoach change, DateTimeOffset now) =>
        change.NewCoachId == s.CoachId
            ? Decision<EngagementEvent>.None
            : Decision<EngagementEvent>.Apply(
                [new CoachChanged(s.EngagementId, s.CoachId, change.NewCoachId, now)],
                Email(EmailKinds.CoachChanged, Recipients.Client, null, $"coach-{change.NewCoachId}"),
                new NotifyCoach("engagement-assigned"));

    /// <summary>Every timer the engagement may have set, so ending it can cancel them all.</summary>
    private IEnumerable<string> AllTimers(EngagementState s)
    {
        var program = ProgramOf(s);
        string[] fixedIds =
        [
            TimerIds.ContractReminder, TimerIds.ContractExpiry, TimerIds.IntakeReminder, TimerIds.ReassessmentReminder,
            TimerIds.CoachNudge, TimerIds.Stalled, TimerIds.SixMonthCheck, TimerIds.MaintenanceEnd,
        ];
        return fixedIds
            .Concat(Enumerable.Range(1, program.SessionCount).Select(TimerIds.SessionReminder))
            .Concat(s.Actions.Select(a => TimerIds.ActionCheckIn(a.ActionId)))
            .Concat(Enumerable.Range(1, program.MaintenanceCheckIns).Select(TimerIds.MaintenanceCheckIn));
    }

    /// <summary>A bounce flags the engagement once and tells the coach, whatever the phase.</summary>
    private static Decision<EngagementEvent> ReportBounce(EngagementState s, ReportEmailBouncing bounce, DateTimeOffset now) =>
        s.HasFlag(FlagNames.ClientEmailBouncing)
            ? Decision<EngagementEvent>.None
            : Decision<EngagementEvent>.Apply([new FlagRaised(s.EngagementId, FlagNames.ClientEmailBouncing, bounce.Event, now)], new NotifyCoach(FlagNames.ClientEmailBouncing));

    // ---- helpers ----

    private ProgramDefinition ProgramOf(EngagementState s) =>
        programs.Find(s.ProgramId, s.ProgramVersion)
        ?? throw new InvalidOperationException($"Engagement {s.EngagementId} runs on program {s.ProgramId} v{s.ProgramVersion}, which this host does not know.");

    private static SendEmail Email(string kind, string to, string? linkPurpose, string? reference) => new(kind, to, linkPurpose, reference);

    private static Decision<EngagementEvent> Reject(EngagementState s, WorkflowInput input, string why) =>
        Decision<EngagementEvent>.Reject($"{input.GetType().Name} cannot apply to engagement {s.EngagementId} in phase '{PhaseName(s.Phase)}': {why}.");

    private static Decision<EngagementEvent> Apply(List<EngagementEvent> events, List<WorkflowEffect> effects) =>
        Decision<EngagementEvent>.Apply(events, [.. effects]);

    /// <summary>The phase as the runtime lists it: <c>contract-expired</c>, <c>maintenance</c>…</summary>
    public static string PhaseName(EngagementPhase phase) => phase switch
    {
        EngagementPhase.ContractExpired => "contract-expired",
        _ => phase.ToString().ToLowerInvariant(),
    };

    // ---- projection ----

    public override InstanceProjection Project(EngagementState s)
    {
        var (waitingFor, dueAt) = WaitingFor(s);
        return new InstanceProjection(
            s.FirmId,
            s.CoachId,
            PhaseName(s.Phase),
            waitingFor,
            dueAt,
            [.. s.Flags.Select(f => f.Name).Distinct()],
            Completed: s.IsFinished(),
            Label: s.ClientName,
            Category: s.ProgramId,
            SponsorId: s.SponsorId,
            CohortId: s.CohortId,
            ClientId: s.ClientId,
            Milestones: new ProjectedMilestones(
                s.SignedContractVersion > 0,
                s.IntakeCompletedAt is not null,
                s.SessionsHeld,
                s.Reassessments.Count(r => r.CompletedAt is not null),
                s.GraduatedAt is not null,
                RatingComparison.MeanSinceBaseline(s)));
    }

    private (string? WaitingFor, DateTimeOffset? DueAt) WaitingFor(EngagementState s)
    {
        switch (s.Phase)
        {
            case EngagementPhase.Contract: return ("client-signature", s.ContractExpiresAt);
            case EngagementPhase.ContractExpired: return ("contract-resend", null);
            case EngagementPhase.Intake: return ("intake", s.IntakeDueAt);
            case EngagementPhase.Sessions:
            {
                var next = s.SessionsHeld + 1;
                return s.Session(next) is { } session
                    ? ($"session-{next}", session.StartAt)
                    : ($"session-{next}-scheduling", (s.LastSessionHeldAt ?? s.IntakeCompletedAt) + ProgramOf(s).Reminders.CoachNudgeAfter);
            }
            case EngagementPhase.Reassessment or EngagementPhase.Graduation:
            {
                var r = s.Reassessments.LastOrDefault();
                var name = r is { Final: true } ? "final-reassessment" : $"reassessment-{r?.Number}";
                if (r is { CompletedAt: null }) return (name, r.RequestedAt + ProgramOf(s).Reminders.ReassessmentReminderAfter);
                if (r is { ReviewedAt: null }) return ($"{name}-review", null);
                return s.Plan is null ? ("maintenance-plan-draft", null)
                    : s.PlanChangesRequestedOn is not null ? ("maintenance-plan-redraft", null)
                    : ("maintenance-plan-confirmation", null);
            }
            case EngagementPhase.Maintenance:
            {
                var next = MaintenanceSchedule(s).FirstOrDefault(c => !s.ChecksAnswered.Exists(a => a.CheckId == c.CheckId));
                return next.CheckId is null ? (null, s.MaintenanceEndsAt) : (next.CheckId, next.DueAt);
            }
            case EngagementPhase.Paused: return ("resume", null);
            default: return (null, null);
        }
    }
}
