using System.Text.RegularExpressions;
using CoachFlow.Documents.Samples;
using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Documents.Tests;

/// <summary>Every document kind of a whole engagement, read the way its reader reads it.</summary>
public sealed partial class DocumentTests
{
    private static readonly Lazy<SampleEngagement> Sample = new(SampleEngagement.Run);

    private static SampleEngagement Engagement => Sample.Value;

    private static IEnumerable<RenderedDocument> Everything =>
        Engagement.Documents.Append(Engagement.Live("progress-report")).Append(Engagement.Live("action-checkins"));

    private static string TextOf(string name) => Reader.Text(Everything.Single(d => d.Name == name).Html);

    [Fact]
    public void GivenAWholeEngagement_WhenItsDocumentsAreWritten_ThenEveryKindIsThere()
    {
        string[] kinds =
        [
            "contract", "contract-signature", "intake-answers", "pre-session-brief", "pre-session-answers", "session-agreement",
            "coach-private-notes", "session-summary", "reassessment-report", "roi-summary", "maintenance-plan-draft", "maintenance-plan",
            "maintenance-plan-change-request", "maintenance-checkin", "closing-summary", "progress-report", "action-checkins",
        ];
        Assert.Equal(kinds.Order(), Everything.Select(d => d.Kind).Distinct().Order());
        Assert.Equal(43, Everything.Count()); // 41 written along the way (two plan drafts and the change asked for between them; two progress reports for the sponsor), two built on request
    }

    [Fact]
    public void GivenEveryDocument_WhenRead_ThenNoInternalIdIsoTimestampOrBooleanShows()
    {
        var itemIds = new[] { CareerQuestionnaires.Intake, CareerQuestionnaires.PreSession, CareerQuestionnaires.Reassessment, CareerQuestionnaires.MaintenanceCheckIn }
            .SelectMany(q => q.Items).Select(i => i.Id).Where(id => id.Contains('-', StringComparison.Ordinal)).Distinct().ToList();
        string[] ids = [SampleEngagement.EngagementId, "firm-northwind", "coach-casey", "client-sam", "sponsor-acme", "six-month-check", "maintenance-checkin-", "NotDone", "not-done", "{{", "}}"];
        foreach (var doc in Everything)
        {
            var text = Reader.Text(doc.Html);
            Assert.False(IsoDate().IsMatch(text), $"{doc.Name} shows an ISO date: {IsoDate().Match(text).Value}");
            Assert.False(Boolean().IsMatch(text), $"{doc.Name} shows a boolean: …{Around(text, Boolean().Match(text).Index)}…");
            Assert.False(ActionId().IsMatch(text), $"{doc.Name} shows an action id: {ActionId().Match(text).Value}");
            Assert.All(ids.Concat(itemIds), id => Assert.False(text.Contains(id, StringComparison.Ordinal), $"{doc.Name} shows the internal id '{id}'"));
            Assert.Contains("Northwind Coaching", text, StringComparison.Ordinal);
            Assert.Contains(doc.Document.Title, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void GivenTheIntake_WhenItsAnswersAreRead_ThenEveryAnsweredQuestionIsInItsOwnWordsWithItsAnswer()
    {
        var text = TextOf("intake-answers");
        foreach (var item in CareerQuestionnaires.Intake.Items)
        {
            if (item.Section == "wheel-of-life")
            {
                // The Wheel's shared prompt once, then each area with its rating.
                Assert.Contains(item.Prompt.Split(':')[0], text, StringComparison.Ordinal);
                Assert.Matches($"{Regex.Escape(Reading.WheelArea(item.Id)!)} {SampleEngagement.Baseline[item.Id]}\\b", text);
            }
            else if (item.Kind == ItemKind.Rating)
            {
                Assert.Contains($"{item.Prompt} {SampleEngagement.Baseline[item.Id]} out of 10", text, StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains($"{item.Prompt} {SampleEngagement.IntakeTexts[item.Id].Replace('\n', ' ')}", text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void GivenAChangeAskedForInThePlan_WhenTheCoachReadsIt_ThenItHoldsTheClientsWordsAndTheSecondDraftHasTheChange()
    {
        Assert.Contains(SampleEngagement.PlanChange, TextOf("maintenance-plan-draft-1-changes"), StringComparison.Ordinal);
        Assert.Contains("A monthly call with a mentor", TextOf("maintenance-plan-draft-2"), StringComparison.Ordinal);
        Assert.DoesNotContain("A monthly call with a mentor", TextOf("maintenance-plan-draft-1"), StringComparison.Ordinal);
        Assert.Contains("confirm it or ask for changes", TextOf("maintenance-plan-draft-2"), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenPreSessionAndMaintenanceAnswers_WhenRead_ThenEachQuestionIsInItsOwnWords()
    {
        var pre = TextOf("session-2-pre-session");
        Assert.Contains($"{CareerQuestionnaires.PreSession.Items[0].Prompt} {SampleEngagement.PreSessionWish}", pre, StringComparison.Ordinal);
        Assert.Contains($"Hold informational interview 1 with someone in grid storage Done. What you learned: {SampleEngagement.Learning}", pre, StringComparison.Ordinal);

        var check = TextOf("maintenance-checkin-3-answers");
        foreach (var item in CareerQuestionnaires.MaintenanceCheckIn.Items) Assert.Contains(item.Prompt, check, StringComparison.Ordinal);
        Assert.Contains(SampleEngagement.Trigger, check, StringComparison.Ordinal);
        Assert.Contains("Self-coaching check-in 3 of 4", check, StringComparison.Ordinal);
        Assert.Contains("Not as much as I meant to.", TextOf("maintenance-checkin-2-answers"), StringComparison.Ordinal);
        Assert.Contains("Six-month check", TextOf("six-month-check-answers"), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTheFinalReassessment_WhenRead_ThenEveryScoreAndChangeIsRight()
    {
        var text = TextOf("reassessment-2-report");
        Assert.Contains("Work and career: 4 → 8, +4 since you started (+2 since last time).", text, StringComparison.Ordinal);
        Assert.Contains("Health and energy: 5 → 4, \u22121 since you started (\u22121 since last time).", text, StringComparison.Ordinal);
        Assert.Contains("Family: 7 → 7, no change since you started (no change since last time).", text, StringComparison.Ordinal);
        Assert.Contains("Clarity on the next step: 3 → 8, +5 since you started (+2 since last time).", text, StringComparison.Ordinal);
        var table = Assert.IsType<Table>(Engagement.Documents.Single(d => d.Name == "reassessment-2-report").Document.Sections
            .Single(s => s.Heading == "Your Wheel of Life").Blocks[1]);
        Assert.Equal(["Area of life", "At the start", "Last time", "Now", "Since the start", "Since last time"], table.Header);
        foreach (var (id, label) in CareerQuestionnaires.WheelAreas)
        {
            var (b, p, f) = (SampleEngagement.Baseline[id], SampleEngagement.First[id], SampleEngagement.Final[id]);
            Assert.Equal([label, $"{b}", $"{p}", $"{f}", Reading.Change(f - b), Reading.Change(f - p)], table.Rows.Single(r => r[0] == label));
        }
        // The chart is never the only way to read a figure: its numbers are the table's.
        var chart = Assert.IsType<Chart>(Engagement.Documents.Single(d => d.Name == "reassessment-2-report").Document.Sections
            .Single(s => s.Heading == "Your Wheel of Life").Blocks[0]);
        Assert.All(chart.Rows, r => Assert.Equal([int.Parse(table.Rows.Single(t => t[0] == r.Label)[1]), int.Parse(table.Rows.Single(t => t[0] == r.Label)[3])], r.Values));
        Assert.Contains("Informational interviews held 5 by the end of the quarter 6 of 5", text, StringComparison.Ordinal);
        Assert.Contains(SampleEngagement.Outcomes, text, StringComparison.Ordinal);
        Assert.Contains("will go through this report together", text, StringComparison.Ordinal); // written before the review…
        var now = Reader.Text(Engagement.Now("roi-summary", "reassessment-2-report").Html);
        Assert.Contains("What we agreed to adjust Agreed with Casey Coach on 24 April 2025: Keep the weekly review going after graduation", now, StringComparison.Ordinal); // …built again later, it has it

        var first = TextOf("reassessment-1-report");
        Assert.Contains("Work and career: 4 → 6, +2 since you started.", first, StringComparison.Ordinal);
        Assert.Contains("will go through this report together", first, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenSessionsInEuropeAmsterdam_WhenDatesAreShown_ThenTheyAreInThatZoneAndSaySo()
    {
        var text = TextOf("session-1-agreement");
        Assert.Contains("When Friday 14 March 2025, 17:30", text, StringComparison.Ordinal); // 16:30 UTC, an hour ahead before summer time
        Assert.Contains("Times are in Europe/Amsterdam time.", text, StringComparison.Ordinal);
        Assert.Contains("Signed on Tuesday 4 March 2025, 09:00 (UTC)", TextOf("contract-v1-signature"), StringComparison.Ordinal); // no session yet: UTC, said plainly
    }

    [Fact]
    public void GivenPrivateNotes_ThenOnlyTheCoachsNotesShowThem_AndTheProgressReportHoldsNoAnswersOrNotes()
    {
        foreach (var doc in Everything)
            Assert.True(doc.Kind == "coach-private-notes" == doc.Html.Contains(SampleEngagement.PrivateNotes.Replace("'", "&#x27;", StringComparison.Ordinal), StringComparison.Ordinal), doc.Name);
        var progress = TextOf("progress-report");
        foreach (var privateText in SampleEngagement.IntakeTexts.Values.Concat([SampleEngagement.PreSessionWish, SampleEngagement.Learning, SampleEngagement.Outcomes,
            SampleEngagement.Trigger, "Hold informational interview", "I am more ready than I thought", "Shortlist: Fluence"]))
            Assert.DoesNotContain(privateText.Split('\n')[0], progress, StringComparison.Ordinal);
        Assert.Contains("Sessions held 6 of 6", progress, StringComparison.Ordinal);
        Assert.Contains("Actions completed 5 of 6 committed", progress, StringComparison.Ordinal);
        Assert.Contains("Reassessment 2 6.0 7.3", progress, StringComparison.Ordinal); // averages of the final ratings
        Assert.Contains("Stage Completed", progress, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTheSignature_ThenItsRecordNamesTheEvidenceAndTheFingerprintsMatch()
    {
        var contract = Engagement.Documents.Single(d => d.Name == "contract-v1");
        var text = TextOf("contract-v1-signature");
        Assert.Contains($"Signed by {SampleEngagement.ClientName}", text, StringComparison.Ordinal);
        Assert.Contains("From the internet address 203.0.113.7", text, StringComparison.Ordinal);
        Assert.Contains("With the browser Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", text, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(text, SampleEngagement.Sha256(contract.Html)));
        Assert.Contains("The two fingerprints are the same", text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAnAnswerWithMarkup_WhenRendered_ThenItIsShownAsTextNeverAsMarkup()
    {
        var doc = new ReaderDocument("intake-answers", "Test", "Someone", [new("Answers", [new Answer("Q?", "<script>alert(1)</script>")])], "note",
            SampleEngagement.Branding with { Color = "red;}</style><script>" });
        var html = DocumentRenderer.Html(doc);
        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("--firm: #1f5f8b", html, StringComparison.Ordinal); // a colour that is not one falls back to the default
    }

    private static string Around(string text, int index) => text.Substring(Math.Max(0, index - 40), Math.Min(80, text.Length - Math.Max(0, index - 40)));

    [GeneratedRegex("\\d{4}-\\d{2}-\\d{2}|\\d{2}:\\d{2}:\\d{2}")]
    private static partial Regex IsoDate();

    [GeneratedRegex("\\b(true|false)\\b", RegexOptions.IgnoreCase)]
    private static partial Regex Boolean();

    [GeneratedRegex("\\bs\\d+-a\\d+\\b")]
    private static partial Regex ActionId();
}
