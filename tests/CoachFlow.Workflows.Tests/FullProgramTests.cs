using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Runtime;
using static CoachFlow.Workflows.Tests.Examples;

namespace CoachFlow.Workflows.Tests;

/// <summary>
/// Runs an engagement in memory the way the durable runtime does: timers set by decisions fire in time order,
/// deferred inputs are offered again after every applied step, and a scripted coach and client answer the
/// emails and notifications they receive.
/// </summary>
internal sealed class Simulation(EngagementWorkflow workflow, Func<WorkflowEffect, EngagementState, DateTimeOffset, IEnumerable<(TimeSpan After, WorkflowInput Input)>> react)
{
    private readonly Dictionary<string, (DateTimeOffset Due, long Seq)> _timers = [];
    private readonly List<(DateTimeOffset Due, long Seq, WorkflowInput Input)> _actors = [];
    private readonly List<WorkflowInput> _deferred = [];
    private long _seq;

    public EngagementState State { get; private set; } = workflow.Initial("eng-full");
    public List<(DateTimeOffset At, WorkflowEffect Effect)> Effects { get; } = [];
    public List<EngagementEvent> Events { get; } = [];
    public List<string> Rejections { get; } = [];

    public void Run(WorkflowInput first, DateTimeOffset start, int maxSteps = 5000)
    {
        Step(first, start);
        for (var i = 0; i < maxSteps && !State.IsFinished(); i++)
        {
            var timer = _timers.OrderBy(t => t.Value.Due).ThenBy(t => t.Value.Seq).Select(t => ((string, DateTimeOffset, long)?)(t.Key, t.Value.Due, t.Value.Seq)).FirstOrDefault();
            var actor = _actors.OrderBy(a => a.Due).ThenBy(a => a.Seq).Select(a => ((DateTimeOffset, long, WorkflowInput)?)a).FirstOrDefault();
            if (timer is null && actor is null) break;
            if (actor is { } a && (timer is not { } t0 || (a.Item1, a.Item2).CompareTo((t0.Item2, t0.Item3)) < 0))
            {
                _actors.Remove(a);
                Step(a.Item3, a.Item1);
            }
            else
            {
                var (id, due, _) = timer!.Value;
                _timers.Remove(id);
                Step(new TimerFired(id, due), due);
            }
        }
    }

    private void Step(WorkflowInput input, DateTimeOffset now)
    {
        if (!Decide(input, now)) return;
        // The runtime offers deferred inputs again after every applied step.
        for (var again = true; again;)
        {
            again = false;
            foreach (var deferred in _deferred.ToList())
            {
                _deferred.Remove(deferred);
                if (Decide(deferred, now)) { again = true; break; }
            }
        }
    }

    private bool Decide(WorkflowInput input, DateTimeOffset now)
    {
        var d = workflow.Decide(State, input, now);
        switch (d.Kind)
        {
            case DecisionKind.Deferred: _deferred.Add(input); return false;
            case DecisionKind.Rejected: Rejections.Add(d.Reason!); return false;
        }
        foreach (var e in d.Events)
        {
            State = workflow.Evolve(State, e);
            Events.Add(e);
        }
        foreach (var effect in d.Effects)
        {
            Effects.Add((now, effect));
            switch (effect)
            {
                case SetTimer set: _timers[set.TimerId] = (set.DueAt, _seq++); break;
                case CancelTimer cancel: _timers.Remove(cancel.TimerId); break;
            }
            foreach (var (after, next) in react(effect, State, now)) _actors.Add((now + after, _seq++, next));
        }
        return d.Events.Count > 0;
    }

    public IEnumerable<string> Emails => Effects.Select(e => e.Effect).OfType<SendEmail>().Select(e => $"{e.Kind}/{e.Ref}");
}

public class FullProgramTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1), Day = TimeSpan.FromDays(1);

    /// <summary>A cooperative coach and client: they answer every email a little later, as people do.</summary>
    private static IEnumerable<(TimeSpan, WorkflowInput)> CoachAndClient(WorkflowEffect effect, EngagementState s, DateTimeOffset now)
    {
        static int Number(string? reference) => int.Parse(reference!.Split('-')[^1]);
        switch (effect)
        {
            case SendEmail { Kind: EmailKinds.ContractInvitation }:
                yield return (4 * Day, Sign());
                break;
            case SendEmail { Kind: EmailKinds.IntakeInvitation }:
                yield return (Day, new SaveIntake([.. IntakeAnswers().Take(5)]));
                yield return (5 * Day, new SubmitIntake([.. IntakeAnswers().Skip(5)]));
                break;
            case SendEmail { Kind: EmailKinds.PreSessionBrief }:
                yield return (Day, new ScheduleSession(1, now + 7 * Day, "Europe/Amsterdam"));
                break;
            case SendEmail { Kind: EmailKinds.SessionConfirmation, Ref: var r }:
            {
                var n = Number(r);
                var end = s.Session(n)!.StartAt + Hour;
                yield return (end - now, new CaptureSessionAgreement(n, Agreement(end + 7 * Day)));
                yield return (end - now, new MarkSessionHeld(n));
                break;
            }
            case SendEmail { Kind: EmailKinds.SessionReminder, Ref: var r }:
                yield return (2 * Hour, new AnswerPreSession(Number(r),
                    [.. s.Actions.Where(a => a.IsOpen()).Select(a => new ActionReview(a.ActionId, ActionStatus.Done, "Done, and it helped"))],
                    "Prepare for the interview with the storage company"));
                break;
            case SendEmail { Kind: EmailKinds.SessionSummary, Ref: var r } when Number(r) < 6:
                yield return (Day, new ScheduleSession(Number(r) + 1, now + 14 * Day, "Europe/Amsterdam"));
                break;
            case SendEmail { Kind: EmailKinds.ActionCheckIn, Ref: var id }:
                yield return (2 * Hour, new CheckInAction(id!, ActionStatus.Partly, "Halfway there"));
                break;
            case SendEmail { Kind: EmailKinds.ReassessmentInvitation, Ref: var r }:
                yield return (2 * Day, new SubmitReassessment(Number(r), Ratings(4 + Number(r)), [new IndicatorReading("Informational interviews held", $"{2 * Number(r)} of 5")]));
                break;
            case NotifyCoach { Kind: "reassessment-ready", Ref: var r }:
                yield return (Day, Review(Number(r)));
                break;
            case NotifyCoach { Kind: "maintenance-plan-due" }:
                yield return (Day, new DraftMaintenancePlan(Plan));
                break;
            case SendEmail { Kind: EmailKinds.MaintenancePlanReview }:
                yield return (2 * Day, new ConfirmMaintenancePlan());
                break;
            case SendEmail { Kind: EmailKinds.MaintenanceCheckIn or EmailKinds.StillApplyingCheck, Ref: var id }:
                yield return (Day, new AnswerMaintenanceCheckIn(id!, true, id == "maintenance-checkin-3" ? "Offered an executive role" : null));
                break;
        }
    }

    private static Simulation RunCareer6()
    {
        var sim = new Simulation(new EngagementWorkflow(), CoachAndClient);
        sim.Run(Start(), T0);
        return sim;
    }

    [Fact]
    public void GivenCareer6_WhenCoachAndClientFollowTheWholeProgramAndAYearOfMaintenance_ThenEveryEmailGoesOutOnceInOrder()
    {
        var sim = RunCareer6();

        string[] expected =
        [
            "contract-invitation/contract-v1",
            "contract-reminder/v1-send-1-reminder-1",
            "intake-invitation/intake",
            "intake-reminder/reminder-1",
            "pre-session-brief/intake",
            "session-confirmation/session-1", "session-reminder/session-1", "session-summary/session-1",
            "session-confirmation/session-2", "action-checkin/s1-a1", "session-reminder/session-2", "session-summary/session-2",
            "session-confirmation/session-3", "action-checkin/s2-a1", "session-reminder/session-3", "session-summary/session-3",
            "reassessment-invitation/reassessment-1", "goals-updated/reassessment-1",
            "session-confirmation/session-4", "action-checkin/s3-a1", "session-reminder/session-4", "session-summary/session-4",
            "session-confirmation/session-5", "action-checkin/s4-a1", "session-reminder/session-5", "session-summary/session-5",
            "session-confirmation/session-6", "action-checkin/s5-a1", "session-reminder/session-6", "session-summary/session-6",
            "reassessment-invitation/reassessment-2", "goals-updated/reassessment-2",
            "maintenance-plan-review/plan-draft-1",
            "graduation/graduation",
            "maintenance-checkin/maintenance-checkin-1",
            "still-applying-check/six-month-check",
            "maintenance-checkin/maintenance-checkin-2",
            "maintenance-checkin/maintenance-checkin-3",
            "support-requested/maintenance-checkin-3", // the client reported a trigger: the coach is told by email
            "maintenance-checkin/maintenance-checkin-4",
            "maintenance-complete/closed",
        ];
        Assert.Equal(expected, sim.Emails);
        Assert.Empty(sim.Rejections);
        Assert.Equal(EngagementPhase.Closed, sim.State.Phase);
        Assert.Equal([FlagNames.SupportRequested], sim.State.Flags.Select(f => f.Name)); // the coach has not followed up (yet)
        Assert.Equal(["support-trigger"], sim.Effects.Select(e => e.Effect).OfType<NotifyCoach>().Where(n => n.Kind == "support-trigger").Select(n => n.Kind));
        Assert.InRange(sim.State.ClosedAt!.Value - T0, TimeSpan.FromDays(440), TimeSpan.FromDays(470));

        var documents = sim.Effects.Select(e => e.Effect).OfType<WriteDocument>().Select(w => w.Name).ToList();
        Assert.Equal(documents.Distinct(), documents);
        Assert.Contains("contract-v1", documents);
        Assert.Contains("contract-v1-signature", documents);
        Assert.Contains("intake-answers", documents);
        Assert.All(Enumerable.Range(1, 6), n => Assert.Contains($"session-{n}-summary", documents));
        Assert.Contains("reassessment-2-report", documents);
        Assert.Contains("maintenance-plan", documents);
    }

    [Fact]
    public void GivenDemoAccelerated_WhenRunEndToEnd_ThenTheWholeLifecycleFitsInAFewMinutesOfProgramTime()
    {
        var sim = new Simulation(new EngagementWorkflow(), (effect, state, now) =>
            CoachAndClient(effect, state, now).Select(r => (TimeSpan.FromTicks(r.Item1.Ticks / 86_400 / 2), r.Item2)));
        sim.Run(Start(program: "demo-accelerated"), T0);

        Assert.Equal(EngagementPhase.Closed, sim.State.Phase);
        Assert.Empty(sim.Rejections);
        Assert.InRange(sim.State.ClosedAt!.Value - T0, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(3));
        Assert.Contains("graduation/graduation", sim.Emails);
        Assert.Equal(sim.Emails.Distinct(), sim.Emails);
    }

    [Fact]
    public void GivenAFullRun_WhenStateIsSerializedWithWebDefaults_ThenItReadsBackWithTheSamePhaseAndCounters()
    {
        var state = RunCareer6().State;
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);

        var json = JsonSerializer.Serialize(state, web);
        var back = JsonSerializer.Deserialize<EngagementState>(json, web)!;

        Assert.Equal(
            (state.Phase, state.SessionsHeld, state.Actions.Count, state.Reassessments.Count, state.ChecksSent.Count, state.ChecksAnswered.Count, state.Signatures.Count),
            (back.Phase, back.SessionsHeld, back.Actions.Count, back.Reassessments.Count, back.ChecksSent.Count, back.ChecksAnswered.Count, back.Signatures.Count));
        Assert.Equal(state.Baseline, back.Baseline);
        Assert.Equal(state.Sessions, back.Sessions);
        Assert.Equal(state.Reassessments.Select(r => r with { Ratings = null }), back.Reassessments.Select(r => r with { Ratings = null }));
        Assert.Equal(json, JsonSerializer.Serialize(back, web));
        var (before, after) = (new EngagementWorkflow().Project(state), new EngagementWorkflow().Project(back));
        Assert.Equal(before, after with { Flags = before.Flags });
        Assert.Equal(before.Flags, after.Flags);
    }

    [Fact]
    public void GivenAFullRun_WhenEveryEventIsStoredTheWayTheRuntimeStoresIt_ThenEachReadsBackAsTheSameType()
    {
        var workflow = new EngagementWorkflow();
        var sim = RunCareer6();
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info =>
        {
            if (info.Type != typeof(EngagementEvent)) return;
            info.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "$type" };
            foreach (var type in workflow.EventTypes) info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, type.Name));
        });
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = resolver, Converters = { new JsonStringEnumConverter() } };

        foreach (var e in sim.Events)
        {
            var json = JsonSerializer.Serialize(e, options);
            var back = JsonSerializer.Deserialize<EngagementEvent>(json, options)!;
            Assert.Equal(e.GetType(), back.GetType());
            Assert.Equal(json, JsonSerializer.Serialize(back, options));
        }
        Assert.Equal(sim.Events.Select(e => e.GetType()).Distinct().Where(t => !workflow.EventTypes.Contains(t)), []);
    }
}
