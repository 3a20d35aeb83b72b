using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Links;
using CoachFlow.Web.Tenancy;
using CoachFlow.Runtime;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Questionnaires;
using CoachFlow.Workflows.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>One email as the scripted people read it: its kind, the reference its link carries, and when it went out.</summary>
public sealed record ObservedEmail(ReceivedEmail Email, string Kind, string? LinkPurpose, string? LinkRef, DateTimeOffset SentAt, string EffectId)
{
    public string Label => $"{Kind}/{LinkRef}";
}

/// <summary>
/// A cooperative coach and client driving engagements through a real host on a fake clock. The client acts
/// on the emails maildev received (following each one's link to learn what it is about); the coach acts on
/// their notifications and on the sessions they hold. Like people, they answer a little later; the clock moves
/// to the next due timer or scripted action, and at least once a day.
/// </summary>
internal sealed partial class CoachAndClient(FakeTimeProvider time, Maildev maildev, ConcurrentQueue<SentEmail> sent)
{
    public const string PrivateNotes = "PRIVATE-COACH-NOTE: hesitates whenever money comes up";

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1), Day = TimeSpan.FromDays(1);
    private readonly List<(DateTimeOffset Due, long Seq, string EngagementId, string Key, Func<LifecycleHost, Task<WorkflowInput>> Input)> _actions = [];
    private readonly HashSet<string> _seenEmails = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seenNotifications = new(StringComparer.Ordinal);
    private readonly HashSet<string> _engagements = new(StringComparer.Ordinal);
    private readonly HashSet<string> _closed = new(StringComparer.Ordinal);
    private int _sentSeen;
    private long _seq;

    public LifecycleHost Host { get; set; } = null!;
    public List<ObservedEmail> Emails { get; } = [];
    public List<string> Rejections { get; } = [];
    public List<(string EngagementId, string Kind, string? Ref)> Notifications { get; } = [];
    public (string FirmId, string CoachId) Coach { get; private set; }

    public IEnumerable<string> EmailsOf(string engagementId) => Emails.Where(e => e.Email.EngagementId == engagementId).Select(e => e.Label);

    public bool IsClosed(string engagementId) => _closed.Contains(engagementId);

    public async Task CreateFirmAsync(string tag)
    {
        var (firm, _, _) = await Host.Tenancy.CreateFirmAsync($"Northwind Coaching {tag}", "Ada Admin", $"admin-{tag}@northwind.test", TimeSpan.FromDays(900));
        var coach = await Host.Tenancy.AddCoachAsync(firm.FirmId, "Cleo Coach", $"coach-{tag}@northwind.test", Role.Coach, null);
        Coach = (firm.FirmId, coach.CoachId);
    }

    /// <summary>A sponsor of the firm (the employer paying for a client).</summary>
    public async Task<Coach> AddSponsorAsync(string tag) =>
        await Host.Tenancy.AddCoachAsync(Coach.FirmId, "Sasha Sponsor", $"sponsor-{tag}@employer.test", Role.Sponsor, null);

    public async Task<InputOutcome> StartAsync(string engagementId, string clientEmail, string programId = "career-6", Coach? sponsor = null)
    {
        _engagements.Add(engagementId);
        var terms = new EngagementTerms(60, 1800m, "EUR", "Half at signature, half after session 3", "Move a session up to 24 hours ahead at no cost",
            sponsor?.Name, sponsor is null ? "nothing" : "sessions held, actions completed and the trend of the reassessments.",
            ["A leadership role in renewable energy within 12–18 months"]);
        var outcome = await Host.Runtime.StartAsync("engagement", engagementId,
            new StartEngagement(Coach.FirmId, Coach.CoachId, "client-" + engagementId, "Sam Rivera", clientEmail, programId, terms, SponsorId: sponsor?.CoachId), "start");
        await SettleAsync();
        return outcome;
    }

    /// <summary>Moves time forward until <paramref name="done"/> holds, acting as the coach and client on the way.</summary>
    public async Task RunUntilAsync(Func<bool> done, TimeSpan limit)
    {
        var deadline = time.GetUtcNow() + limit;
        while (!done())
        {
            var now = time.GetUtcNow();
            if (now > deadline) throw new TimeoutException($"Not done by {deadline:O}; last emails: {string.Join(", ", Emails.TakeLast(5).Select(e => e.Label))}.");
            var next = Min(now + Day, await NextTimerDueAsync(now), _actions.Count > 0 ? _actions.Min(a => a.Due) : DateTimeOffset.MaxValue);
            time.Advance(next > now ? next - now : TimeSpan.FromSeconds(1));
            await Host.Runtime.FireDueTimersAsync();
            await SettleAsync();
            foreach (var action in _actions.Where(a => a.Due <= time.GetUtcNow()).OrderBy(a => a.Due).ThenBy(a => a.Seq).ToList())
            {
                _actions.Remove(action);
                var input = await action.Input(Host);
                var outcome = await Host.Runtime.RaiseAsync(action.EngagementId, input, action.Key);
                if (outcome.Result == InputResult.Rejected) Rejections.Add($"{action.Key}: {outcome.Message}");
                await SettleAsync();
            }
        }
    }

    /// <summary>Waits for the effects in flight, then reads what arrived and reacts to it.</summary>
    private async Task SettleAsync()
    {
        await Host.Runtime.WhenIdleAsync();
        await ReadEmailsAsync();
        await ReadNotificationsAsync();
    }

    private async Task<DateTimeOffset> NextTimerDueAsync(DateTimeOffset now)
    {
        var next = DateTimeOffset.MaxValue;
        var bucket = (now + Day).UtcDateTime.ToString("yyyyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture);
        await foreach (var row in Host.Storage.Timers.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey le {bucket}"), select: ["DueAt"]))
            if (row.GetDateTimeOffset("DueAt") is { } due && due < next) next = due;
        return next;
    }

    private async Task ReadEmailsAsync()
    {
        var expected = sent.Count;
        if (expected == _sentSeen) return;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        IReadOnlyList<ReceivedEmail> received;
        // maildev has accepted every message the transport sent; give it a moment to list them.
        while ((received = await maildev.ReadAsync(_engagements)).Count < expected && DateTime.UtcNow < deadline) await Task.Delay(20);
        _sentSeen = expected;
        // A retried send would repeat a Message-ID; the tests count those, so keep the first here.
        var byMessageId = sent.GroupBy(s => s.MessageId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var email in received)
        {
            if (!_seenEmails.Add(email.Id)) continue;
            var record = byMessageId.GetValueOrDefault(email.MessageId)
                ?? throw new InvalidOperationException($"maildev holds a message ({email.Subject}) no effect sent.");
            var (purpose, reference) = await FollowLinkAsync(email);
            var observed = new ObservedEmail(email, record.Kind, purpose, reference, record.At, record.EffectId);
            Emails.Add(observed);
            await ReactAsync(observed);
        }
    }

    /// <summary>What the email's link grants, as the client page would read it.</summary>
    private async Task<(string? Purpose, string? Ref)> FollowLinkAsync(ReceivedEmail email)
    {
        var match = LinkPattern().Match(email.Text);
        if (!match.Success) return (null, null);
        var (grant, problem) = await Host.Links.CheckAsync(match.Groups["token"].Value, CancellationToken.None);
        if (grant is null || problem != LinkProblem.None)
            throw new InvalidOperationException($"The link in '{email.Subject}' does not work: {problem}.");
        if (grant.EngagementId != email.EngagementId) throw new InvalidOperationException($"The link in '{email.Subject}' is for another engagement.");
        return (grant.Purpose, grant.Ref);
    }

    private async Task ReadNotificationsAsync()
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {$"{Coach.FirmId}|{Coach.CoachId}"}");
        await foreach (var row in Host.Notifications.QueryAsync<TableEntity>(filter))
        {
            if (!_seenNotifications.Add(row.RowKey)) continue;
            var engagementId = row.GetString("EngagementId");
            var reference = row.GetString("Ref");
            Notifications.Add((engagementId, row.GetString("Kind"), reference));
            switch (row.GetString("Kind"))
            {
                case "reassessment-ready":
                    var number = Number(reference);
                    Later(engagementId, Day, $"review-{number}", _ => Input(new ReviewReassessment(number, ["Narrow the search to grid-scale storage companies"], [], AmendmentNeeded: false)));
                    break;
                case "maintenance-plan-due":
                    Later(engagementId, Day, "draft-plan", _ => Input(new DraftMaintenancePlan(Plan)));
                    break;
                case "engagement-closed":
                    _closed.Add(engagementId);
                    break;
            }
        }
    }

    /// <summary>The coach and client's reaction to one email, as in the in-memory simulation of the model's tests.</summary>
    private async Task ReactAsync(ObservedEmail e)
    {
        var id = e.Email.EngagementId!;
        var now = e.SentAt;
        switch (e.Kind)
        {
            case EmailKinds.ContractInvitation:
                Later(id, 4 * Day, $"sign-{e.LinkRef}", async host =>
                {
                    // The client signs exactly the document they were shown.
                    var contract = await host.Documents.ReadAsync(id, e.LinkRef!, CancellationToken.None)
                        ?? throw new InvalidOperationException($"{e.LinkRef} was never stored.");
                    return new SignContract(Number(e.LinkRef), "Sam Rivera", true, "203.0.113.7", "Mozilla/5.0", contract.Sha256);
                });
                break;
            case EmailKinds.IntakeInvitation:
                Later(id, Day, "intake-save", _ => Input(new SaveIntake([.. IntakeAnswers().Take(5)])));
                Later(id, 5 * Day, "intake-submit", _ => Input(new SubmitIntake([.. IntakeAnswers().Skip(5)])));
                break;
            case EmailKinds.PreSessionBrief:
                Later(id, Day, "schedule-1", _ => Input(new ScheduleSession(1, now + 7 * Day, "Europe/Amsterdam")));
                break;
            case EmailKinds.SessionConfirmation:
            {
                // The coach holds the session when it is due: captures the agreement at its end, then marks it held.
                var n = Number(e.LinkRef);
                var end = (await StateAsync(Host, id)).Session(n)!.StartAt + Hour;
                Later(id, end - now, $"agreement-{n}", _ => Input(new CaptureSessionAgreement(n, Agreement(end + 7 * Day))));
                Later(id, end - now, $"mark-held-{n}", _ => Input(new MarkSessionHeld(n)));
                break;
            }
            case EmailKinds.SessionReminder:
            {
                var n = Number(e.LinkRef);
                var state = await StateAsync(Host, id);
                Later(id, 2 * Hour, $"pre-session-{n}", _ => Input(new AnswerPreSession(n,
                    [.. state.Actions.Where(a => a.IsOpen()).Select(a => new ActionReview(a.ActionId, ActionStatus.Done, "Done, and it helped"))],
                    "Prepare for the interview with the storage company")));
                break;
            }
            case EmailKinds.SessionSummary:
            {
                // The coach books the next session at the cadence of the engagement's own program version.
                var n = Number(e.LinkRef);
                var state = await StateAsync(Host, id);
                var program = Host.Programs.Find(state.ProgramId, state.ProgramVersion)!;
                if (n < program.SessionCount)
                    Later(id, Day, $"schedule-{n + 1}", _ => Input(new ScheduleSession(n + 1, now + program.SessionCadence, "Europe/Amsterdam")));
                break;
            }
            case EmailKinds.ActionCheckIn:
                Later(id, 2 * Hour, $"checkin-{e.LinkRef}", _ => Input(new CheckInAction(e.LinkRef!, ActionStatus.Partly, "Halfway there")));
                break;
            case EmailKinds.ReassessmentInvitation:
            {
                var n = Number(e.LinkRef);
                Later(id, 2 * Day, $"reassessment-{n}", _ => Input(new SubmitReassessment(n, Ratings(4 + n), [new IndicatorReading("Informational interviews held", $"{2 * n} of 5")])));
                break;
            }
            case EmailKinds.MaintenancePlanReview:
                Later(id, 2 * Day, $"confirm-{e.LinkRef}", _ => Input(new ConfirmMaintenancePlan()));
                break;
            case EmailKinds.MaintenanceCheckIn or EmailKinds.StillApplyingCheck:
                Later(id, Day, $"answer-{e.LinkRef}", _ => Input(new AnswerMaintenanceCheckIn(e.LinkRef!, true,
                    e.LinkRef == "maintenance-checkin-3" ? "Offered an executive role" : null)));
                break;
        }
    }

    private void Later(string engagementId, TimeSpan after, string key, Func<LifecycleHost, Task<WorkflowInput>> input) =>
        _actions.Add((time.GetUtcNow() + after, _seq++, engagementId, key, input));

    private static Task<WorkflowInput> Input(WorkflowInput input) => Task.FromResult(input);

    public static async Task<EngagementState> StateAsync(LifecycleHost host, string engagementId) =>
        EngagementService.ReadState(await host.Runtime.GetAsync(engagementId));

    private static int Number(string? reference) =>
        int.Parse(new string([.. (reference ?? "").Reverse().SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(char.IsAsciiDigit).Reverse()]), System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset Min(params DateTimeOffset[] times) => times.Min();

    private static ImmutableList<QuestionnaireAnswer> IntakeAnswers() =>
    [
        .. CareerQuestionnaires.Intake.Items.Select(i => i.Kind == ItemKind.Rating
            ? new QuestionnaireAnswer(i.Id, Score: 4)
            : new QuestionnaireAnswer(i.Id, Text: $"My answer to {i.Id}")),
    ];

    private static ImmutableList<Rating> Ratings(int score) =>
        [.. CareerQuestionnaires.Reassessment.RatingItems.Select(i => new Rating(i.Id, score))];

    private static SessionAgreement Agreement(DateTimeOffset actionDue) => new(
        new Grow("Pick the two companies to approach first", "Three applications sent, no replies yet", "Referrals, events, cold outreach",
            "Ask two former colleagues for introductions"),
        [new SessionGoal("Leave with a shortlist of target employers", "A written list of at least 5 companies")],
        [new ProposedAction("Hold an informational interview", actionDue, "Feeling awkward asking", "Use the short message drafted together")],
        "A two-line message to the coach on Friday",
        [new LeadingIndicator("Informational interviews held", "5 by the end of the quarter")],
        "I am more ready than I thought",
        "Shortlist and outreach plan",
        PrivateNotes);

    private static MaintenancePlan Plan => new(
        ["GROW for decisions", "A 20-minute weekly review"], ["Fairness", "Building things that last"],
        "A one-page goal sheet reviewed on Sundays", "Half a day each quarter", ["An industry shift", "A step up to an executive role"],
        "Offer accepted as head of operations at a storage company");

    [GeneratedRegex(@"http://127\.0\.0\.1:1/c/(?<token>[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")]
    private static partial Regex LinkPattern();
}
