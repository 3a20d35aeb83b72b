using System.Text;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace CoachFlow.Email.Calendar;

/// <summary>What a session's calendar invitation says.</summary>
/// <param name="Sequence">0 for the first invitation; one more for each reschedule, so calendars replace the earlier one.</param>
/// <param name="StampedAt">When the invitation was issued (DTSTAMP); passed in, so the same input gives the same file.</param>
public sealed record SessionInvite(
    string EngagementId,
    int SessionNumber,
    DateTimeOffset StartAt,
    TimeSpan Duration,
    string TimeZoneId,
    int Sequence,
    EmailAddress Coach,
    EmailAddress Client,
    string Summary,
    DateTimeOffset StampedAt,
    Uri? Url = null);

/// <summary>Builds <c>.ics</c> session invitations (METHOD:REQUEST) with Ical.Net.</summary>
public static class SessionInvitation
{
    /// <summary>The attachment's MIME type; <c>method=REQUEST</c> lets mail clients offer to accept it.</summary>
    public const string ContentType = "text/calendar; method=REQUEST; charset=utf-8";

    /// <summary>
    /// <c>{engagement}-session-{n}@coachflow</c>: the same for every invitation of one session, so a reschedule
    /// (higher SEQUENCE) updates the event instead of adding a second one.
    /// </summary>
    public static string Uid(string engagementId, int sessionNumber) => $"{engagementId}-session-{sessionNumber}@coachflow";

    /// <summary>The iCalendar text: a VTIMEZONE for the session's zone and one VEVENT with DTSTART/DTEND in it.</summary>
    public static string Build(SessionInvite invite)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(invite.TimeZoneId);
        var start = TimeZoneInfo.ConvertTime(invite.StartAt, zone).DateTime;
        var end = TimeZoneInfo.ConvertTime(invite.StartAt + invite.Duration, zone).DateTime;

        var calendar = new Ical.Net.Calendar { Method = "REQUEST", ProductId = "-//CoachFlow//Sessions//EN" };
        calendar.AddTimeZone(VTimeZone.FromDateTimeZone(invite.TimeZoneId, start.AddDays(-1), includeHistoricalData: false));
        calendar.Events.Add(new CalendarEvent
        {
            Uid = Uid(invite.EngagementId, invite.SessionNumber),
            Sequence = invite.Sequence,
            DtStamp = new CalDateTime(invite.StampedAt.UtcDateTime, CalDateTime.UtcTzId),
            DtStart = new CalDateTime(start, invite.TimeZoneId),
            DtEnd = new CalDateTime(end, invite.TimeZoneId),
            Summary = invite.Summary,
            Status = "CONFIRMED",
            Url = invite.Url,
            Organizer = new Organizer($"mailto:{invite.Coach.Address}") { CommonName = invite.Coach.Name },
            Attendees =
            [
                new Attendee($"mailto:{invite.Client.Address}")
                {
                    CommonName = invite.Client.Name,
                    Role = "REQ-PARTICIPANT",
                    ParticipationStatus = "NEEDS-ACTION",
                    Rsvp = true,
                },
            ],
        });
        return new CalendarSerializer().SerializeToString(calendar) ?? throw new InvalidOperationException("Ical.Net produced no calendar text.");
    }

    /// <summary>The invitation as an email attachment named <c>session-{n}.ics</c>.</summary>
    public static EmailAttachment Attachment(SessionInvite invite) =>
        new($"session-{invite.SessionNumber}.ics", ContentType, Encoding.UTF8.GetBytes(Build(invite)));
}
