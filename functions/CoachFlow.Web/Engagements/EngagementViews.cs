using CoachFlow.Web.Tenancy;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using CoachFlow.Workflows.Reassessments;

namespace CoachFlow.Web.Engagements;

public sealed record EngagementSummary(
    string Id,
    string? ClientName,
    string? ProgramId,
    string Phase,
    string? WaitingFor,
    DateTimeOffset? DueAt,
    bool Overdue,
    [property: System.ComponentModel.Description(EngagementViews.FlagsDescription)] IReadOnlyList<string> Flags,
    string Status,
    string? CoachId,
    DateTimeOffset UpdatedAt,
    [property: System.ComponentModel.Description("The cohort the engagement was imported with (GET /api/cohorts lists them); absent when started alone.")] string? Cohort = null,
    [property: System.ComponentModel.Description(EngagementViews.ClientIdDescription)] string? ClientId = null);

public sealed record EngagementPage(IReadOnlyList<EngagementSummary> Items, string? ContinuationToken);

/// <summary>One thing that happened: when, its stable kind, and a sentence a coach would write.</summary>
public sealed record TimelineEntry(DateTimeOffset At, [property: System.ComponentModel.Description(Timeline.KindsDescription)] string Type, string Summary);
public sealed record DueItem(string What, DateTimeOffset DueAt);
public sealed record DocumentLink(string Kind, string Name, string Url);
public sealed record CheckInView(DateTimeOffset At, string Status, string? Learning);
public sealed record ActionView(string Id, int Session, string Description, DateTimeOffset DueAt, string Status, IReadOnlyList<CheckInView> CheckIns);
public sealed record AnswerView(string ItemId, string Prompt, string? Value);
public sealed record IntakeView(IReadOnlyList<AnswerView> Answers, DateTimeOffset? CompletedAt);
public sealed record RatingView(string ItemId, int Value);
public sealed record DeltaView(string ItemId, int Score, int? FromBaseline, int? FromPrevious);
public sealed record ReassessmentView(int Number, bool Final, DateTimeOffset? At, IReadOnlyList<RatingView> Ratings, IReadOnlyList<DeltaView> Deltas);
public sealed record SessionView(int Number, DateTimeOffset StartAt, string TimeZoneId, bool Held, bool AgreementCaptured);

public sealed record EngagementDetail(
    string Id,
    string? ClientName,
    string? ProgramId,
    string Phase,
    string? WaitingFor,
    DateTimeOffset? DueAt,
    bool Overdue,
    [property: System.ComponentModel.Description(EngagementViews.FlagsDescription)] IReadOnlyList<string> Flags,
    string Status,
    string? CoachId,
    DateTimeOffset UpdatedAt,
    long Version,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<DueItem> Due,
    IReadOnlyList<DocumentLink> Documents,
    IReadOnlyList<ActionView> Actions,
    IntakeView? Intake,
    IReadOnlyList<RatingView> Baseline,
    IReadOnlyList<ReassessmentView> Reassessments,
    IReadOnlyList<SessionView> Sessions,
    [property: System.ComponentModel.Description("The cohort the engagement was imported with; absent when started alone.")] string? Cohort = null,
    [property: System.ComponentModel.Description("The client's IANA time zone when the import gave one: a default for scheduling sessions.")] string? ClientTimeZone = null,
    [property: System.ComponentModel.Description(EngagementViews.ClientIdDescription)] string? ClientId = null);

/// <summary>Builds the API's views; sponsors get progress without answers, learnings or notes.</summary>
public static class EngagementViews
{
    /// <summary>The OpenAPI description of the flags: stable kebab-case names, never renamed.</summary>
    public const string FlagsDescription =
        "What needs the coach's attention, as stable kebab-case names: stalled (nothing happened for a while), stalled-progress " +
        "(no rating improved in a reassessment), goal-not-resonant (an action reported not done twice in a row), client-email-bouncing, " +
        "support-requested (in a maintenance check the client reported a trigger for seeking support again; cleared when a follow-up " +
        "engagement starts), effect-parked (an email or document could not be delivered), step-parked (the engine could not record the engagement's next step, " +
        "or found its record drifted; inputs are kept, firm admins are told, POST /api/engagements/{id}/redrive tries again), " +
        "engagement-repaired (the engine found nothing running the engagement, its orchestration failed, terminated or missing, and " +
        "started it again from its record; firm admins were told; kept as a record).";

    /// <summary>The OpenAPI description of <c>clientId</c>.</summary>
    public const string ClientIdDescription =
        "The client's opaque id in the firm (the same email is the same client, across engagements; never the email itself): " +
        "GET /api/clients/{clientId}/export exports their engagements; POST /api/clients/{clientId}/erase (a firm admin) erases them.";

    public static EngagementSummary Summary(IndexEntry s, DateTimeOffset now) => new(
        s.EngagementId, s.Label, s.Category, s.Phase, s.WaitingFor, s.DueAt, IsOverdue(s.Status, s.DueAt, now), s.Flags,
        s.Status, s.CoachId, s.UpdatedAt, s.CohortId, s.ClientId);

    /// <summary>A running engagement waiting for something due before <paramref name="now"/>.</summary>
    public static bool IsOverdue(string status, DateTimeOffset? due, DateTimeOffset now) => status == EngagementStatus.Running && due is { } d && d < now;

    public static EngagementDetail Detail(Caller caller, EngagementView view, EngagementState state, ProgramCatalog programs, IReadOnlyList<DocumentLink> documents, DateTimeOffset now)
    {
        var sponsor = caller.Role == Role.Sponsor;
        var program = programs.Find(state.ProgramId, state.ProgramVersion);
        var checkIns = view.History.Where(h => h.Type == nameof(ActionCheckedIn))
            .Select(h => (Id: h.Data.GetProperty("actionId").GetString(), View: new CheckInView(h.At, h.Data.GetProperty("status").ToString().ToLowerInvariant(), sponsor ? null : h.Data.TryGetProperty("learning", out var l) ? l.GetString() : null)))
            .ToLookup(x => x.Id, x => x.View);
        string Prompt(string itemId) => program?.Questionnaires.Intake.Items.FirstOrDefault(i => i.Id == itemId)?.Prompt
            ?? program?.Questionnaires.Reassessment.Items.FirstOrDefault(i => i.Id == itemId)?.Prompt ?? itemId;

        var reassessments = new List<ReassessmentView>();
        IReadOnlyList<Workflows.Questionnaires.Rating>? previous = null;
        foreach (var r in state.Reassessments)
        {
            var ratings = r.Ratings ?? [];
            var deltas = RatingComparison.Deltas(ratings, state.Baseline, previous);
            reassessments.Add(new ReassessmentView(r.Number, r.Final, r.CompletedAt, [.. ratings.Select(x => new RatingView(x.ItemId, x.Score))],
                [.. deltas.Select(d => new DeltaView(d.ItemId, d.Score, d.SinceBaseline, d.SincePrevious))]));
            if (r.Ratings is not null) previous = r.Ratings;
        }

        var due = view.Timers.Select(t => new DueItem(t.TimerId, t.DueAt)).ToList();
        return new EngagementDetail(
            view.InstanceId, state.ClientName, state.ProgramId, view.Phase, view.WaitingFor, view.DueAt,
            IsOverdue(view.Status, view.DueAt, now), view.Flags, view.Status, view.CoachId, view.UpdatedAt, view.Version,
            Timeline.Build(view.History, state, sponsor),
            due,
            documents.Where(d => !sponsor || EngagementsApi.SponsorKinds.Contains(d.Kind)).ToList(),
            [.. state.Actions.Select(a => new ActionView(a.ActionId, a.SessionNumber, sponsor ? "(private)" : a.Description, a.DueAt,
                a.Dropped ? "dropped" : a.LastStatus?.ToString().ToLowerInvariant() ?? "open", [.. checkIns[a.ActionId]]))],
            sponsor ? null : new IntakeView([.. state.IntakeAnswers.Select(a => new AnswerView(a.ItemId, Prompt(a.ItemId), a.Text ?? a.Score?.ToString(System.Globalization.CultureInfo.InvariantCulture)))], state.IntakeCompletedAt),
            [.. state.Baseline.Select(b => new RatingView(b.ItemId, b.Score))],
            reassessments,
            [.. state.Sessions.Select(s => new SessionView(s.Number, s.StartAt, s.TimeZoneId, s.HeldAt is not null, s.AgreementCaptured))],
            state.CohortId, state.ClientTimeZone, state.ClientId.Length > 0 ? state.ClientId : null);
    }
}
