using System.Collections.Immutable;
using CoachFlow.Workflows.Engagements;
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

    private static readonly ImmutableList<EmailTemplate> CareerEmails = [.. EmailKinds.All.Select(k => new EmailTemplate(k, $"career/{k}"))];

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
        Questionnaires: CareerQuestions,
        Emails: CareerEmails);

    /// <summary>
    /// The career program on a demo clock: a week is about ten seconds, so the whole lifecycle, a year of
    /// maintenance included, runs in a few minutes, while a person still has a minute to open and sign a link.
    /// </summary>
    public static readonly ProgramDefinition DemoAccelerated = Career6 with
    {
        Id = "demo-accelerated",
        Name = "Demo — accelerated career coaching",
        SessionCadence = D("PT20S"),
        Reminders = new(
            ContractReminderEvery: D("PT10S"),
            ContractExpiresAfter: D("PT60S"),
            IntakeReminderEvery: D("PT10S"),
            IntakeDueAfter: D("PT30S"),
            MaxReminders: 3,
            SessionReminderBefore: D("PT5S"),
            CoachNudgeAfter: D("PT10S"),
            ReassessmentReminderAfter: D("PT10S")),
        Maintenance = new(Period: D("PT120S"), CheckInEvery: D("PT30S"), StillApplyingCheckAfter: D("PT60S"), AnswerWindow: D("PT10S")),
        StalledAfter = D("PT60S"),
    };
}
