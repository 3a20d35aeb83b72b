using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachFlow.Web.Tests.DataRights;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>
/// A whole engagement on the accelerated program (durations are program data: a week is ten seconds) through the
/// local host on the real Durable Task engine: the coach through the API, the client through the emailed links and
/// the very pages a client sees, the sponsor by email; every email read back from maildev. The engagement is the one
/// <see cref="ExportFixture"/> drives for every test in its collection (one drive, read by several tests).
/// </summary>
[Collection(ExportCollection.Name)]
public sealed partial class WholeEngagementTests(ExportFixture fixture)
{
    [Fact]
    public async Task GivenASponsoredEngagementOnTheFastProgram_WhenCoachAndClientFollowItToTheEnd_ThenEveryEmailWentOutOnceInOrderAndEveryDocumentIsStored()
    {
        var id = await fixture.WholeEngagementAsync(); // it fails here, with the drive's log, if the engagement did not close
        var sponsor = fixture.SponsorSam;
        Assert.DoesNotContain(" → 4", fixture.DriveLog, StringComparison.Ordinal); // no step of the coach or the client was refused
        Assert.DoesNotContain(" → 5", fixture.DriveLog, StringComparison.Ordinal);

        var api = fixture.CleoApi;
        var detail = await api.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        Assert.Equal(("completed", "closed"), (detail.GetProperty("status").GetString(), detail.GetProperty("phase").GetString()));
        Assert.Equal(6, detail.GetProperty("sessions").EnumerateArray().Count(s => s.GetProperty("held").GetBoolean()));
        Assert.Equal(2, detail.GetProperty("reassessments").GetArrayLength());

        // Each email once: one message per effect (the Message-ID is the effect's id), and none refused by the transport.
        var emails = await fixture.Maildev.ReadAsync(new HashSet<string> { id });
        Assert.Equal(emails.Count, emails.Select(e => e.MessageId).Distinct().Count());
        Assert.All(emails, e => Assert.NotNull(e.Kind));

        // In the order of the program: each milestone after the one before it, as many times as the program calls for.
        var kinds = emails.Select(e => e.Kind!).ToList();
        string[] milestones =
        [
            EmailKinds.ContractInvitation, EmailKinds.IntakeInvitation, EmailKinds.PreSessionBrief,
            .. Enumerable.Repeat(new[] { EmailKinds.SessionConfirmation, EmailKinds.SessionSummary }, 6).SelectMany(k => k),
            EmailKinds.MaintenancePlanReview, EmailKinds.Graduation, EmailKinds.MaintenanceComplete,
        ];
        Assert.Equal(milestones, kinds.Where(milestones.Contains).ToList());
        Assert.Equal(2, kinds.Count(k => k == EmailKinds.ReassessmentInvitation));
        Assert.Equal(6, kinds.Count(k => k == EmailKinds.SessionReminder));
        Assert.True(kinds.Count(k => k == EmailKinds.MaintenanceCheckIn) >= 2, string.Join(", ", kinds));
        Assert.True(kinds.IndexOf(EmailKinds.Graduation) < kinds.IndexOf(EmailKinds.MaintenanceCheckIn), "maintenance check-ins come after graduation");

        // The sponsor: a link to the progress report after each reassessment, nothing else, and none of the client's words.
        var toSponsor = emails.Where(e => e.To == sponsor.Email).ToList();
        Assert.Equal([EmailKinds.ProgressReport, EmailKinds.ProgressReport], toSponsor.Select(e => e.Kind));
        Assert.All(emails.Where(e => e.Kind == EmailKinds.ProgressReport), e => Assert.Equal(sponsor.Email, e.To));
        Assert.All(toSponsor, e =>
        {
            Assert.Contains("Hi Sam,", e.Text, StringComparison.Ordinal);
            Assert.Matches(LinkRegex(), e.Text);
            Assert.DoesNotContain(ExportFixture.Learning[..18], e.Text, StringComparison.Ordinal);
        });
        // Emails carry links, never answers.
        Assert.All(emails, e => Assert.DoesNotContain("cut month-end close", e.Text, StringComparison.Ordinal));

        string[] documents =
        [
            "contract-v1", "contract-v1-signature", "intake-answers", "pre-session-brief",
            .. Enumerable.Range(1, 6).SelectMany(n => new[] { $"session-{n}-pre-session", $"session-{n}-agreement", $"session-{n}-coach-notes", $"session-{n}-summary" }),
            "reassessment-1-report", "reassessment-2-report", "progress-report-reassessment-1", "progress-report-reassessment-2",
            "maintenance-plan-draft-1", "maintenance-plan",
        ];
        var stored = detail.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToList();
        Assert.All(documents, name => Assert.Contains(name, stored));
        Assert.Contains(stored, n => n.StartsWith("maintenance-checkin-", StringComparison.Ordinal) && n.EndsWith("-answers", StringComparison.Ordinal));
        foreach (var name in stored)
        {
            var html = await api.GetStringAsync($"/api/engagements/{id}/documents/{name}");
            var isPrivate = name.EndsWith("-coach-notes", StringComparison.Ordinal);
            Assert.True(isPrivate == html.Contains(ExportFixture.PrivateNotes, StringComparison.Ordinal), $"{name} and the coach's private notes");
            // Written for people: no engagement id, no ISO timestamp, no true/false.
            var text = TagRegex().Replace(StyleRegex().Replace(html, " "), " ");
            Assert.DoesNotContain(id, text, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\b(true|false)\b", text);
        }
        var signature = await api.GetStringAsync($"/api/engagements/{id}/documents/contract-v1-signature?format=json");
        var contractHtml = await api.GetStringAsync($"/api/engagements/{id}/documents/contract-v1");
        Assert.Contains(Documents.DocumentStore.Sha256(contractHtml), signature, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"https?://[^\s""'<>]+/c/[A-Za-z0-9._~-]+")]
    private static partial Regex LinkRegex();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagRegex();

    [GeneratedRegex("<style.*?</style>", RegexOptions.Singleline)]
    private static partial Regex StyleRegex();
}
