using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Questionnaires;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.ClientPages;

/// <summary>Renders and reads a program's questionnaire items: text as labelled text areas, ratings as 1–10 radio groups.</summary>
internal static class QuestionnaireForms
{
    /// <summary>The longest answer one text item takes.</summary>
    public const int MaxTextLength = 20_000;

    private static readonly Dictionary<string, string> SectionTitles = new(StringComparer.Ordinal)
    {
        ["accomplishments"] = "What you have achieved",
        ["energy"] = "Energy and friction",
        ["evidence"] = "What others say about you",
        ["stuck-point"] = "Where you feel stuck",
        ["values"] = "What matters to you",
        ["wheel-of-life"] = "Wheel of Life",
        ["swot"] = "Career SWOT",
        ["scaled"] = "Where you stand today",
        ["indicators"] = "Leading indicators",
        ["outcomes"] = "Results so far",
        ["session"] = "Our next session",
        ["maintenance"] = "Your plan",
    };

    private static readonly Dictionary<string, string> SectionHints = new(StringComparer.Ordinal)
    {
        ["wheel-of-life"] = "Rate each area of your life from 1 (very unhappy) to 10 (fully content). There are no right answers.",
        ["swot"] = "Strengths, weaknesses, opportunities and threats, as they apply to your career.",
    };

    public static string SectionTitle(string section) =>
        SectionTitles.TryGetValue(section, out var title) ? title : CultureInfo.InvariantCulture.TextInfo.ToTitleCase(section.Replace('-', ' '));

    /// <summary>The items grouped by section (in the order sections first appear), each section a headed region.</summary>
    public static string Render(IEnumerable<QuestionnaireItem> items, IReadOnlyDictionary<string, string> values, IReadOnlyList<FieldError> errors, int headingLevel = 2)
    {
        var sb = new StringBuilder();
        foreach (var section in items.GroupBy(i => i.Section))
        {
            var headingId = $"section-{section.Key}";
            sb.Append($"<section aria-labelledby=\"{H(headingId)}\"><h{headingLevel} id=\"{H(headingId)}\">{H(SectionTitle(section.Key))}</h{headingLevel}>");
            if (SectionHints.TryGetValue(section.Key, out var hint)) sb.Append(P(hint, "hint"));
            foreach (var item in section) sb.Append(Item(item, values.GetValueOrDefault(item.Id), errors.FirstOrDefault(e => e.Field == item.Id)));
            sb.Append("</section>");
        }
        return sb.ToString();
    }

    public static string Item(QuestionnaireItem item, string? value, FieldError? error) => item.Kind switch
    {
        ItemKind.Rating => Rating(item.Id, item.Prompt, int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null, item.Required, error),
        _ => TextArea(item.Id, item.Prompt, value, item.Required, error),
    };

    /// <summary>What the form holds for these items: answers given, and problems with the format (not with what is missing).</summary>
    public static (ImmutableList<QuestionnaireAnswer> Answers, List<FieldError> Errors, Dictionary<string, string> Values) Read(
        IEnumerable<QuestionnaireItem> items, IFormCollection form, IReadOnlyList<QuestionnaireAnswer>? saved = null)
    {
        var answers = ImmutableList.CreateBuilder<QuestionnaireAnswer>();
        var errors = new List<FieldError>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var raw = form[item.Id].Count > 0 ? (form[item.Id][0] ?? "").Replace("\r\n", "\n", StringComparison.Ordinal) : "";
            values[item.Id] = raw;
            if (item.Kind == ItemKind.Rating)
            {
                if (raw.Length == 0) continue;
                if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var score) && score is >= 1 and <= 10)
                    answers.Add(new QuestionnaireAnswer(item.Id, Score: score));
                else
                    errors.Add(new(item.Id, FieldId(item.Id) + "-1", $"Choose a number from 1 to 10 for: {Short(item.Prompt)}"));
            }
            else if (raw.Length > MaxTextLength)
            {
                errors.Add(new(item.Id, FieldId(item.Id), $"Shorten this answer to at most {MaxTextLength:N0} characters: {Short(item.Prompt)}"));
            }
            else if (!string.IsNullOrWhiteSpace(raw))
            {
                answers.Add(new QuestionnaireAnswer(item.Id, Text: raw.Trim()));
            }
            else if (saved?.FirstOrDefault(a => a.ItemId == item.Id) is { Text.Length: > 0 })
            {
                answers.Add(new QuestionnaireAnswer(item.Id, Text: "")); // the client cleared an answer they had saved
            }
        }
        return (answers.ToImmutable(), errors, values);
    }

    /// <summary>One error per required item still missing, linking to the item's first control.</summary>
    public static List<FieldError> Missing(QuestionnaireDefinition questionnaire, IReadOnlyList<QuestionnaireAnswer> answers) =>
        [.. questionnaire.Missing(answers).Select(id => questionnaire.Items.Find(i => i.Id == id)!).Select(MissingError)];

    public static FieldError MissingError(QuestionnaireItem item) => item.Kind == ItemKind.Rating
        ? new(item.Id, FieldId(item.Id) + "-1", $"Choose a rating for: {Short(item.Prompt)}")
        : new(item.Id, FieldId(item.Id), $"Answer this question: {Short(item.Prompt)}");

    /// <summary>Saved answers as form values, so a page opened again shows what was saved.</summary>
    public static Dictionary<string, string> Prefill(IEnumerable<QuestionnaireAnswer> saved) =>
        saved.ToDictionary(a => a.ItemId, a => a.Score?.ToString(CultureInfo.InvariantCulture) ?? a.Text ?? "", StringComparer.Ordinal);

    public static string Short(string prompt) => prompt.Length <= 90 ? prompt : prompt[..87].TrimEnd() + "…";

    /// <summary>A stable text of the answers, for idempotency keys of repeatable submissions.</summary>
    public static string Canonical<T>(T value) => JsonSerializer.Serialize(value);
}

/// <summary>The intake questionnaire (pre-coaching audit): hours of work, so it saves as the client goes.</summary>
internal sealed class IntakeForm : ClientForm
{
    public override Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct) =>
        Task.FromResult(Stop(link) ?? Render(link, QuestionnaireForms.Prefill(link.State.IntakeAnswers), [], 200));

    public override async Task<Page> SubmitAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct)
    {
        if (Stop(link) is { } stop) return stop;
        var intake = link.Program.Questionnaires.Intake;
        var (answers, errors, values) = QuestionnaireForms.Read(intake.Items, form, link.State.IntakeAnswers);
        var action = Value(form, "action");
        if (action is not ("save" or "submit")) return StandardPages.UnreadableForm();
        var display = new Dictionary<string, string>(QuestionnaireForms.Prefill(link.State.IntakeAnswers), StringComparer.Ordinal);
        foreach (var (id, v) in values) if (v.Length > 0 || display.ContainsKey(id)) display[id] = v;
        if (errors.Count > 0) return Render(link, display, errors, 400);

        if (action == "save")
        {
            if (answers.Count == 0) return Saved(link, nothingNew: true);
            return await pages.RaiseAsync(link, new SaveIntake(answers), link.Key("save", QuestionnaireForms.Canonical(answers)), () => Saved(link, nothingNew: false), ct);
        }

        var missing = QuestionnaireForms.Missing(intake, QuestionnaireAnswer.Merge(link.State.IntakeAnswers, answers));
        if (missing.Count > 0) return Render(link, display, missing, 400);
        return await pages.RaiseAsync(link, new SubmitIntake(answers), link.Key("submit", QuestionnaireForms.Canonical(answers)), () => new Page(200, "Thank you, your answers are in",
            $"""
            <div class="panel" role="status"><p class="lead">Your pre-coaching questionnaire is complete.</p></div>
            <p>{H(link.CoachName)} will read your answers before your first session. Your answers stay between you and your coach.</p>
            <p>You will get an email when your first session is booked. You can close this page.</p>
            """), ct);
    }

    private static Page? Stop(ClientLink link)
    {
        if (Finished(link) is { } finished) return finished;
        var s = link.State;
        if (s.IntakeCompletedAt is { } at)
            return StandardPages.AlreadyDone("You have already sent your answers", $"Your questionnaire was completed on {Day(at)}. {link.CoachName} has your answers.");
        if (s.Phase is EngagementPhase.Contract or EngagementPhase.ContractExpired)
            return new Page(409, "Please sign your agreement first", P("The questionnaire opens once your coaching agreement is signed. Nothing was changed."));
        return null;
    }

    private static Page Saved(ClientLink link, bool nothingNew) => new(200, "Your answers are saved",
        $"""
        <div class="panel" role="status"><p class="lead">{(nothingNew ? "There was nothing new to save." : "We have saved what you wrote so far.")}</p></div>
        <p>You can come back at any time with the same link from your email and carry on where you left off.</p>
        <p><a class="button" href="/c/{H(link.Token)}">Continue the questionnaire</a></p>
        """);

    private static Page Render(ClientLink link, IReadOnlyDictionary<string, string> values, IReadOnlyList<FieldError> errors, int status)
    {
        var intake = link.Program.Questionnaires.Intake;
        var saved = link.State.IntakeAnswers.Count(a => intake.Items.Exists(i => i.Id == a.ItemId && a.IsValidFor(i)));
        var body = $"""
            {ErrorSummary(errors)}
            <p class="lead">These questions help {H(link.CoachName)} understand where you are before your first session. Take your time: most people need a few hours, spread over several sittings.</p>
            <p>Press <strong>Save and continue later</strong> whenever you want to stop; the link in your email brings you back to your saved answers.{(saved > 0 ? $" You have answered {saved} of {intake.Items.Count} questions so far." : "")}</p>
            {Form(link, QuestionnaireForms.Render(intake.Items, values, errors) + $"""
                <div class="field">
                {Button("Submit my answers", "action", "submit")}
                {Button("Save and continue later", "action", "save", secondary: true)}
                </div>
                """)}
            """;
        return new Page(status, intake.Title, body);
    }
}

/// <summary>Before a session: the review ritual on every open action, and what the client wants from the session.</summary>
internal sealed class PreSessionForm : ClientForm
{
    internal static readonly IReadOnlyList<(string Value, string Label)> Statuses = [("done", "Done"), ("partly", "Partly done"), ("not-done", "Not done")];

    public override Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct) =>
        Task.FromResult(Stop(link, out var session) ?? Render(link, session!, new Dictionary<string, string>(StringComparer.Ordinal), [], 200));

    public override async Task<Page> SubmitAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct)
    {
        if (Stop(link, out var session) is { } stop) return stop;
        var questionnaire = link.Program.Questionnaires.PreSession;
        var (answers, errors, values) = QuestionnaireForms.Read(questionnaire.Items, form);
        var reviews = ImmutableList.CreateBuilder<ActionReview>();
        foreach (var action in OpenActions(link))
        {
            var statusField = $"status-{action.ActionId}";
            var learningField = $"learning-{action.ActionId}";
            values[statusField] = Value(form, statusField);
            values[learningField] = Value(form, learningField);
            var status = ParseStatus(values[statusField]);
            if (status is null) errors.Add(new(statusField, FieldId(statusField) + "-1", $"Say how far you got with: {QuestionnaireForms.Short(action.Description)}"));
            if (values[learningField].Length > QuestionnaireForms.MaxTextLength)
                errors.Add(new(learningField, FieldId(learningField), $"Shorten what you learned to at most {QuestionnaireForms.MaxTextLength:N0} characters"));
            if (status is { } st) reviews.Add(new ActionReview(action.ActionId, st, string.IsNullOrWhiteSpace(values[learningField]) ? null : values[learningField].Trim()));
        }
        errors.AddRange(QuestionnaireForms.Missing(questionnaire, answers).Where(m => !errors.Exists(e => e.Field == m.Field)));
        if (errors.Count > 0) return Render(link, session!, values, errors, 400);

        var wants = string.Join("\n\n", answers.Where(a => !string.IsNullOrWhiteSpace(a.Text)).Select(a => a.Text));
        var input = new AnswerPreSession(session!.Number, reviews.ToImmutable(), wants);
        return await pages.RaiseAsync(link, input, link.Key("answer"), () => new Page(200, "Thank you, you are ready for the session",
            $"""
            <div class="panel" role="status"><p class="lead">{H(link.CoachName)} has your answers for session {session.Number}.</p></div>
            <p>See you on {H(Date(session.StartAt, session.TimeZoneId))}. You can close this page.</p>
            """), ct);
    }

    internal static ActionStatus? ParseStatus(string value) => value switch
    {
        "done" => ActionStatus.Done,
        "partly" => ActionStatus.Partly,
        "not-done" => ActionStatus.NotDone,
        _ => null,
    };

    internal static string? StatusValue(ActionStatus? status) => status switch
    {
        ActionStatus.Done => "done",
        ActionStatus.Partly => "partly",
        ActionStatus.NotDone => "not-done",
        _ => null,
    };

    private static IEnumerable<ActionRecord> OpenActions(ClientLink link) => link.State.Actions.Where(a => a.IsOpen());

    private static Page? Stop(ClientLink link, out SessionRecord? session)
    {
        session = link.RefNumber is int n ? link.State.Session(n) : null;
        if (Finished(link) is { } finished) return finished;
        if (session is null) return StandardPages.NotFound("This session is not scheduled", "We could not find the session this link is about. It may have been moved.");
        if (session.HeldAt is not null) return StandardPages.AlreadyDone("This session has already taken place", $"Session {session.Number} was held on {Day(session.HeldAt.Value)}.");
        if (session.PreSessionAnswered) return StandardPages.AlreadyDone("You have already answered", $"{link.CoachName} has your answers for session {session.Number}.");
        return null;
    }

    private static Page Render(ClientLink link, SessionRecord session, IReadOnlyDictionary<string, string> values, IReadOnlyList<FieldError> errors, int status)
    {
        var sb = new StringBuilder();
        var open = OpenActions(link).ToList();
        if (open.Count > 0)
        {
            sb.Append("<section aria-labelledby=\"section-actions\"><h2 id=\"section-actions\">Your actions since last time</h2>");
            sb.Append(P("Not doing an action is useful information too. Be honest: it helps you and your coach see what really matters to you.", "hint"));
            foreach (var a in open)
            {
                var statusField = $"status-{a.ActionId}";
                var learningField = $"learning-{a.ActionId}";
                sb.Append("<div class=\"panel\">");
                sb.Append(Choices(statusField, $"How far did you get with “{a.Description}”?", Statuses,
                    values.GetValueOrDefault(statusField) ?? StatusValue(a.LastStatus), errors.FirstOrDefault(e => e.Field == statusField), $"It was due on {Day(a.DueAt)}."));
                sb.Append(TextArea(learningField, "What did you learn from it?", values.GetValueOrDefault(learningField) ?? a.LastLearning, false, errors.FirstOrDefault(e => e.Field == learningField)));
                sb.Append("</div>");
            }
            sb.Append("</section>");
        }
        sb.Append(QuestionnaireForms.Render(link.Program.Questionnaires.PreSession.Items, values, errors));
        sb.Append($"<div class=\"field\">{Button("Send my answers")}</div>");
        var body = $"""
            {ErrorSummary(errors)}
            <p class="lead">Session {session.Number} with {H(link.CoachName)} is on {H(Date(session.StartAt, session.TimeZoneId))}. A few minutes here make it more useful.</p>
            {Form(link, sb.ToString())}
            """;
        return new Page(status, link.Program.Questionnaires.PreSession.Title, body);
    }
}

/// <summary>Periodic reassessment: the Wheel of Life and scaled questions again, the agreed leading indicators, and results so far.</summary>
internal sealed class ReassessmentForm : ClientForm
{
    public override Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct) =>
        Task.FromResult(Stop(link, out var record) ?? Render(link, record!, new Dictionary<string, string>(StringComparer.Ordinal), [], 200));

    public override async Task<Page> SubmitAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct)
    {
        if (Stop(link, out var record) is { } stop) return stop;
        var questionnaire = link.Program.Questionnaires.Reassessment;
        var (answers, errors, values) = QuestionnaireForms.Read(questionnaire.Items, form);
        var indicators = ImmutableList.CreateBuilder<IndicatorReading>();
        var agreed = AgreedIndicators(link);
        for (var i = 0; i < agreed.Count; i++)
        {
            var field = $"indicator-{i + 1}";
            values[field] = Value(form, field).Trim();
            if (values[field].Length > 500) errors.Add(new(field, FieldId(field), $"Keep the value for “{agreed[i].Name}” to 500 characters"));
            else if (values[field].Length > 0) indicators.Add(new IndicatorReading(agreed[i].Name, values[field]));
        }
        errors.AddRange(QuestionnaireForms.Missing(questionnaire, answers).Where(m => !errors.Exists(e => e.Field == m.Field)));
        if (errors.Count > 0) return Render(link, record!, values, errors, 400);

        var ratings = answers.Where(a => a.Score is not null).Select(a => new Rating(a.ItemId, a.Score!.Value)).ToImmutableList();
        string? outcomes = null;
        foreach (var text in answers.Where(a => !string.IsNullOrWhiteSpace(a.Text)))
        {
            if (text.ItemId == "outcomes") outcomes = text.Text;
            else indicators.Add(new IndicatorReading(text.ItemId == "leading-indicators" ? "Notes on indicators" : text.ItemId, text.Text!));
        }
        var input = new SubmitReassessment(record!.Number, ratings, indicators.ToImmutable(), outcomes);
        return await pages.RaiseAsync(link, input, link.Key("submit"), () => new Page(200, "Thank you, your reassessment is in",
            $"""
            <div class="panel" role="status"><p class="lead">{H(link.CoachName)} will compare it with where you started and talk it through with you.</p></div>
            <p>You can close this page.</p>
            """), ct);
    }

    /// <summary>The leading indicators agreed in session agreements (name and target), most recent target per name.</summary>
    internal static List<(string Name, string Target)> AgreedIndicators(ClientLink link)
    {
        var found = new List<(string Name, string Target)>();
        foreach (var entry in link.View.History.Where(h => h.Type == nameof(SessionAgreementCaptured)))
        {
            if (!entry.Data.TryGetProperty("agreement", out var agreement) || !agreement.TryGetProperty("leadingIndicators", out var list) || list.ValueKind != JsonValueKind.Array) continue;
            foreach (var item in list.EnumerateArray())
            {
                var name = item.TryGetProperty("name", out var n) ? n.GetString() : null;
                if (string.IsNullOrWhiteSpace(name)) continue;
                var target = item.TryGetProperty("target", out var t) ? t.GetString() ?? "" : "";
                found.RemoveAll(f => f.Name == name);
                found.Add((name, target));
            }
        }
        return found;
    }

    private static Page? Stop(ClientLink link, out ReassessmentRecord? record)
    {
        record = link.RefNumber is int n ? link.State.Reassessment(n) : link.State.Reassessments.LastOrDefault();
        if (Finished(link) is { } finished) return finished;
        if (record is null) return StandardPages.NotFound("There is no reassessment here", "We could not find the reassessment this link is about.");
        if (record.CompletedAt is { } at) return StandardPages.AlreadyDone("You have already sent this reassessment", $"It was completed on {Day(at)}.");
        return null;
    }

    private static Page Render(ClientLink link, ReassessmentRecord record, IReadOnlyDictionary<string, string> values, IReadOnlyList<FieldError> errors, int status)
    {
        var questionnaire = link.Program.Questionnaires.Reassessment;
        var sb = new StringBuilder();
        sb.Append(QuestionnaireForms.Render(questionnaire.Items.Where(i => i.Kind == ItemKind.Rating), values, errors));
        var agreed = AgreedIndicators(link);
        if (agreed.Count > 0)
        {
            sb.Append("<section aria-labelledby=\"section-agreed\"><h2 id=\"section-agreed\">The indicators you agreed to track</h2>");
            for (var i = 0; i < agreed.Count; i++)
            {
                var field = $"indicator-{i + 1}";
                sb.Append(TextInput(field, agreed[i].Name, values.GetValueOrDefault(field), errors.FirstOrDefault(e => e.Field == field),
                    string.IsNullOrWhiteSpace(agreed[i].Target) ? "Where does it stand now?" : $"Target: {agreed[i].Target}. Where does it stand now?", maxLength: 500));
            }
            sb.Append("</section>");
        }
        sb.Append(QuestionnaireForms.Render(questionnaire.Items.Where(i => i.Kind != ItemKind.Rating), values, errors));
        sb.Append($"<div class=\"field\">{Button("Send my reassessment")}</div>");
        var body = $"""
            {ErrorSummary(errors)}
            <p class="lead">{(record.Final ? "This is the last check before your coaching ends." : "Time to take stock.")} Rate the same areas as at the start, so you and {H(link.CoachName)} can see what has moved.</p>
            {Form(link, sb.ToString())}
            """;
        return new Page(status, questionnaire.Title, body);
    }
}
