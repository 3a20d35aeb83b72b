using CoachFlow.Workflows.Engagements;
using static CoachFlow.Documents.Reading;

namespace CoachFlow.Documents.Kinds;

/// <summary>
/// Progress for the sponsor and the coach: sessions held, actions completed against those committed, the
/// reassessment trend (averages, not the answers), and flags. Never an answer, an action's wording, a learning or a note.
/// </summary>
internal static class ProgressReport
{
    public static ReaderDocument Build(DocumentSource s)
    {
        var st = s.State;
        var committed = st.Actions.Count(a => !a.Dropped);
        var done = st.Actions.Count(a => !a.Dropped && a.LastStatus == ActionStatus.Done);
        var partly = st.Actions.Count(a => !a.Dropped && a.LastStatus == ActionStatus.Partly);
        var sponsor = st.Terms?.SponsorName;
        var sections = new List<Section>
        {
            new("About this report",
            [
                new Para($"Progress of {st.ClientName}’s coaching with {s.Branding.CoachName}: what happened and how it is moving. " +
                    "It holds no answers, notes or personal reflections — those stay between the client and the coach" +
                    (sponsor is { Length: > 0 } ? $", as the agreement with {sponsor} says." : "."), Lead: true),
            ]),
            new("Where the engagement stands",
            [
                new Facts(
                [
                    new("Program", s.Program.Name),
                    new("Stage", Stage(st.Phase)),
                    .. st.StartedAt is { } started ? [new Fact("Started", Day(started, s.Zone))] : Array.Empty<Fact>(),
                    new("Sessions held", $"{st.SessionsHeld} of {s.Program.SessionCount}"),
                    .. st.LastSessionHeldAt is { } last ? [new Fact("Last session", Day(last, s.Zone))] : Array.Empty<Fact>(),
                    .. st.Sessions.FirstOrDefault(x => x.HeldAt is null) is { } next ? [new Fact("Next session", DateTime(next.StartAt, s.Zone))] : Array.Empty<Fact>(),
                    new("Actions completed", committed == 0 ? "none committed yet" : $"{done} of {committed} committed" + (partly > 0 ? $" ({partly} more partly done)" : "")),
                ]),
            ]),
        };
        var points = new List<(string Label, double Wheel, double Scaled)>();
        if (st.Baseline.Count > 0) points.Add(("At the start", Average(st.Baseline, "wheel-"), Average(st.Baseline, "scale-")));
        foreach (var r in st.Reassessments.Where(r => r.Ratings is not null))
            points.Add(($"Reassessment {r.Number}", Average(r.Ratings!, "wheel-"), Average(r.Ratings!, "scale-")));
        sections.Add(new("Reassessment trend", points.Count < 2
            ? [new Para(points.Count == 0 ? "No ratings yet." : "Ratings were taken at the start; the first reassessment will show the trend.")]
            :
            [
                new Para("Averages of the client’s own ratings from 1 to 10 — the Wheel of Life across eight areas of life, and three questions on clarity, confidence and network."),
                new Table("Average ratings over time", ["When", "Wheel of Life average", "Clarity, confidence and network average"],
                    [.. points.Select(p => (IReadOnlyList<string>)[p.Label, $"{p.Wheel:0.0}", $"{p.Scaled:0.0}"])]),
                new Para($"Since the start: Wheel of Life {Signed(points[^1].Wheel - points[0].Wheel)}, clarity, confidence and network {Signed(points[^1].Scaled - points[0].Scaled)}."),
            ]));
        sections.Add(new("Flags", st.Flags.Count == 0
            ? [new Para("Nothing needs attention.")]
            : [new Bullets([.. st.Flags.Select(f => $"{FlagWords(f.Name)} (since {Day(f.RaisedAt, s.Zone)})").Distinct()])]));
        return new ReaderDocument("progress-report", "Coaching progress report", $"{st.ClientName} · {s.Branding.CoachName} · {s.Branding.FirmName}",
            sections, $"As of {Day(s.WrittenAt, s.Zone)}. {ZoneNote(s.Zone)}", s.Branding);
    }

    private static double Average(IReadOnlyList<Workflows.Questionnaires.Rating> ratings, string prefix)
    {
        var scores = ratings.Where(r => r.ItemId.StartsWith(prefix, StringComparison.Ordinal)).Select(r => r.Score).ToList();
        return scores.Count == 0 ? 0 : scores.Average();
    }

    private static string Signed(double d) => Math.Abs(d) < 0.05 ? "no change" : d > 0 ? $"+{d:0.0} points" : $"\u2212{-d:0.0} points";

    internal static string Stage(EngagementPhase phase) => phase switch
    {
        EngagementPhase.New or EngagementPhase.Contract => "Agreement sent, not yet signed",
        EngagementPhase.ContractExpired => "Agreement expired unsigned",
        EngagementPhase.Intake => "Pre-coaching questionnaire",
        EngagementPhase.Sessions => "Coaching sessions",
        EngagementPhase.Reassessment => "Reassessment",
        EngagementPhase.Graduation => "Graduating: the self-coaching plan",
        EngagementPhase.Maintenance => "Graduated: self-coaching check-ins",
        EngagementPhase.Paused => "Paused",
        EngagementPhase.Closed => "Completed",
        EngagementPhase.Ended => "Ended early",
        _ => "In progress",
    };

    internal static string FlagWords(string flag) => flag switch
    {
        FlagNames.Stalled => "Nothing has happened for a while",
        FlagNames.StalledProgress => "A reassessment showed no rating rising",
        FlagNames.GoalNotResonant => "An action was reported not done twice in a row",
        FlagNames.ClientEmailBouncing => "Email to the client is not arriving",
        _ => "Needs the coach’s attention",
    };
}
