using CoachFlow.Workflows.Engagements;
using static CoachFlow.Documents.Reading;

namespace CoachFlow.Documents.Kinds;

/// <summary>Before, during and after each session: the client's answers, the agreement, the summary, the coach's notes, the check-ins.</summary>
internal static class SessionDocuments
{
    private static SessionAgreementCaptured Agreement(DocumentSource s, int number) =>
        s.Last<SessionAgreementCaptured>(e => e.Number == number)
        ?? throw new InvalidOperationException($"Engagement {s.State.EngagementId} has no agreement for session {number}.");

    /// <summary>The client's words for an action, whichever session agreed it.</summary>
    internal static AgreedAction? Action(DocumentSource s, string actionId) =>
        s.All<SessionAgreementCaptured>().SelectMany(a => a.Actions).LastOrDefault(a => a.ActionId == actionId);

    private static string When(DocumentSource s, int number) =>
        s.State.Session(number) is { } session ? DateTime(session.StartAt, s.Zone) : "not scheduled";

    public static ReaderDocument PreSession(DocumentSource s, int number)
    {
        var answered = s.Last<PreSessionAnswered>(e => e.Number == number)
            ?? throw new InvalidOperationException($"Engagement {s.State.EngagementId} has no pre-session answers for session {number}.");
        var wish = s.Program.Questionnaires.PreSession.Items.FirstOrDefault(i => i.Id == "wants-from-session")?.Prompt ?? "What would make our next conversation worth your time?";
        var sections = new List<Section>
        {
            new("Your wish for the session", [new Facts([new("Session", $"{number} of {s.Program.SessionCount}, {When(s, number)}")]), new Answer(wish, answered.WantsFromSession)]),
        };
        if (answered.Reviews.Count > 0)
            sections.Add(new("Your actions since last time",
                [.. answered.Reviews.Select(r => (Block)new Answer(Action(s, r.ActionId)?.Description ?? "An earlier action",
                    Status(r.Status) + (string.IsNullOrWhiteSpace(r.Learning) ? "." : $". What you learned: {r.Learning.Trim()}")))]));
        return new ReaderDocument("pre-session-answers", $"Before session {number}", $"{s.State.ClientName}, for {s.Branding.CoachName}", sections,
            $"Answered on {DateTime(answered.AnsweredAt, s.Zone)}. {ZoneNote(s.Zone)}", s.Branding);
    }

    private static List<Section> AgreementSections(DocumentSource s, SessionAgreementCaptured captured, bool forSummary)
    {
        var a = captured.Agreement;
        var sections = new List<Section>
        {
            new(forSummary ? "What you set out to do" : "What you want from this session",
            [
                new Table("Today’s goals and how you will both know they worked", ["Goal", "How we will know"],
                    [.. a.Goals.Select(g => (IReadOnlyList<string>)[g.Description, g.Measure])]),
            ]),
            new("The conversation",
            [
                new Facts(
                [
                    new("Goal", a.Grow.Goal),
                    .. Optional("Reality", a.Grow.Reality), .. Optional("Options", a.Grow.Options), .. Optional("Way forward", a.Grow.Will),
                ]),
            ]),
        };
        if (captured.Actions.Count > 0)
            sections.Add(new("Your actions",
            [
                new Table("What you committed to, and by when", ["Action", "By", "What may get in the way", "How you will get round it"],
                    [.. captured.Actions.Select(x => (IReadOnlyList<string>)[x.Description, Day(x.DueAt, s.Zone), Or(x.Obstacle), Or(x.Mitigation)])]),
                .. string.IsNullOrWhiteSpace(a.Accountability) ? Array.Empty<Block>() : [new Facts([new("How you will keep yourself to it", a.Accountability)])],
            ]));
        if (a.LeadingIndicators.Count > 0)
            sections.Add(new("What we track", [new Table("Leading indicators", ["Indicator", "Target"], [.. a.LeadingIndicators.Select(i => (IReadOnlyList<string>)[i.Name, i.Target])])]));
        var shared = new List<Block>();
        if (!string.IsNullOrWhiteSpace(a.Takeaways)) shared.Add(new Answer("What will you take with you?", a.Takeaways));
        if (!string.IsNullOrWhiteSpace(a.SharedNotes)) shared.Add(new Answer("Notes from the session", a.SharedNotes));
        if (shared.Count > 0) sections.Add(new(forSummary ? "Insights" : "Shared notes", shared));
        return sections;
    }

    public static ReaderDocument SessionAgreement(DocumentSource s, int number)
    {
        var captured = Agreement(s, number);
        var sections = AgreementSections(s, captured, forSummary: false);
        sections.Insert(0, new("The session", [new Facts([new("Session", $"{number} of {s.Program.SessionCount}"), new("When", When(s, number))])]));
        return new ReaderDocument("session-agreement", $"Session {number} agreement", $"{s.State.ClientName} and {s.Branding.CoachName}", sections,
            $"Agreed on {Day(captured.CapturedAt, s.Zone)}. {ZoneNote(s.Zone)}", s.Branding);
    }

    public static ReaderDocument Summary(DocumentSource s, int number)
    {
        var captured = Agreement(s, number);
        var held = s.Last<SessionHeld>(e => e.Number == number);
        var sections = AgreementSections(s, captured, forSummary: true);
        sections.Insert(0, new("The session",
        [
            new Para($"Thank you for session {number}, {FirstName(s.State.ClientName)}. Here is what we agreed, for you to come back to between sessions.", Lead: true),
            new Facts([new("Held", held is null ? When(s, number) : Day(held.HeldAt, s.Zone)), new("Session", $"{number} of {s.Program.SessionCount}")]),
        ]));
        var earlier = s.State.Actions.Where(x => x.SessionNumber < number).ToList();
        if (earlier.Count > 0)
            sections.Add(new("Actions from earlier sessions", [CheckInTable(s, earlier, "Where your earlier actions stand")]));
        sections.Add(new("What happens next",
        [
            new Para(s.State.Session(number + 1) is { } next
                ? $"Your next session is on {DateTime(next.StartAt, s.Zone)}. You will get a short check-in on each action when it is due."
                : number >= s.Program.SessionCount
                    ? "This was your last session. You will be asked to rate where you stand now, so we can see together what changed."
                    : s.State.Reassessments.LastOrDefault() is { CompletedAt: null }
                    ? "Before the next session you are asked to rate where you stand now; your coach and you then look at what changed and propose the next session."
                    : "Your coach will propose the next session. You will get a short check-in on each action when it is due."),
        ]));
        return new ReaderDocument("session-summary", $"Summary of session {number}", $"{s.State.ClientName}, with {s.Branding.CoachName}", sections,
            $"Written on {Day(held?.HeldAt ?? captured.CapturedAt, s.Zone)}. {ZoneNote(s.Zone)}", s.Branding);
    }

    public static ReaderDocument PrivateNotes(DocumentSource s, int number)
    {
        var captured = Agreement(s, number);
        return new ReaderDocument("coach-private-notes", $"Session {number}: private notes", $"For {s.Branding.CoachName} only — about {s.State.ClientName}",
            [
                new("Private", [new Para("These notes are yours alone. They are never shown to the client or a sponsor, and never sent by email.", Lead: true)]),
                new("The session", [new Facts([new("When", When(s, number)), new("Today’s goal", captured.Agreement.Grow.Goal)])]),
                new("Your notes", [new Para(captured.Agreement.PrivateCoachNotes)]),
            ],
            $"Written on {Day(captured.CapturedAt, s.Zone)}. {ZoneNote(s.Zone)}", s.Branding, Confidential: true);
    }

    public static ReaderDocument CheckIns(DocumentSource s)
    {
        var reports = s.All<ActionCheckedIn>().ToList();
        var sections = new List<Section>
        {
            new("Where every action stands", s.State.Actions.Count == 0 ? [new Para("No actions have been agreed yet.")] : [CheckInTable(s, [.. s.State.Actions], "Actions agreed in sessions, with the latest report on each")]),
        };
        if (reports.Count > 0)
            sections.Add(new("Every report, oldest first",
                [.. reports.Select(r => (Block)new Answer(
                    $"{Action(s, r.ActionId)?.Description ?? "An action"} — {DateTime(r.CheckedInAt, s.Zone)}",
                    Status(r.Status) + (string.IsNullOrWhiteSpace(r.Learning) ? "." : $". {r.Learning.Trim()}")))]));
        return new ReaderDocument("action-checkins", "Your actions and check-ins", $"{s.State.ClientName}, with {s.Branding.CoachName}", sections,
            $"As of {DateTime(s.WrittenAt, s.Zone)}. {ZoneNote(s.Zone)}", s.Branding);
    }

    internal static Table CheckInTable(DocumentSource s, IReadOnlyList<ActionRecord> actions, string caption) =>
        new(caption, ["Action", "Session", "Due", "Latest report", "What you learned"],
            [.. actions.Select(a => (IReadOnlyList<string>)[a.Description, $"{a.SessionNumber}", Day(a.DueAt, s.Zone),
                a.Dropped ? "Let go at a review" : Status(a.LastStatus), Or(a.LastLearning)])]);

    private static IEnumerable<Fact> Optional(string label, string value) => string.IsNullOrWhiteSpace(value) ? [] : [new Fact(label, value)];

    private static string Or(string? text) => string.IsNullOrWhiteSpace(text) ? "—" : text.Trim();
}
