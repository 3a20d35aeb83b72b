using CoachFlow.Workflows.Engagements;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.ClientPages;

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
