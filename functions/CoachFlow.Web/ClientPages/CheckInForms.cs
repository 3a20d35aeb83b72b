using System.Text;
using System.Text.Json;
using CoachFlow.Web.Documents;
using CoachFlow.Workflows.Engagements;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.ClientPages;

/// <summary>Accountability check-in on one action, answerable straight from the email.</summary>
internal sealed class ActionCheckInForm : ClientForm
{
    public override Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct) =>
        Task.FromResult(Stop(link, out var action) ?? Render(link, action!, PreSessionForm.StatusValue(action!.LastStatus), action.LastLearning, [], 200));

    public override async Task<Page> SubmitAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct)
    {
        if (Stop(link, out var action) is { } stop) return stop;
        var statusValue = Value(form, "status");
        var learning = Value(form, "learning");
        var status = PreSessionForm.ParseStatus(statusValue);
        List<FieldError> errors = [];
        if (status is null) errors.Add(new("status", FieldId("status") + "-1", "Choose how far you got"));
        if (learning.Length > QuestionnaireForms.MaxTextLength) errors.Add(new("learning", FieldId("learning"), $"Shorten what you learned to at most {QuestionnaireForms.MaxTextLength:N0} characters"));
        if (errors.Count > 0) return Render(link, action!, statusValue, learning, errors, 400);

        var note = string.IsNullOrWhiteSpace(learning) ? null : learning.Trim();
        var input = new CheckInAction(action!.ActionId, status!.Value, note);
        var message = status switch
        {
            ActionStatus.Done => "Well done. Your coach will see that this action is done.",
            ActionStatus.Partly => "Thank you. Partial progress counts, and your coach will see where you are.",
            _ => "Thank you for being honest. Not doing an action tells you something too; you and your coach can look at it together in your next session.",
        };
        return await pages.RaiseAsync(link, input, link.Key("checkin", QuestionnaireForms.Canonical(new { status, note })), () => new Page(200, "Thank you for checking in",
            $"""
            <div class="panel" role="status"><p class="lead">{H(message)}</p></div>
            {(status == ActionStatus.Done ? "" : $"<p>If things change before it is due, you can <a href=\"/c/{H(link.Token)}\">update your answer</a> with the same link.</p>")}
            <p>You can close this page.</p>
            """), ct);
    }

    private static Page? Stop(ClientLink link, out ActionRecord? action)
    {
        action = link.Grant.Ref is { } id ? link.State.Action(id) : null;
        if (Finished(link) is { } finished) return finished;
        if (action is null) return StandardPages.NotFound("We could not find this action", "The action this link is about is not part of your engagement any more.");
        if (action.Dropped) return StandardPages.AlreadyDone("This action was let go", "You and your coach decided to drop this action, so there is nothing to report on it.");
        if (action.LastStatus == ActionStatus.Done) return StandardPages.AlreadyDone("This action is done", "You have already told us this action is done. Well done!");
        return null;
    }

    private static Page Render(ClientLink link, ActionRecord action, string? status, string? learning, IReadOnlyList<FieldError> errors, int statusCode)
    {
        var body = $"""
            {ErrorSummary(errors)}
            <p class="lead">In your session you chose this action:</p>
            <div class="panel"><p class="answer">{H(action.Description)}</p><p class="meta">Due {H(Day(action.DueAt))}</p></div>
            {Form(link, $"""
                {Choices("status", "How far did you get?", PreSessionForm.Statuses, status, errors.FirstOrDefault(e => e.Field == "status"))}
                {TextArea("learning", "What did you learn, or what got in the way?", learning, false, errors.FirstOrDefault(e => e.Field == "learning"))}
                {Button("Send my check-in")}
                """)}
            """;
        return new Page(statusCode, "How is your action going?", body);
    }
}

/// <summary>
/// The client reviews the self-coaching maintenance plan their coach drafted: confirming it is graduation; asking
/// for changes tells the coach, who sends a new version to review the same way.
/// </summary>
internal sealed class ConfirmPlanForm : ClientForm
{
    /// <summary>What the review email asks; the page says the same.</summary>
    public const string Ask = "Read it through, then confirm it or ask for changes.";

    public override Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct) =>
        Task.FromResult(Stop(link) ?? Render(link, null, null, 200));

    public override async Task<Page> SubmitAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct)
    {
        if (Stop(link) is { } stop) return stop;
        var draft = link.State.PlanDrafts;
        if (Value(form, "confirm") == "yes")
            return await pages.RaiseAsync(link, new ConfirmMaintenancePlan(), link.Key("confirm", QuestionnaireForms.Canonical(link.State.Plan)), () => new Page(200, "Congratulations, you have graduated",
                $"""
                <div class="panel" role="status"><p class="lead">Your self-coaching plan is confirmed.</p></div>
                <p>From now on we will check in with you from time to time, to see how the plan is working. {H(link.CoachName)} is there if you need support again.</p>
                <p>You can close this page.</p>
                """), ct);

        var changes = Value(form, "changes").Trim();
        FieldError? error = changes.Length == 0 ? new("changes", FieldId("changes"), "Say what you would like to change, or confirm the plan as it is")
            : changes.Length > QuestionnaireForms.MaxTextLength ? new("changes", FieldId("changes"), $"Shorten your changes to at most {QuestionnaireForms.MaxTextLength:N0} characters")
            : null;
        if (error is not null) return Render(link, changes, error, 400);
        return await pages.RaiseAsync(link, new RequestPlanChanges(draft, changes), link.Key($"changes-{draft}"), () => new Page(200, "Thank you: your coach will send a new version",
            $"""
            <div class="panel" role="status"><p class="lead">{H(link.CoachName)} has your comments on your self-coaching plan.</p></div>
            <p>When {H(link.CoachName)} has worked them in, you will get an email with the new version, to confirm it or ask for changes again. Every version is kept with your engagement.</p>
            <p>You can close this page.</p>
            """), ct);
    }

    private static Page? Stop(ClientLink link)
    {
        if (Finished(link) is { } finished) return finished;
        if (link.State.Phase == EngagementPhase.Maintenance) return StandardPages.AlreadyDone("You have already confirmed your plan", "Your self-coaching plan is confirmed and your maintenance period has started.");
        if (link.State.Plan is null || link.State.Phase != EngagementPhase.Graduation)
            return new Page(409, "Your plan is not ready yet", P("Your coach has not finished your maintenance plan yet. Nothing was changed.") + P("You will get an email when it is ready."));
        if (link.State.PlanChangesRequestedOn == link.State.PlanDrafts)
            return new Page(200, "You have asked for changes",
                P($"{link.CoachName} is working on a new version of your plan. You will get an email when it is ready, to confirm it or ask for changes again.", "lead"));
        return null;
    }

    private static Page Render(ClientLink link, string? changes, FieldError? error, int status)
    {
        var plan = link.State.Plan!;
        var version = link.State.PlanDrafts > 1 ? $" This is version {link.State.PlanDrafts}, with the changes you asked for." : "";
        var body = $"""
            {ErrorSummary(error is null ? [] : [error])}
            <p class="lead">{H(link.CoachName)} has drafted your self-coaching plan from what you worked on together.{H(version)} {H(Ask)}</p>
            <dl>
            {Row("Frameworks you will keep using", plan.Frameworks)}
            {Row("Your values and strengths", plan.ValuesAndStrengths)}
            {Row("How you will track your goals", [plan.GoalTracking])}
            {Row("Your self-coaching retreat", [plan.RetreatCadence])}
            {Row("When to seek support again", plan.SupportTriggers)}
            {Row("What you achieved", [plan.Outcomes])}
            </dl>
            <h2>Is it right for you?</h2>
            {Form(link, $"<input type=\"hidden\" name=\"confirm\" value=\"yes\">{Button("Confirm my plan")}")}
            <h2>Or ask for changes</h2>
            {Form(link, TextArea("changes", "What would you like to change?", changes, true, error, $"{link.CoachName} will read it and send you a new version to confirm.") + Button("Ask for changes", secondary: true))}
            """;
        return new Page(status, "Your self-coaching plan", body);
    }

    private static string Row(string label, IReadOnlyList<string> items)
    {
        var present = items.Where(i => !string.IsNullOrWhiteSpace(i)).ToList();
        if (present.Count == 0) return "";
        return present.Count == 1
            ? $"<dt>{H(label)}</dt><dd class=\"answer\">{H(present[0])}</dd>"
            : $"<dt>{H(label)}</dt><dd><ul>{string.Concat(present.Select(i => $"<li class=\"answer\">{H(i)}</li>"))}</ul></dd>";
    }
}

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

/// <summary>The read-only pages: session summary and details, goals, the maintenance plan, closing summary, the coach's brief.</summary>
internal sealed class DocumentView : ClientForm
{
    public override async Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct)
    {
        switch (link.Grant.Purpose)
        {
            case LinkPurposes.SessionDetails: return SessionDetails(link);
            case LinkPurposes.Goals: return Goals(link);
        }
        var title = link.Grant.Purpose switch
        {
            LinkPurposes.SessionSummary => $"Summary of session {link.RefNumber}",
            LinkPurposes.ClosingSummary => "Closing summary",
            LinkPurposes.MaintenancePlan => "Your self-coaching plan",
            LinkPurposes.PreSessionBrief => "Brief before the first session",
            LinkPurposes.ProgressReport => "Coaching progress report",
            _ => "Document",
        };
        var name = ClientForms.DocumentNameFor(link);
        var doc = name is null ? null : await pages.Documents.ReadAsync(link.EngagementId, name, ct);
        if (doc is null) return StandardPages.NotReady(title);
        if (link.Grant.Purpose == LinkPurposes.ProgressReport) return ForSponsor(title, doc, link);
        return new Page(200, title, P("Here is the document. It is also kept with your engagement, so you can come back to it with this link.", "lead") +
            DocumentContent(title, doc.Html, $"/c/{link.Token}/document") + ClientPdfs.Links(link, doc.Kind == "maintenance-plan" ? name : null));
    }

    /// <summary>The sponsor reads the progress report their link was sent for: no client records, no PDFs of theirs.</summary>
    private static Page ForSponsor(string title, StoredDocument doc, ClientLink link) =>
        new(200, title, P("Progress only: what the client says and writes stays between them and their coach.", "lead") +
            DocumentContent(title, doc.Html, $"/c/{link.Token}/document"));

    private static Page SessionDetails(ClientLink link)
    {
        if (link.RefNumber is not int n || link.State.Session(n) is not { } session)
            return StandardPages.NotFound("This session is not scheduled", "We could not find the session this link is about. It may have been moved or cancelled.");
        var length = Workflows.Programs.Durations.InWords(link.Program.SessionLengthFor(link.State.Terms));
        var body = $"""
            <dl>
            <dt>When</dt><dd>{H(Date(session.StartAt, session.TimeZoneId))}</dd>
            <dt>Length</dt><dd>{H(length)}</dd>
            <dt>With</dt><dd>{H(link.CoachName)}</dd>
            <dt>Session</dt><dd>{session.Number} of {link.Program.SessionCount}</dd>
            </dl>
            {(session.HeldAt is { } held ? P($"This session took place on {Day(held)}.") : P("If you need to move it, reply to your coach's email; our cancellation policy is in your agreement."))}
            """;
        return new Page(200, $"Session {session.Number}", body);
    }

    private static Page Goals(ClientLink link)
    {
        var sb = new StringBuilder();
        var goals = link.State.Terms?.OverallGoals ?? [];
        sb.Append("<h2>The goals in your agreement</h2>");
        sb.Append(goals.Count == 0 ? P("Your goals are shaped in your sessions.") : $"<ul>{string.Concat(goals.Select(g => $"<li class=\"answer\">{H(g)}</li>"))}</ul>");
        var latest = link.View.History.LastOrDefault(h => h.Type == nameof(ReassessmentReviewed));
        if (latest is not null && latest.Data.TryGetProperty("goalUpdates", out var updates) && updates.ValueKind == JsonValueKind.Array && updates.GetArrayLength() > 0)
        {
            sb.Append("<h2>What you agreed at your last review</h2><ul>");
            foreach (var u in updates.EnumerateArray()) sb.Append($"<li class=\"answer\">{H(u.GetString())}</li>");
            sb.Append("</ul>");
        }
        var report = link.View.History.LastOrDefault(h => h.Type == nameof(ReassessmentCompleted));
        var reportName = report is null ? null : $"reassessment-{report.Data.GetProperty("number").GetInt32()}-report";
        return new Page(200, "Your goals", sb.ToString() + ClientPdfs.Links(link, reportName));
    }
}
