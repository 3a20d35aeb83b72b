using System.Collections.Immutable;
using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Workflows.Programs;

/// <summary>The programs a host offers, each version kept so running engagements keep theirs.</summary>
public sealed class ProgramCatalog(IEnumerable<ProgramDefinition> programs)
{
    private readonly ImmutableList<ProgramDefinition> _programs = [.. programs];

    /// <summary>The two programs CoachFlow ships.</summary>
    public static ProgramCatalog BuiltIn { get; } = new([BuiltInPrograms.Career6, BuiltInPrograms.DemoAccelerated]);

    public IReadOnlyList<ProgramDefinition> All => _programs;

    /// <summary>A given version, or the latest when <paramref name="version"/> is null.</summary>
    public ProgramDefinition? Find(string id, int? version = null) =>
        _programs.Where(p => p.Id == id && (version is null || p.Version == version)).MaxBy(p => p.Version);
}

/// <summary>The programs CoachFlow ships with.</summary>
public static class BuiltInPrograms
{
    private static TimeSpan D(string iso) => Iso8601.Duration(iso);

    private static readonly ProgramQuestionnaires CareerQuestions = new(
        CareerQuestionnaires.Intake, CareerQuestionnaires.PreSession, CareerQuestionnaires.Reassessment, CareerQuestionnaires.MaintenanceCheckIn);

    /// <summary>Career coaching in six sessions two weeks apart, reassessed after session 3 and at the end, then a year of maintenance.</summary>
    public static readonly ProgramDefinition Career6 = new(
        Id: "career-6",
        Version: 1,
        Name: "Career coaching — 6 sessions",
        SessionCount: 6,
        SessionCadence: D("P14D"),
        Reminders: new(
            ContractReminderEvery: D("P3D"),
            ContractExpiresAfter: D("P14D"),
            IntakeReminderEvery: D("P3D"),
            IntakeDueAfter: D("P10D"),
            MaxReminders: 3,
            SessionReminderBefore: D("P1D"),
            CoachNudgeAfter: D("P7D"),
            ReassessmentReminderAfter: D("P3D")),
        Reassessment: new(EverySessions: 3, Every: null, AtEnd: true),
        Maintenance: new(Period: D("P12M"), CheckInEvery: D("P3M"), StillApplyingCheckAfter: D("P6M"), AnswerWindow: D("P14D")),
        StalledAfter: D("P28D"),
        ContractTemplateId: "career/contract",
        Questionnaires: CareerQuestions);

    /// <summary>A week of the career program on the demo clock: everything the program times runs at this scale.</summary>
    public static readonly TimeSpan DemoWeek = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a person watching the demo needs to open an email and act on it: no reminder, expiry or answer
    /// window is shorter, whatever the scale says (a signing link lasts a minute).
    /// </summary>
    public static readonly TimeSpan DemoReaction = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The career program on one demo clock: a week takes <see cref="DemoWeek"/> (ten seconds) while coaching and,
    /// so that a year of maintenance fits in a demo, a month of maintenance takes ten seconds too. Sessions come
    /// about every 20 seconds and are booked for 5 seconds (a real hour would be a twentieth of a second on this
    /// clock; 5 s keeps it visible), so they never overlap in a calendar and the contract says exactly this.
    /// Where the scale would leave a person less than <see cref="DemoReaction"/> to act, they get that (and a
    /// minute to sign the contract).
    /// </summary>
    public static readonly ProgramDefinition DemoAccelerated = Career6 with
    {
        Id = "demo-accelerated",
        Name = "Demo — accelerated career coaching",
        SessionCadence = OnDemoClock(Career6.SessionCadence),
        SessionLength = TimeSpan.FromSeconds(5),
        Reminders = new(
            ContractReminderEvery: ForAPerson(OnDemoClock(Career6.Reminders.ContractReminderEvery)),
            ContractExpiresAfter: TimeSpan.FromMinutes(1),
            IntakeReminderEvery: ForAPerson(OnDemoClock(Career6.Reminders.IntakeReminderEvery)),
            IntakeDueAfter: ForAPerson(OnDemoClock(Career6.Reminders.IntakeDueAfter)),
            MaxReminders: Career6.Reminders.MaxReminders,
            SessionReminderBefore: ForAPerson(OnDemoClock(Career6.Reminders.SessionReminderBefore)),
            CoachNudgeAfter: OnDemoClock(Career6.Reminders.CoachNudgeAfter),
            ReassessmentReminderAfter: ForAPerson(OnDemoClock(Career6.Reminders.ReassessmentReminderAfter))),
        Maintenance = new(
            Period: OnDemoMaintenanceClock(Career6.Maintenance.Period),
            CheckInEvery: OnDemoMaintenanceClock(Career6.Maintenance.CheckInEvery),
            StillApplyingCheckAfter: OnDemoMaintenanceClock(Career6.Maintenance.StillApplyingCheckAfter),
            AnswerWindow: ForAPerson(OnDemoMaintenanceClock(Career6.Maintenance.AnswerWindow))),
        StalledAfter = OnDemoClock(Career6.StalledAfter),
    };

    /// <summary>A duration of the career program on the demo clock (a week is <see cref="DemoWeek"/>), to the second.</summary>
    public static TimeSpan OnDemoClock(TimeSpan real) => TimeSpan.FromSeconds(Math.Round(real / TimeSpan.FromDays(7) * DemoWeek.TotalSeconds));

    /// <summary>A maintenance duration on the demo clock: a month (30 days) is ten seconds, counted in whole months.</summary>
    public static TimeSpan OnDemoMaintenanceClock(TimeSpan real) => TimeSpan.FromSeconds(Math.Round(real / TimeSpan.FromDays(30)) * 10);

    private static TimeSpan ForAPerson(TimeSpan scaled) => scaled < DemoReaction ? DemoReaction : scaled;
}
