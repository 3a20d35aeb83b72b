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
