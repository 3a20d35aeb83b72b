using CoachFlow.Workflows.Engagements;
using static CoachFlow.Documents.Reading;

namespace CoachFlow.Documents.Kinds;

/// <summary>The self-coaching plan the client keeps after graduation, its drafts, the check-ins, and the closing summary.</summary>
internal static class MaintenanceDocuments
{
    public static ReaderDocument Plan(DocumentSource s, int? draft)
    {
        var drafts = s.All<MaintenancePlanDrafted>().ToList();
        var drafted = (draft is int n && n >= 1 && n <= drafts.Count ? drafts[n - 1] : drafts.LastOrDefault())
            ?? throw new InvalidOperationException($"Engagement {s.State.EngagementId} has no maintenance plan.");
        var p = drafted.Plan;
        var rule = s.Program.Maintenance;
        var confirmed = draft is null ? s.Last<MaintenancePlanConfirmed>() : null;
        var sections = new List<Section>
        {
            new("Your plan", [new Para(draft is null
                ? $"This is your own way of keeping the progress going, {FirstName(s.State.ClientName)}: the tools that worked for you, what you stand on, and when to ask for help again."
                : $"{s.Branding.CoachName} drafted this plan from your sessions. Read it through, then confirm it or ask for changes from the link in your email.", Lead: true)]),
            new("Frameworks you keep using", p.Frameworks.Count > 0 ? [new Bullets(p.Frameworks)] : [new Para("None chosen yet.")]),
            new("Your values and strengths", p.ValuesAndStrengths.Count > 0 ? [new Bullets(p.ValuesAndStrengths)] : [new Para("None written down yet.")]),
            new("How you track your goals", [new Para(p.GoalTracking)]),
            new("Your self-coaching retreat", [new Para(p.RetreatCadence)]),
            new("When to ask for support again", p.SupportTriggers.Count > 0
                ? [new Para("If one of these happens, tell your coach — a short conversation early is worth more than a long one late."), new Bullets(p.SupportTriggers)]
                : [new Para("Whenever you feel you need it.")]),
        };
        if (!string.IsNullOrWhiteSpace(p.Outcomes)) sections.Add(new("What you achieved", [new Para(p.Outcomes)]));
        sections.Add(new("After graduation",
        [
            new Para($"For {Period(rule.Period)} after you graduate, a short self-coaching check-in arrives about {Every(rule.CheckInEvery)}, " +
                $"and after {Period(rule.StillApplyingCheckAfter)} we ask whether you are still applying the plan. Your answers go to {s.Branding.CoachName} only."),
            .. confirmed is null ? Array.Empty<Block>() : [new Facts([new("Confirmed on", Day(confirmed.ConfirmedAt, s.Zone)),
                .. s.State.MaintenanceEndsAt is { } ends ? [new Fact("Check-ins run until", Day(ends, s.Zone))] : Array.Empty<Fact>()])],
        ]));
        return new ReaderDocument(draft is null ? "maintenance-plan" : "maintenance-plan-draft",
            draft is null ? "Your self-coaching plan" : $"Draft {draft} of your self-coaching plan",
            $"{s.State.ClientName}, with {s.Branding.CoachName}", sections,
            $"{(draft is null ? "Written" : "Drafted")} on {Day(drafted.DraftedAt, s.Zone)}.", s.Branding);
    }

    /// <summary>What the client asked to change in a draft of the plan, for the coach who redrafts it.</summary>
    public static ReaderDocument ChangeRequest(DocumentSource s, int draft)
    {
        var request = s.Last<MaintenancePlanChangesRequested>(e => e.Draft == draft)
            ?? throw new InvalidOperationException($"Engagement {s.State.EngagementId} has no change request for draft {draft} of the plan.");
        return new ReaderDocument("maintenance-plan-change-request", $"Changes asked for in draft {draft} of the self-coaching plan",
            $"{s.State.ClientName}, for {s.Branding.CoachName}",
            [new("What should change", [new Answer("In the client's words", request.Changes.Trim())])],
            $"Asked on {Day(request.RequestedAt, s.Zone)}.", s.Branding);
    }

    public static ReaderDocument CheckIn(DocumentSource s, string checkId)
    {
        var recorded = s.Last<MaintenanceCheckInRecorded>(e => e.CheckId == checkId)
            ?? throw new InvalidOperationException($"Engagement {s.State.EngagementId} has no answers to {checkId}.");
        var items = s.Program.Questionnaires.MaintenanceCheckIn.Items;
        string Prompt(string id, string fallback) => items.FirstOrDefault(i => i.Id == id)?.Prompt ?? fallback;
        var sixMonths = checkId == TimerIds.SixMonthCheck;
        var number = checkId.StartsWith(TimerIds.MaintenanceCheckInPrefix, StringComparison.Ordinal) ? checkId[TimerIds.MaintenanceCheckInPrefix.Length..] : null;
        var blocks = new List<Block>
        {
            new Answer(sixMonths ? "Are you still applying your plan?" : "Are you still using your plan?",
                recorded.StillApplying ? "Yes, I am still applying it." : "Not as much as I meant to."),
            new Answer(Prompt("still-applying", "Which parts of your plan are you still using, and which have slipped?"),
                string.IsNullOrWhiteSpace(recorded.Note) ? "No details given." : recorded.Note.Trim()),
            new Answer(Prompt("trigger", "Has anything changed that would make support useful again?"),
                string.IsNullOrWhiteSpace(recorded.TriggerReported) ? "Nothing reported." : recorded.TriggerReported.Trim()),
        };
        if (!string.IsNullOrWhiteSpace(recorded.TriggerReported))
            blocks.Add(new Para($"{s.Branding.CoachName} has been told and will be in touch."));
        var total = s.Program.MaintenanceCheckIns;
        return new ReaderDocument("maintenance-checkin",
            sixMonths ? "Six-month check: still applying your plan?" : number is null ? "Self-coaching check-in" : $"Self-coaching check-in {number} of {total}",
            $"{s.State.ClientName}, for {s.Branding.CoachName}", [new("Your answers", blocks)],
            $"Answered on {Day(recorded.RecordedAt, s.Zone)}.", s.Branding);
    }

    public static ReaderDocument Closing(DocumentSource s)
    {
        var ended = s.Last<EngagementEnded>();
        var closed = s.Last<EngagementClosed>();
        var at = ended?.EndedAt ?? closed?.ClosedAt ?? s.WrittenAt;
        var st = s.State;
        var done = st.Actions.Count(a => a.LastStatus == ActionStatus.Done);
        var sections = new List<Section>
        {
            new("How it ended", [new Para(ended is not null
                ? $"The engagement was ended by {Party(ended.By)} on {Day(ended.EndedAt, s.Zone)}. Ending is a normal part of coaching, and what you built stays yours."
                : $"Your engagement, including its maintenance period, came to a close on {Day(at, s.Zone)}. Thank you for the work you put in.", Lead: true),
                .. ended is null || string.IsNullOrWhiteSpace(ended.Reason) ? Array.Empty<Block>() : [new Facts([new("Reason given", ended.Reason)])]]),
            new("What we did together",
            [
                new Facts(
                [
                    new("Sessions held", $"{st.SessionsHeld} of {s.Program.SessionCount}"),
                    new("Actions done", $"{done} of {st.Actions.Count}"),
                    new("Reassessments", $"{st.Reassessments.Count(r => r.CompletedAt is not null)}"),
                    .. st.StartedAt is { } started ? [new Fact("Started", Day(started, s.Zone))] : Array.Empty<Fact>(),
                ]),
            ]),
        };
        var last = s.All<ReassessmentCompleted>().LastOrDefault();
        if (last is not null)
        {
            var lines = ReassessmentReport.Lines(s, last).Where(l => l.SinceBaseline is not null).ToList();
            if (lines.Count > 0)
                sections.Add(new("What changed since you started",
                    [new Bullets([.. lines.Select(l => $"{l.Label}: {l.Baseline} → {l.Latest}" + (l.SinceBaseline == 0 ? ", no change." : $", {Reading.Change(l.SinceBaseline)}."))])]));
        }
        sections.Add(new("From here", [new Para(st.Plan is not null
            ? "Your self-coaching plan remains yours to use. If one of your triggers comes up, your coach is glad to hear from you."
            : "If you want support again later, your coach is glad to hear from you.")]));
        return new ReaderDocument("closing-summary", "Closing summary", $"{st.ClientName}, with {s.Branding.CoachName}", sections,
            $"Written on {Day(at, s.Zone)}.", s.Branding);
    }

    internal static string Period(TimeSpan span) => span.TotalDays switch
    {
        >= 360 and var d => d < 400 ? "a year" : $"{d / 365:0.#} years",
        >= 28 and var d => $"{Math.Round(d / 30):0} months",
        >= 1 and var d => $"{d:0} days",
        _ => $"{span.TotalSeconds:0} seconds (a demonstration clock)",
    };

    internal static string Every(TimeSpan span) => span.TotalDays switch
    {
        >= 28 and var d => Math.Round(d / 30) == 1 ? "every month" : $"every {Math.Round(d / 30):0} months",
        >= 1 and var d => $"every {d:0} days",
        _ => $"every {span.TotalSeconds:0} seconds (a demonstration clock)",
    };
}
