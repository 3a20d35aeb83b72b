using System.Xml;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Workflows.Programs;

/// <summary>
/// A firm's coaching program as data: how many sessions and how often, when to remind and expire, when to
/// reassess, how long maintenance lasts, and which contract and questionnaires it uses (the emails it sends are the
/// engagement's <see cref="EmailKinds"/>, rendered by CoachFlow.Email's templates).
/// </summary>
/// <remarks>An engagement pins <see cref="Id"/> and <see cref="Version"/> when it starts; a changed program is a new version.</remarks>
/// <param name="SponsorReports">When a sponsor (if the engagement has one) gets a link to the progress report.</param>
public sealed record ProgramDefinition(
    string Id,
    int Version,
    string Name,
    int SessionCount,
    TimeSpan SessionCadence,
    ProgramReminders Reminders,
    ReassessmentRule Reassessment,
    MaintenanceRule Maintenance,
    TimeSpan StalledAfter,
    string ContractTemplateId,
    ProgramQuestionnaires Questionnaires,
    TimeSpan? SessionLength = null,
    SponsorReports SponsorReports = SponsorReports.AfterEachReassessment)
{
    /// <summary>How long a session is booked for: the program's own length (a demo clock) or the minutes the contract agreed.</summary>
    public TimeSpan SessionLengthFor(EngagementTerms? terms) => SessionLength ?? TimeSpan.FromMinutes(terms?.SessionMinutes ?? 60);

    /// <summary>How many quarterly (or other cadence) check-ins fit in the maintenance period.</summary>
    public int MaintenanceCheckIns => (int)(Maintenance.Period.Ticks / Maintenance.CheckInEvery.Ticks);
}

/// <summary>When an engagement with a sponsor sends them a link to its progress report (never to an engagement without one).</summary>
public enum SponsorReports
{
    None,
    AfterEachReassessment,
    AfterEachSession,
}

/// <summary>Reminder, expiry and nudge offsets.</summary>
/// <param name="ContractReminderEvery">Between reminders while the contract is unsigned.</param>
/// <param name="ContractExpiresAfter">From sending to expiry.</param>
/// <param name="IntakeReminderEvery">Between intake reminders.</param>
/// <param name="IntakeDueAfter">When the intake is considered overdue.</param>
/// <param name="MaxReminders">At most this many reminders per questionnaire.</param>
/// <param name="SessionReminderBefore">How long before a session the reminder (with the pre-session questionnaire) goes.</param>
/// <param name="CoachNudgeAfter">After this long with no next session scheduled, the coach is nudged (and again after each such period).</param>
/// <param name="ReassessmentReminderAfter">When an unanswered reassessment is reminded.</param>
public sealed record ProgramReminders(
    TimeSpan ContractReminderEvery,
    TimeSpan ContractExpiresAfter,
    TimeSpan IntakeReminderEvery,
    TimeSpan IntakeDueAfter,
    int MaxReminders,
    TimeSpan SessionReminderBefore,
    TimeSpan CoachNudgeAfter,
    TimeSpan ReassessmentReminderAfter);

/// <summary>Reassess every <see cref="EverySessions"/> sessions and/or when <see cref="Every"/> has passed since the last one; and at the end.</summary>
public sealed record ReassessmentRule(int? EverySessions, TimeSpan? Every, bool AtEnd = true)
{
    /// <summary>Whether holding session <paramref name="held"/> (not the last) calls for a reassessment.</summary>
    public bool IsDue(int held, DateTimeOffset lastBaselineAt, DateTimeOffset now) =>
        (EverySessions is int k && k > 0 && held % k == 0) || (Every is TimeSpan w && now - lastBaselineAt >= w);
}

/// <summary>After graduation: check-ins every <see cref="CheckInEvery"/> for <see cref="Period"/>, one "still applying it?" check.</summary>
/// <param name="AnswerWindow">How long after the period ends the last check-in may still be answered before the engagement closes.</param>
public sealed record MaintenanceRule(TimeSpan Period, TimeSpan CheckInEvery, TimeSpan StillApplyingCheckAfter, TimeSpan AnswerWindow);

/// <summary>The questionnaires a program uses.</summary>
public sealed record ProgramQuestionnaires(
    QuestionnaireDefinition Intake,
    QuestionnaireDefinition PreSession,
    QuestionnaireDefinition Reassessment,
    QuestionnaireDefinition MaintenanceCheckIn);

/// <summary>Reads ISO 8601 durations (<c>P14D</c>, <c>PT2S</c>) as programs are written.</summary>
public static class Iso8601
{
    /// <summary>Parses a duration; months count as 30 days and a year as 365, as <see cref="XmlConvert"/> does.</summary>
    public static TimeSpan Duration(string iso) => XmlConvert.ToTimeSpan(iso);
}

/// <summary>Durations as a contract or a page says them: "60 minutes", "2 weeks", "20 seconds".</summary>
public static class Durations
{
    public static string InWords(TimeSpan span) =>
        span.TotalDays >= 7 && span.TotalDays % 7 == 0 ? Plural(span.TotalDays / 7, "week")
        : span.TotalDays >= 1 ? Plural(span.TotalDays, "day")
        : span.TotalHours >= 1 && span.TotalMinutes % 60 == 0 ? Plural(span.TotalHours, "hour")
        : span.TotalMinutes >= 1 ? Plural(span.TotalMinutes, "minute")
        : Plural(span.TotalSeconds, "second");

    private static string Plural(double n, string unit) =>
        $"{n.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} {unit}{(n == 1 ? "" : "s")}";
}
