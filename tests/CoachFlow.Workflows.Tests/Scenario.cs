using System.Collections.Immutable;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Questionnaires;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Workflows.Tests;

/// <summary>Example data in the spirit of the practice: a client aiming for a leadership role in renewable energy.</summary>
internal static class Examples
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    public static readonly EngagementTerms Terms = new(
        SessionMinutes: 60, Fee: 1800m, Currency: "EUR", PaymentTerms: "Half at signature, half after session 3",
        CancellationPolicy: "Move a session up to 24 hours ahead at no cost", SponsorName: null, SponsorSees: "nothing",
        OverallGoals: ["A leadership role in renewable energy within 12–18 months, with at least 15% higher total pay"]);

    public static StartEngagement Start(string program = "career-6", int? version = null) =>
        new("firm-1", "coach-ada", "client-sam", "Sam Rivera", "sam@example.test", program, Terms, version);

    public static SignContract Sign(int version = 1, bool consent = true) =>
        new(version, "Sam Rivera", consent, "203.0.113.7", "Mozilla/5.0", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");

    public static ImmutableList<QuestionnaireAnswer> IntakeAnswers(int wheelScore = 4) =>
    [
        .. CareerQuestionnaires.Intake.Items.Select(i => i.Kind == ItemKind.Rating
            ? new QuestionnaireAnswer(i.Id, Score: wheelScore)
            : new QuestionnaireAnswer(i.Id, Text: $"My answer to {i.Id}")),
    ];

    public static ImmutableList<Rating> Ratings(int score) =>
        [.. CareerQuestionnaires.Reassessment.RatingItems.Select(i => new Rating(i.Id, score))];

    public static SessionAgreement Agreement(DateTimeOffset actionDue, int actions = 1) => new(
        new Grow("Pick the two companies to approach first", "Three applications sent, no replies yet", "Referrals, events, cold outreach",
            "Ask two former colleagues for introductions"),
        [new SessionGoal("Leave with a shortlist of target employers", "A written list of at least 5 companies")],
        [.. Enumerable.Range(1, actions).Select(n => new ProposedAction($"Hold informational interview {n}", actionDue,
            "Feeling awkward asking", "Use the short message drafted together"))],
        "A two-line message to the coach on Friday",
        [new LeadingIndicator("Informational interviews held", "5 by the end of the quarter")],
        "I am more ready than I thought",
        "Shortlist and outreach plan",
        "Hesitates when money comes up");

    public static ReviewReassessment Review(int number, params string[] dropped) =>
        new(number, ["Narrow the search to grid-scale storage companies"], [.. dropped], AmendmentNeeded: false);

    public static MaintenancePlan Plan => new(
        ["GROW for decisions", "A 20-minute weekly review"], ["Fairness", "Building things that last"],
        "A one-page goal sheet reviewed on Sundays", "Half a day each quarter", ["An industry shift", "A step up to an executive role", "Feeling stuck for a month"],
        "Offer accepted as head of operations at a storage company");
}

/// <summary>One engagement driven step by step: given inputs must apply, the last decision is kept for assertions.</summary>
internal sealed class Scenario
{
    public EngagementWorkflow Workflow { get; }
    public EngagementState State { get; private set; }
    public DateTimeOffset Now { get; set; } = Examples.T0;
    public Decision<EngagementEvent> Last { get; private set; } = Decision<EngagementEvent>.None;

    public Scenario(ProgramCatalog? catalog = null)
    {
        Workflow = catalog is null ? new EngagementWorkflow() : new EngagementWorkflow(catalog);
        State = Workflow.Initial("eng-1");
    }

    public Scenario After(TimeSpan span)
    {
        Now += span;
        return this;
    }

    public Decision<EngagementEvent> When(WorkflowInput input)
    {
        Last = Workflow.Decide(State, input, Now);
        foreach (var e in Last.Events) State = Workflow.Evolve(State, e);
        return Last;
    }

    public Decision<EngagementEvent> WhenTimer(string timerId) => When(new TimerFired(timerId, Now));

    public Scenario Given(WorkflowInput input)
    {
        var decision = When(input);
        Assert.True(decision.Kind == DecisionKind.Applied && decision.Events.Count > 0,
            $"Setup input {input.GetType().Name} did not apply in phase {State.Phase}: {decision.Kind} {decision.Reason}");
        return this;
    }

    public Scenario GivenTimer(string timerId) => Given(new TimerFired(timerId, Now));

    // ---- the engagement at its milestones ----

    public static Scenario ContractSent(ProgramCatalog? catalog = null) => new Scenario(catalog).Given(Examples.Start());

    public static Scenario Signed() => ContractSent().After(TimeSpan.FromDays(1)).Given(Examples.Sign());

    public static Scenario IntakeCompleted() => Signed().After(TimeSpan.FromDays(2)).Given(new SubmitIntake(Examples.IntakeAnswers()));

    public Scenario SessionScheduled(int number) =>
        After(TimeSpan.FromDays(1)).Given(new ScheduleSession(number, Now + TimeSpan.FromDays(7), "Europe/Amsterdam"));

    /// <summary>Schedules, captures (one action due a week later) and holds the next session.</summary>
    public Scenario SessionHeld(int number)
    {
        if (State.Session(number) is null) SessionScheduled(number);
        Now = State.Session(number)!.StartAt + TimeSpan.FromHours(1);
        Given(new CaptureSessionAgreement(number, Examples.Agreement(Now + TimeSpan.FromDays(7))));
        return Given(new MarkSessionHeld(number));
    }

    public Scenario SessionsHeld(int count)
    {
        for (var n = State.SessionsHeld + 1; n <= count; n++)
        {
            SessionHeld(n);
            if (State.Phase == EngagementPhase.Reassessment && n < count) ReassessmentDone(State.Reassessments.Count, 4 + State.Reassessments.Count);
        }
        return this;
    }

    public Scenario ReassessmentDone(int number, int score) =>
        After(TimeSpan.FromDays(1)).Given(new SubmitReassessment(number, Examples.Ratings(score), [new IndicatorReading("Informational interviews held", "3")]))
            .After(TimeSpan.FromDays(1)).Given(Examples.Review(number));

    /// <summary>Six sessions held: the final reassessment is out, unanswered.</summary>
    public static Scenario IntakeIsDoneAndSixSessionsHeld() => IntakeCompleted().SessionsHeld(6);

    public static Scenario Graduating()
    {
        var s = IntakeCompleted().SessionsHeld(6);
        return s.ReassessmentDone(2, 7);
    }

    public static Scenario InMaintenance() =>
        Graduating().After(TimeSpan.FromDays(1)).Given(new DraftMaintenancePlan(Examples.Plan)).After(TimeSpan.FromDays(1)).Given(new ConfirmMaintenancePlan());
}

internal static class DecisionAssertions
{
    public static IEnumerable<string> Emails(this Decision<EngagementEvent> d) =>
        d.Effects.OfType<SendEmail>().Select(e => $"{e.Kind}/{e.Ref}");

    public static IEnumerable<string> Timers(this Decision<EngagementEvent> d) => d.Effects.OfType<SetTimer>().Select(t => t.TimerId);

    public static IEnumerable<string> Cancelled(this Decision<EngagementEvent> d) => d.Effects.OfType<CancelTimer>().Select(t => t.TimerId);

    public static IEnumerable<string> Notifications(this Decision<EngagementEvent> d) => d.Effects.OfType<NotifyCoach>().Select(n => n.Kind);

    public static IEnumerable<string> Documents(this Decision<EngagementEvent> d) => d.Effects.OfType<WriteDocument>().Select(w => w.Name);

    public static T Single<T>(this Decision<EngagementEvent> d) where T : EngagementEvent => Assert.Single(d.Events.OfType<T>());
}
