using CoachFlow.Email.Calendar;

namespace CoachFlow.Email.Tests;

public sealed class SessionInvitationTests
{
    private static SessionInvite Invite(DateTimeOffset startAt, string zone = "Europe/Paris", int sequence = 0) => new(
        "eng-7f3a", 2, startAt, TimeSpan.FromMinutes(60), zone, sequence,
        new EmailAddress("ana.ruiz@northwind.test", "Ana Ruiz"), new EmailAddress("jordan@client.test", "Jordan Lee"),
        "Coaching session 2 with Ana Ruiz", new DateTimeOffset(2026, 3, 20, 9, 0, 0, TimeSpan.Zero), new Uri("https://app.test/s?t=1"));

    [Fact]
    public void GivenASessionInParis_WhenTheIcsIsParsedBack_ThenTimesAndZoneMatch()
    {
        var startAt = new DateTimeOffset(2026, 3, 31, 12, 0, 0, TimeSpan.Zero); // 14:00 in Paris, summer time
        var text = SessionInvitation.Build(Invite(startAt));

        Assert.Contains("METHOD:REQUEST", text, StringComparison.Ordinal);
        Assert.Contains("DTSTART;TZID=Europe/Paris:20260331T140000", text, StringComparison.Ordinal);
        Assert.Contains("DTEND;TZID=Europe/Paris:20260331T150000", text, StringComparison.Ordinal);

        var calendar = Ical.Net.Calendar.Load(text)!;
        Assert.Equal("REQUEST", calendar.Method);
        var zone = Assert.Single(calendar.TimeZones);
        Assert.Equal("Europe/Paris", zone.TzId);
        var evt = Assert.Single(calendar.Events);
        Assert.Equal("Europe/Paris", evt.DtStart!.TzId);
        Assert.Equal(14, evt.DtStart.Hour);
        Assert.Equal(startAt.UtcDateTime, evt.DtStart.AsUtc);
        Assert.Equal(startAt.AddHours(1).UtcDateTime, evt.DtEnd!.AsUtc);
        Assert.Equal("eng-7f3a-session-2@coachflow", evt.Uid);
        Assert.Equal(0, evt.Sequence);
        Assert.Equal("mailto:ana.ruiz@northwind.test", evt.Organizer!.Value!.ToString());
        Assert.Equal("Ana Ruiz", evt.Organizer.CommonName);
        var attendee = Assert.Single(evt.Attendees);
        Assert.Equal("mailto:jordan@client.test", attendee.Value!.ToString());
        Assert.True(attendee.Rsvp);
    }

    [Fact]
    public void GivenASessionInNewYorkInWinter_WhenBuilt_ThenLocalTimeIsFiveHoursBehindUTC()
    {
        var startAt = new DateTimeOffset(2026, 1, 15, 14, 30, 0, TimeSpan.Zero);
        var calendar = Ical.Net.Calendar.Load(SessionInvitation.Build(Invite(startAt, "America/New_York")))!;
        var evt = Assert.Single(calendar.Events);
        Assert.Equal("America/New_York", evt.DtStart!.TzId);
        Assert.Equal((9, 30), (evt.DtStart.Hour, evt.DtStart.Minute));
        Assert.Equal(startAt.UtcDateTime, evt.DtStart.AsUtc);
        Assert.Equal("America/New_York", Assert.Single(calendar.TimeZones).TzId);
    }

    [Fact]
    public void GivenAReschedule_WhenBuilt_ThenTheUidStaysAndTheSequenceGrows()
    {
        var first = Ical.Net.Calendar.Load(SessionInvitation.Build(Invite(new DateTimeOffset(2026, 3, 31, 12, 0, 0, TimeSpan.Zero))))!.Events.Single();
        var moved = Ical.Net.Calendar.Load(SessionInvitation.Build(Invite(new DateTimeOffset(2026, 4, 2, 8, 0, 0, TimeSpan.Zero), sequence: 1)))!.Events.Single();

        Assert.Equal(first.Uid, moved.Uid);
        Assert.True(moved.Sequence > first.Sequence);
        Assert.Equal(10, moved.DtStart!.Hour);
    }

    [Fact]
    public void GivenTheSameInput_WhenBuiltTwice_ThenTheFileIsIdentical()
    {
        var startAt = new DateTimeOffset(2026, 3, 31, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(SessionInvitation.Build(Invite(startAt)), SessionInvitation.Build(Invite(startAt)));
    }

    [Fact]
    public void GivenAnInvite_WhenAttached_ThenItIsACalendarRequest()
    {
        var attachment = SessionInvitation.Attachment(Invite(new DateTimeOffset(2026, 3, 31, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal("session-2.ics", attachment.FileName);
        Assert.Equal("text/calendar; method=REQUEST; charset=utf-8", attachment.ContentType);
    }
}
