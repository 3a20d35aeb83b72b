using System.Collections.Concurrent;
using CoachFlow.Workflows.Engagements;
using Microsoft.Extensions.Time.Testing;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>The sponsor's progress report on the program's cadence, through the real host (Azurite, maildev).</summary>
public sealed class SponsorReportTests(LifecycleFixture fixture) : IClassFixture<LifecycleFixture>
{
    [Fact]
    public async Task GivenASponsoredEngagement_WhenTheFirstReassessmentIsDone_ThenTheSponsorIsEmailedALinkToTheStoredProgressReportAndNothingElse()
    {
        var prefix = Repository.UniquePrefix();
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 3, 9, 0, 0, TimeSpan.Zero));
        var sent = new ConcurrentQueue<SentEmail>();
        var people = new CoachAndClient(time, fixture.Maildev, sent);
        await using var host = await LifecycleHost.StartAsync(fixture, prefix, time, sent);
        people.Host = host;
        await people.CreateFirmAsync(prefix);
        var sponsor = await people.AddSponsorAsync(prefix);
        var id = $"eng-{prefix}";
        await people.StartAsync(id, $"sam-{prefix}@client.test", sponsor: sponsor);

        await people.RunUntilAsync(() => people.EmailsOf(id).Contains("goals-updated/reassessment-1"), TimeSpan.FromDays(200));

        var reports = people.Emails.Where(e => e.Email.EngagementId == id && e.Kind == EmailKinds.ProgressReport).ToList();
        var report = Assert.Single(reports); // once, after the reassessment, not after each session
        Assert.Equal(("progress-report", "reassessment-1"), (report.LinkPurpose, report.LinkRef));
        Assert.Contains(sponsor.Email, report.Email.To, StringComparison.Ordinal);
        Assert.Contains("Hi Sasha,", report.Email.Text, StringComparison.Ordinal);
        // A link, never the client's words or scores.
        Assert.DoesNotContain("My answer", report.Email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Sam Rivera", report.Email.Text, StringComparison.Ordinal);
        Assert.All(people.Emails.Where(e => e.Email.EngagementId == id && e.Kind != EmailKinds.ProgressReport),
            e => Assert.DoesNotContain(sponsor.Email, e.Email.To, StringComparison.Ordinal));

        var stored = await host.Documents.ReadAsync(id, "progress-report-reassessment-1", CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal("progress-report", stored.Kind);
        Assert.Contains("Sessions held", stored.Html, StringComparison.Ordinal);
        Assert.Contains("3 of 6", stored.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("My answer", stored.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(CoachAndClient.PrivateNotes, stored.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Halfway there", stored.Html, StringComparison.Ordinal); // the client's check-in learning
    }
}
