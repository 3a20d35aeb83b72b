using System.Collections.Concurrent;
using System.Text.Json;
using CoachFlow.Runtime;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using Microsoft.Extensions.Time.Testing;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>
/// Whole engagements through the real host wiring (durable runtime on Azurite, documents in Blob storage, email
/// over SMTP into maildev) on a fake clock, with a scripted coach and client.
/// </summary>
public sealed class FullLifecycleTests(LifecycleFixture fixture) : IClassFixture<LifecycleFixture>
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Every email of career-6 for a cooperative coach and client, labelled kind/link reference. Emails one step
    /// sends together (a summary and the reassessment it calls for; two maintenance checks due the same day)
    /// have no order between them, so within the same instant they are listed alphabetically.
    /// </summary>
    private static readonly string[] Career6Emails =
    [
        "contract-invitation/contract-v1",
        "contract-reminder/v1-send-1-reminder-1",
        "intake-invitation/intake",
        "intake-reminder/reminder-1",
        "pre-session-brief/intake",
        "session-confirmation/1", "session-reminder/1", "session-summary/1",
        "session-confirmation/2", "action-checkin/s1-a1", "session-reminder/2", "session-summary/2",
        "session-confirmation/3", "action-checkin/s2-a1", "session-reminder/3", "reassessment-invitation/1", "session-summary/3",
        "goals-updated/reassessment-1", "session-confirmation/4",
        "action-checkin/s3-a1", "session-reminder/4", "session-summary/4",
        "session-confirmation/5", "action-checkin/s4-a1", "session-reminder/5", "session-summary/5",
        "session-confirmation/6", "action-checkin/s5-a1", "session-reminder/6", "reassessment-invitation/2", "session-summary/6",
        "goals-updated/reassessment-2",
        "maintenance-plan-review/plan-draft-1",
        "graduation/graduation",
        "maintenance-checkin/maintenance-checkin-1",
        "maintenance-checkin/maintenance-checkin-2", "still-applying-check/six-month-check",
        "maintenance-checkin/maintenance-checkin-3",
        "support-requested/", // to the coach: the client reported a trigger (no link: the coach works from the extension)
        "maintenance-checkin/maintenance-checkin-4",
        "maintenance-complete/closed",
    ];

    [Fact]
    public async Task GivenCareer6_WhenCoachAndClientFollowTheWholeProgramAndAYearOfMaintenance_ThenEveryEmailWentOutOnceInOrderAndEveryDocumentIsStored()
    {
        var prefix = Repository.UniquePrefix();
        var time = new FakeTimeProvider(T0);
        var sent = new ConcurrentQueue<SentEmail>();
        var people = new CoachAndClient(time, fixture.Maildev, sent);
        await using var host = await LifecycleHost.StartAsync(fixture, prefix, time, sent);
        people.Host = host;
        await people.CreateFirmAsync(prefix);
        var id = $"eng-{prefix}";

        Assert.Equal(InputResult.Applied, (await people.StartAsync(id, $"sam-{prefix}@client.test")).Result);
        await people.RunUntilAsync(() => people.IsClosed(id), TimeSpan.FromDays(500));

        var view = await host.Runtime.GetAsync(id);
        var state = await CoachAndClient.StateAsync(host, id);
        Assert.Empty(people.Rejections);
        Assert.Equal(InstanceStatus.Completed, view.Status);
        Assert.Equal(EngagementPhase.Closed, state.Phase);
        Assert.Equal((1, 6, 2), (state.ProgramVersion, state.SessionsHeld, state.Reassessments.Count));

        AssertEmailsWentOutOnceInOrder(people, sent, id, Career6Emails);
        Assert.Equal([("support-trigger", "maintenance-checkin-3")],
            people.Notifications.Where(n => n.EngagementId == id && n.Kind == "support-trigger").Select(n => (n.Kind, n.Ref)));
        Assert.DoesNotContain(people.Notifications, n => n.Kind is "schedule-next-session" or "engagement-stalled" or "contract-expired");
        var support = Assert.Single(people.Emails, e => e.Email.EngagementId == id && e.Kind == EmailKinds.SupportRequested);
        Assert.Equal($"coach-{prefix}@northwind.test", support.Email.To);
        Assert.DoesNotContain("executive role", support.Email.Text, StringComparison.OrdinalIgnoreCase); // emails carry no answers
        Assert.Equal([FlagNames.SupportRequested], (await host.Runtime.GetAsync(id)).Flags);

        string[] documents =
        [
            "contract-v1", "contract-v1-signature", "intake-answers", "pre-session-brief",
            .. Enumerable.Range(1, 6).SelectMany(n => new[] { $"session-{n}-pre-session", $"session-{n}-agreement", $"session-{n}-coach-notes", $"session-{n}-summary" }),
            "reassessment-1-report", "reassessment-2-report", "maintenance-plan-draft-1", "maintenance-plan",
            "maintenance-checkin-1-answers", "six-month-check-answers", "maintenance-checkin-2-answers", "maintenance-checkin-3-answers", "maintenance-checkin-4-answers",
        ];
        await AssertDocumentsAsync(host, id, documents);
        var signature = await host.Documents.ReadAsync(id, "contract-v1-signature", CancellationToken.None);
        var contract = await host.Documents.ReadAsync(id, "contract-v1", CancellationToken.None);
        Assert.Contains(contract!.Sha256, signature!.Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAnEngagementOnCareer6V1_WhenTheFirmPublishesV2MidEngagement_ThenTheRunningEngagementKeepsV1AndANewOneFollowsV2()
    {
        var prefix = Repository.UniquePrefix();
        var time = new FakeTimeProvider(T0);
        var sent = new ConcurrentQueue<SentEmail>();
        var people = new CoachAndClient(time, fixture.Maildev, sent);
        var (a, b) = ($"eng-{prefix}-a", $"eng-{prefix}-b");

        // Engagement A starts on the only career-6 there is (v1) and gets to its second session.
        await using (var before = await LifecycleHost.StartAsync(fixture, prefix, time, sent))
        {
            people.Host = before;
            await people.CreateFirmAsync(prefix);
            await people.StartAsync(a, $"ana-{prefix}@client.test");
            await people.RunUntilAsync(() => people.EmailsOf(a).Contains("session-summary/2"), TimeSpan.FromDays(120));
        }

        // The firm publishes career-6 v2: four weekly sessions, reassessed every two, reminded two days ahead, six months of maintenance.
        var v2 = BuiltInPrograms.Career6 with
        {
            Version = 2,
            SessionCount = 4,
            SessionCadence = TimeSpan.FromDays(7),
            Reminders = BuiltInPrograms.Career6.Reminders with { SessionReminderBefore = TimeSpan.FromDays(2) },
            Reassessment = new ReassessmentRule(EverySessions: 2, Every: null, AtEnd: true),
            Maintenance = new MaintenanceRule(Period: TimeSpan.FromDays(180), CheckInEvery: TimeSpan.FromDays(90),
                StillApplyingCheckAfter: TimeSpan.FromDays(120), AnswerWindow: TimeSpan.FromDays(14)),
        };
        var catalog = new ProgramCatalog([BuiltInPrograms.Career6, v2, BuiltInPrograms.DemoAccelerated]);
        await using var after = await LifecycleHost.StartAsync(fixture, prefix, time, sent, catalog);
        people.Host = after;
        await people.StartAsync(b, $"ben-{prefix}@client.test");
        await people.RunUntilAsync(() => people.IsClosed(a) && people.IsClosed(b), TimeSpan.FromDays(500));
        Assert.Empty(people.Rejections);

        var stateA = await CoachAndClient.StateAsync(after, a);
        Assert.Equal((1, 6, 2, 5), (stateA.ProgramVersion, stateA.SessionsHeld, stateA.Reassessments.Count, stateA.ChecksSent.Count));
        Assert.Equal(InstanceStatus.Completed, (await after.Runtime.GetAsync(a)).Status);
        AssertEmailsWentOutOnceInOrder(people, sent, a, Career6Emails);
        AssertCadence(stateA, TimeSpan.FromDays(14));
        AssertRemindedAhead(people, a, stateA, TimeSpan.FromDays(1));

        var stateB = await CoachAndClient.StateAsync(after, b);
        Assert.Equal((2, 4, 2, 3), (stateB.ProgramVersion, stateB.SessionsHeld, stateB.Reassessments.Count, stateB.ChecksSent.Count));
        Assert.Equal(InstanceStatus.Completed, (await after.Runtime.GetAsync(b)).Status);
        AssertEmailsWentOutOnceInOrder(people, sent, b,
        [
            "contract-invitation/contract-v1",
            "contract-reminder/v1-send-1-reminder-1",
            "intake-invitation/intake",
            "intake-reminder/reminder-1",
            "pre-session-brief/intake",
            "session-confirmation/1", "session-reminder/1", "session-summary/1",
            // Weekly sessions reminded two days ahead: each action is reviewed before its check-in would be due.
            "session-confirmation/2", "session-reminder/2", "reassessment-invitation/1", "session-summary/2",
            "goals-updated/reassessment-1", "session-confirmation/3",
            "session-reminder/3", "session-summary/3",
            "session-confirmation/4", "session-reminder/4", "reassessment-invitation/2", "session-summary/4",
            "goals-updated/reassessment-2",
            "maintenance-plan-review/plan-draft-1",
            "graduation/graduation",
            "maintenance-checkin/maintenance-checkin-1",
            "still-applying-check/six-month-check",
            "maintenance-checkin/maintenance-checkin-2",
            "maintenance-complete/closed",
        ]);
        AssertCadence(stateB, TimeSpan.FromDays(7));
        AssertRemindedAhead(people, b, stateB, TimeSpan.FromDays(2));
    }

    private static SessionRecord Session(EngagementState state, int number) => state.Session(number)!;

    /// <summary>The coach books each next session one cadence after the previous one ended (an hour after it started).</summary>
    private static void AssertCadence(EngagementState state, TimeSpan cadence) =>
        Assert.All(state.Sessions.Where(s => s.Number > 1),
            s => Assert.Equal(cadence + TimeSpan.FromHours(1), s.StartAt - Session(state, s.Number - 1).StartAt));

    /// <summary>Each session reminder went out the program's reminder offset before its session.</summary>
    private static void AssertRemindedAhead(CoachAndClient people, string engagementId, EngagementState state, TimeSpan before) =>
        Assert.All(people.Emails.Where(e => e.Email.EngagementId == engagementId && e.Kind == EmailKinds.SessionReminder),
            e => Assert.Equal(Session(state, int.Parse(e.LinkRef!, System.Globalization.CultureInfo.InvariantCulture)).StartAt - before, e.SentAt));

    /// <summary>
    /// maildev got each email the engagement sent exactly once (one transport call per effect, one message per
    /// Message-ID), in the order they were sent, and they are the expected ones.
    /// </summary>
    private static void AssertEmailsWentOutOnceInOrder(CoachAndClient people, ConcurrentQueue<SentEmail> sent, string engagementId, string[] expected)
    {
        var received = people.Emails.Where(e => e.Email.EngagementId == engagementId).ToList();
        var handed = sent.Where(s => s.EngagementId == engagementId).ToList();
        Assert.Equal(handed.Count, received.Count);
        Assert.Equal(received.Count, received.Select(e => e.Email.MessageId).Distinct().Count());
        Assert.Equal(handed.Count, handed.Select(s => s.EffectId).Distinct().Count());
        // maildev's arrival order follows the clock; only emails of the same instant may come in either order.
        Assert.Equal(received.Select(e => e.SentAt).Order(), received.Select(e => e.SentAt));
        Assert.Equal(expected, received.OrderBy(e => e.SentAt).ThenBy(e => e.Label, StringComparer.Ordinal).Select(e => e.Label));
    }

    /// <summary>Exactly these documents exist, each as HTML and JSON, and only the coach's own notes hold the private notes.</summary>
    private static async Task AssertDocumentsAsync(LifecycleHost host, string engagementId, string[] expected)
    {
        var blobs = new List<string>();
        await foreach (var blob in host.Storage.Documents.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"instances/{engagementId}/documents/", CancellationToken.None))
            blobs.Add(blob.Name[$"instances/{engagementId}/documents/".Length..]);
        Assert.Equal(expected.SelectMany(n => new[] { $"{n}.html", $"{n}.json" }).Order(StringComparer.Ordinal), blobs.Order(StringComparer.Ordinal));

        foreach (var name in expected)
        {
            var document = await host.Documents.ReadAsync(engagementId, name, CancellationToken.None);
            Assert.NotNull(document);
            Assert.Contains("<html", document.Html, StringComparison.OrdinalIgnoreCase);
            using var json = JsonDocument.Parse(document.Json);
            var isPrivate = name.EndsWith("-coach-notes", StringComparison.Ordinal);
            Assert.True(isPrivate == document.Html.Contains(CoachAndClient.PrivateNotes, StringComparison.Ordinal), $"{name}.html and the private notes");
            Assert.True(isPrivate == document.Json.Contains(CoachAndClient.PrivateNotes, StringComparison.Ordinal), $"{name}.json and the private notes");
            // Reassessment reports show the Wheel of Life radar and the scaled-question trend.
            var isReport = name.StartsWith("reassessment-", StringComparison.Ordinal);
            Assert.True(isReport == (document.Html.Contains(">Wheel of Life</title>", StringComparison.Ordinal)
                && document.Html.Contains(">Scaled questions over time</title>", StringComparison.Ordinal)), $"{name}.html and its charts");
            // Written for people: no engagement id, no ISO timestamp, no true/false (what the stored events hold).
            var text = System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(document.Html, "<style.*?</style>", " ",
                System.Text.RegularExpressions.RegexOptions.Singleline), "<[^>]+>", " ");
            Assert.DoesNotContain(engagementId, text, StringComparison.Ordinal);
            Assert.DoesNotMatch("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}|\\b(true|false)\\b", text);
        }
    }
}
