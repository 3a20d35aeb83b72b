using System.Globalization;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.ClientPages;

/// <summary>The page behind one link purpose: what it shows, and what it does with its form.</summary>
internal abstract class ClientForm
{
    public abstract Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct);

    public virtual Task<Page> SubmitAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct) =>
        Task.FromResult(StandardPages.NothingToSend());

    /// <summary>
    /// For a form whose answer is a file, not a page (the client's data export): the file, checked like every form
    /// (link, size, antiforgery) before this runs. Null: answer with <see cref="SubmitAsync"/>'s page.
    /// </summary>
    public virtual Task<IResult?> DownloadAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct) =>
        Task.FromResult<IResult?>(null);

    /// <summary>The pages every form shows once the engagement is over.</summary>
    protected static Page? Finished(ClientLink link) => link.State.IsFinished()
        ? StandardPages.AlreadyDone("This coaching engagement has ended", link.State.Phase == EngagementPhase.Closed
            ? "Your engagement, including its maintenance period, is complete."
            : "Your coaching engagement was ended, so this link no longer leads anywhere.")
        : null;

    protected static string Value(IFormCollection form, string name)
    {
        var values = form[name];
        return values.Count == 0 ? "" : (values[0] ?? "").Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    public static string Date(DateTimeOffset at, string? timeZoneId = null)
    {
        var zone = TimeZoneInfo.Utc;
        if (timeZoneId is not null)
        {
            try { zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId); }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException) { timeZoneId = null; }
        }
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return local.ToString("dddd d MMMM yyyy 'at' HH:mm", CultureInfo.InvariantCulture) + (timeZoneId is null ? " (UTC)" : $" ({timeZoneId} time)");
    }

    public static string Day(DateTimeOffset at) => at.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
}

/// <summary>Which page serves which link purpose (the purposes the engagement's emails use).</summary>
internal static class ClientForms
{
    private static readonly ClientForm Contract = new ContractForm();
    private static readonly ClientForm Intake = new IntakeForm();
    private static readonly ClientForm PreSession = new PreSessionForm();
    private static readonly ClientForm ActionCheckIn = new ActionCheckInForm();
    private static readonly ClientForm Reassessment = new ReassessmentForm();
    private static readonly ClientForm ConfirmPlan = new ConfirmPlanForm();
    private static readonly ClientForm MaintenanceCheck = new MaintenanceCheckForm();
    private static readonly ClientForm Documents = new DocumentView();
    private static readonly ClientForm DataExport = new DataRights.ClientExportPage();
    private static readonly ClientForm Reminders = new RemindersPage();

    public static ClientForm? For(string purpose) => purpose switch
    {
        LinkPurposes.SignContract => Contract,
        LinkPurposes.Intake => Intake,
        LinkPurposes.PreSessionQuestionnaire => PreSession,
        LinkPurposes.ActionCheckIn => ActionCheckIn,
        LinkPurposes.Reassessment => Reassessment,
        LinkPurposes.ConfirmMaintenancePlan => ConfirmPlan,
        LinkPurposes.MaintenanceCheckIn or LinkPurposes.StillApplying or TimerIds.SixMonthCheck => MaintenanceCheck,
        _ when purpose.StartsWith(TimerIds.MaintenanceCheckInPrefix, StringComparison.Ordinal) => MaintenanceCheck,
        LinkPurposes.SessionSummary or LinkPurposes.SessionDetails or LinkPurposes.ClosingSummary or LinkPurposes.Goals or LinkPurposes.MaintenancePlan or LinkPurposes.PreSessionBrief or LinkPurposes.ProgressReport => Documents,
        DataRights.ClientExportLinks.Purpose => DataExport,
        RemindersPage.Purpose => Reminders,
        _ => null,
    };

    /// <summary>The stored document a link shows, if it shows one.</summary>
    public static string? DocumentNameFor(ClientLink link) => link.Grant.Purpose switch
    {
        LinkPurposes.SignContract => $"contract-v{ContractForm.VersionOf(link)}",
        LinkPurposes.SessionSummary when link.RefNumber is int n => $"session-{n}-summary",
        LinkPurposes.ClosingSummary => "closing-summary",
        LinkPurposes.MaintenancePlan => "maintenance-plan",
        LinkPurposes.PreSessionBrief => "pre-session-brief",
        LinkPurposes.ProgressReport when link.Grant.Ref is { Length: > 0 } reference => $"progress-report-{reference}",
        _ => null,
    };
}
