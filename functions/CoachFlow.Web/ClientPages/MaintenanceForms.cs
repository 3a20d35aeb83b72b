using CoachFlow.Workflows.Engagements;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.ClientPages;

/// <summary>A maintenance check (quarterly check-in or the six-month "still applying it?" check).</summary>
internal sealed class MaintenanceCheckForm : ClientForm
{
    private static readonly IReadOnlyList<(string, string)> YesNo = [("yes", "Yes"), ("no", "No")];

    public override Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct) =>
        Task.FromResult(Stop(link, out var checkId) ?? Render(link, checkId, new Dictionary<string, string>(StringComparer.Ordinal), [], 200));

    public override async Task<Page> SubmitAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct)
    {
        if (Stop(link, out var checkId) is { } stop) return stop;
        var questionnaire = link.Program.Questionnaires.MaintenanceCheckIn;
        var (answers, errors, values) = QuestionnaireForms.Read(questionnaire.Items, form);
        values["applying"] = Value(form, "applying");
        if (values["applying"] is not ("yes" or "no")) errors.Insert(0, new("applying", FieldId("applying") + "-1", "Say whether you are still using your plan"));
        errors.AddRange(QuestionnaireForms.Missing(questionnaire, answers).Where(m => !errors.Exists(e => e.Field == m.Field)));
        if (errors.Count > 0) return Render(link, checkId, values, errors, 400);

        string? Text(string id) => answers.Find(a => a.ItemId == id)?.Text is { Length: > 0 } t ? t : null;
        var trigger = Text("trigger");
        var note = string.Join("\n\n", answers.Where(a => a.ItemId != "trigger" && !string.IsNullOrWhiteSpace(a.Text)).Select(a => a.Text));
        var input = new AnswerMaintenanceCheckIn(checkId, values["applying"] == "yes", trigger, note.Length == 0 ? null : note);
        return await pages.RaiseAsync(link, input, link.Key("answer"), () => new Page(200, "Thank you for checking in",
            $"""
            <div class="panel" role="status"><p class="lead">We have your answers.</p></div>
            <p>{(trigger is null ? "Keep going: your plan is yours to run." : $"{H(link.CoachName)} will see what has changed and may get in touch.")}</p>
            <p>You can close this page.</p>
            """), ct);
    }

    private static Page? Stop(ClientLink link, out string checkId)
    {
        var id = link.Grant.Ref ?? link.Grant.Purpose;
        checkId = id;
        if (Finished(link) is { } finished) return finished;
        var s = link.State;
        if (s.ChecksAnswered.Exists(c => c.CheckId == id)) return StandardPages.AlreadyDone("You have already answered this check-in", "Thank you; we have your answers.");
        if (s.Phase != EngagementPhase.Maintenance || !s.ChecksSent.Contains(id))
            return StandardPages.NotFound("There is no check-in here", "We could not find the check-in this link is about.");
        return null;
    }

    private static Page Render(ClientLink link, string checkId, IReadOnlyDictionary<string, string> values, IReadOnlyList<FieldError> errors, int status)
    {
        var questionnaire = link.Program.Questionnaires.MaintenanceCheckIn;
        var sixMonths = checkId == TimerIds.SixMonthCheck;
        var body = $"""
            {ErrorSummary(errors)}
            <p class="lead">{(sixMonths ? "It has been a while since you graduated. Are you still running your own coaching?" : "A few minutes to look at how your self-coaching plan is working.")}</p>
            {Form(link, Choices("applying", "Are you still using your self-coaching plan?", YesNo, values.GetValueOrDefault("applying"), errors.FirstOrDefault(e => e.Field == "applying"))
                + QuestionnaireForms.Render(questionnaire.Items, values, errors)
                + $"<div class=\"field\">{Button("Send my check-in")}</div>")}
            """;
        return new Page(status, sixMonths ? "Are you still applying your plan?" : questionnaire.Title, body);
    }
}
