using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Questionnaires;
using CoachFlow.Workflows.Runtime;

namespace CoachFlow.Documents.Samples;

/// <summary>One document as the engagement wrote it: its kind and name, what it says, and its HTML.</summary>
public sealed record RenderedDocument(string Kind, string Name, ReaderDocument Document, string Html, DocumentSource Source);

/// <summary>
/// Sam Rivera's career-6 engagement from the contract to the end of maintenance, in words a real client
/// would use. Every <see cref="WriteDocument"/> effect is rendered when it is decided, from the state and
/// events of that moment, as the host's document writer does.
/// </summary>
public sealed class SampleEngagement
{
    /// <summary>What the client asks to change in the first draft of their plan.</summary>
    public const string PlanChange = "Please add a monthly call with a mentor to the frameworks I keep.";
    public const string EngagementId = "eng-7f3a9c1e";
    public const string ClientName = "Sam Rivera";
    public static readonly DateTimeOffset T0 = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);
    public static readonly Branding Branding = new("Northwind Coaching", "#0b6e4f", "Casey Coach");

    /// <summary>Text answers to the intake, by item id.</summary>
    public static readonly ImmutableDictionary<string, string> IntakeTexts = new Dictionary<string, string>
    {
        ["accomplishments"] = "Cut onboarding time for new engineers from 6 weeks to 3.\nLed the migration of 40 services to the new platform, saving about 120,000 EUR a year.",
        ["energy-drains"] = "Status meetings without decisions. I leave them flat because nothing moves.",
        ["procrastinated-tasks"] = "Updating my CV and reaching out to people in the energy sector.",
        ["recurring-conflicts"] = "Disagreements with my manager about how much time goes to mentoring.",
        ["outside-evidence"] = "Last review: \"the person teams go to when things are stuck\". Two recruiters wrote this year.",
        ["stuck-point"] = "I know I want to lead in renewable energy, but I keep waiting to feel ready before applying.",
        ["values"] = "Fairness, craft, building things that last, time with my family, learning.",
        ["swot-strengths"] = "Calm under pressure; turning messy systems into clear plans.",
        ["swot-weaknesses"] = "I undersell my results and avoid asking for introductions.",
        ["swot-opportunities"] = "Grid-scale storage companies are hiring operations leads.",
        ["swot-threats"] = "Hiring freezes if interest rates stay high.",
    }.ToImmutableDictionary();

    /// <summary>Baseline ratings; reassessment 1 and 2 add to them.</summary>
    public static readonly ImmutableDictionary<string, int> Baseline = new Dictionary<string, int>
    {
        ["wheel-career"] = 4, ["wheel-finances"] = 6, ["wheel-health"] = 5, ["wheel-family"] = 7, ["wheel-relationships"] = 6,
        ["wheel-growth"] = 5, ["wheel-fun"] = 3, ["wheel-environment"] = 7,
        ["scale-next-move-clarity"] = 3, ["scale-confidence"] = 4, ["scale-network"] = 2,
    }.ToImmutableDictionary();

    public static readonly ImmutableDictionary<string, int> First = Baseline.SetItems(new Dictionary<string, int>
        { ["wheel-career"] = 6, ["wheel-fun"] = 4, ["scale-next-move-clarity"] = 6, ["scale-confidence"] = 5, ["scale-network"] = 4 });

    public static readonly ImmutableDictionary<string, int> Final = First.SetItems(new Dictionary<string, int>
        { ["wheel-career"] = 8, ["wheel-finances"] = 7, ["wheel-health"] = 4, ["scale-next-move-clarity"] = 8, ["scale-confidence"] = 7, ["scale-network"] = 7 });

    public const string PrivateNotes = "Hesitates when money comes up; explore what 'ready' means to Sam.";
    public const string PreSessionWish = "I want to leave with the first three people to contact.";
    public const string Learning = "People were glad to help once I asked plainly.";
    public const string Outcomes = "Offer accepted: head of operations at a grid-storage company, 18% higher total pay.";
    public const string Trigger = "My new company may be acquired next year.";

    private readonly EngagementWorkflow _workflow = new();
    private readonly List<EngagementEvent> _events = [];
    private readonly Dictionary<string, string> _contractShas = [];
    private DateTimeOffset _now = T0;

    public EngagementState State { get; private set; }
    public List<RenderedDocument> Documents { get; } = [];

    /// <summary>Every event, in order (the timeline a read model holds).</summary>
    public IReadOnlyList<EngagementEvent> Events => _events;

    /// <summary>Every input the client and coach sent (timers aside), when, and the version it brought the engagement to.</summary>
    public List<(WorkflowInput Input, DateTimeOffset At, long Version)> Inputs { get; } = [];

    private SampleEngagement() => State = _workflow.Initial(EngagementId);

    /// <summary>The whole engagement, every document it wrote, in the order it wrote them.</summary>
    public static SampleEngagement Run()
    {
        var e = new SampleEngagement();
        var terms = new EngagementTerms(60, 1800m, "EUR", "Half at signature, half after session 3.", "Move a session up to 24 hours ahead at no cost.",
            "Acme Energy", "the number of sessions held, actions completed and the trend of the reassessments.",
            ["A leadership role in renewable energy within 12–18 months, with at least 15% higher total pay"]);
        e.Do(new StartEngagement("firm-northwind", "coach-casey", "client-sam", ClientName, "sam@example.test", "career-6", terms, SponsorId: "sponsor-acme"));
        e.After(TimeSpan.FromDays(1));
        var contractSha = e._contractShas["contract-v1"];
        e.Do(new SignContract(1, ClientName, true, "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", contractSha));
        e.After(TimeSpan.FromDays(3));
        e.Do(new SubmitIntake([.. CareerQuestionnaires.Intake.Items.Select(i => i.Kind == ItemKind.Rating
            ? new QuestionnaireAnswer(i.Id, Score: Baseline[i.Id])
            : new QuestionnaireAnswer(i.Id, Text: IntakeTexts[i.Id]))]));

        for (var n = 1; n <= 6; n++)
        {
            e.After(TimeSpan.FromDays(1));
            var start = new DateTimeOffset(e._now.Year, e._now.Month, e._now.Day, 16, 30, 0, TimeSpan.Zero) + TimeSpan.FromDays(6);
            e.Do(new ScheduleSession(n, start, "Europe/Amsterdam"));
            e._now = start - TimeSpan.FromHours(20);
            if (n > 1)
                e.Do(new AnswerPreSession(n, [.. e.State.Actions.Where(a => a.IsOpen()).Select((a, i) =>
                    new ActionReview(a.ActionId, i % 2 == 0 ? ActionStatus.Done : ActionStatus.Partly, i % 2 == 0 ? Learning : "Halfway: one call booked."))], PreSessionWish));
            e._now = start + TimeSpan.FromHours(1);
            e.Do(new CaptureSessionAgreement(n, Agreement(n, e._now + TimeSpan.FromDays(7))));
            e.Do(new MarkSessionHeld(n));
            if (e.State.Reassessments.LastOrDefault() is { CompletedAt: null })
            {
                var number = e.State.Reassessments.Count;
                var final = e.State.Reassessments[^1].Final;
                var scores = final ? Final : First;
                e.After(TimeSpan.FromDays(2));
                e.Do(new SubmitReassessment(number, [.. scores.Select(x => new Rating(x.Key, x.Value))],
                    [new IndicatorReading("Informational interviews held", final ? "6 of 5" : "2 of 5")], final ? Outcomes : null));
                e.After(TimeSpan.FromDays(1));
                e.Do(new ReviewReassessment(number, [final ? "Keep the weekly review going after graduation" : "Narrow the search to grid-scale storage companies"], [], false));
            }
        }
        e.After(TimeSpan.FromDays(2));
        e.Do(new DraftMaintenancePlan(new MaintenancePlan(
            ["GROW for big decisions", "A 20-minute weekly review on Sundays"], ["Fairness", "Calm under pressure", "Turning messy systems into clear plans"],
            "A one-page goal sheet with three goals, reviewed every Sunday.", "Half a day each quarter, away from the desk.",
            ["An industry shift", "A step up to an executive role", "Feeling stuck for a month"], Outcomes)));
        // The client asks for one change; the coach redrafts and the client confirms the second draft.
        e.After(TimeSpan.FromDays(1));
        e.Do(new RequestPlanChanges(1, PlanChange));
        e.After(TimeSpan.FromDays(1));
        e.Do(new DraftMaintenancePlan(new MaintenancePlan(
            ["GROW for big decisions", "A 20-minute weekly review on Sundays", "A monthly call with a mentor"], ["Fairness", "Calm under pressure", "Turning messy systems into clear plans"],
            "A one-page goal sheet with three goals, reviewed every Sunday.", "Half a day each quarter, away from the desk.",
            ["An industry shift", "A step up to an executive role", "Feeling stuck for a month"], Outcomes)));
        e.After(TimeSpan.FromDays(2));
        e.Do(new ConfirmMaintenancePlan());
        var graduated = e._now;
        var rule = ProgramCatalog.BuiltIn.Find("career-6")!.Maintenance;
        var checks = Enumerable.Range(1, 4).Select(k => (Id: TimerIds.MaintenanceCheckIn(k), Due: graduated + rule.CheckInEvery * k))
            .Append((Id: TimerIds.SixMonthCheck, Due: graduated + rule.StillApplyingCheckAfter)).OrderBy(c => c.Due).ThenBy(c => c.Id == TimerIds.SixMonthCheck ? 0 : 1);
        foreach (var (id, due) in checks)
        {
            e._now = due;
            e.Do(new TimerFired(id, due));
            e.After(TimeSpan.FromDays(2));
            e.Do(new AnswerMaintenanceCheckIn(id, id != TimerIds.MaintenanceCheckIn(2), id == TimerIds.MaintenanceCheckIn(3) ? Trigger : null,
                id == TimerIds.MaintenanceCheckIn(2) ? "The weekly review slipped during the move; the goal sheet is still on my wall." : "Weekly review every Sunday, and the quarterly retreat."));
        }
        // The closing summary is written when an engagement is ended early; render it for the closed one too.
        e.Render(new WriteDocument("closing-summary", "closing-summary"));
        return e;
    }

    /// <summary>The document built now, from the engagement as it stands (the progress report, the action check-ins).</summary>
    public RenderedDocument Live(string kind) => Now(kind, kind);

    /// <summary>A document built again from the engagement as it stands now (as a PDF download is).</summary>
    public RenderedDocument Now(string kind, string name) => Render(new WriteDocument(kind, name), keep: false);

    /// <summary>The contract with its signature record, as the PDF a client keeps.</summary>
    public ReaderDocument SignedContract() => DocumentRenderer.WithSignature(
        Documents.Single(d => d.Name == "contract-v1").Document, Documents.Single(d => d.Name == "contract-v1-signature").Document);

    private static SessionAgreement Agreement(int n, DateTimeOffset due) => new(
        new Grow(n == 1 ? "Pick the two companies to approach first" : $"Build on what the last {n - 1} session(s) opened up",
            "Three applications sent, no replies yet", "Referrals, industry events, writing to people directly", "Ask two former colleagues for introductions"),
        [new SessionGoal("Leave with a shortlist of target employers", "A written list of at least 5 companies")],
        [new ProposedAction($"Hold informational interview {n} with someone in grid storage", due, "Feeling awkward asking", "Use the short message we drafted together")],
        "A two-line message to Casey on Friday",
        [new LeadingIndicator("Informational interviews held", "5 by the end of the quarter")],
        "I am more ready than I thought.",
        "Shortlist: Fluence, Northvolt, Ørsted. Draft outreach message agreed.",
        PrivateNotes);

    private void After(TimeSpan span) => _now += span;

    private void Do(WorkflowInput input)
    {
        var decision = _workflow.Decide(State, input, _now);
        if (decision.Kind != DecisionKind.Applied || decision.Events.Count == 0)
            throw new InvalidOperationException($"{input.GetType().Name} did not apply in {State.Phase}: {decision.Kind} {decision.Reason}");
        foreach (var ev in decision.Events)
        {
            State = _workflow.Evolve(State, ev);
            _events.Add(ev);
        }
        if (input is not TimerFired) Inputs.Add((input, _now, _events.Count));
        foreach (var write in decision.Effects.OfType<WriteDocument>()) Render(write);
    }

    private RenderedDocument Render(WriteDocument write, bool keep = true)
    {
        var source = new DocumentSource(State, [.. _events], ProgramCatalog.BuiltIn.Find(State.ProgramId, State.ProgramVersion)!, Branding, _now);
        var sha = write.Kind == "contract-signature" ? _contractShas.GetValueOrDefault(write.Name.Replace("-signature", "", StringComparison.Ordinal)) : null;
        var document = DocumentRenderer.Build(write.Kind, write.Name, source, sha);
        var html = DocumentRenderer.Html(document);
        if (write.Kind == "contract") _contractShas[write.Name] = Sha256(html);
        var rendered = new RenderedDocument(write.Kind, write.Name, document, html, source);
        if (keep) Documents.Add(rendered);
        return rendered;
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
