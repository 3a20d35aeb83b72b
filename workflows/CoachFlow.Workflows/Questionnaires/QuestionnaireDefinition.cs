using System.Collections.Immutable;

namespace CoachFlow.Workflows.Questionnaires;

/// <summary>How an item is answered.</summary>
public enum ItemKind
{
    /// <summary>Free text; several lines allowed.</summary>
    Text,
    /// <summary>An integer from 1 to 10.</summary>
    Rating,
}

/// <summary>One question of a questionnaire.</summary>
/// <param name="Id">Stable id; answers refer to it (e.g. <c>wheel-career</c>).</param>
/// <param name="Section">The part of the questionnaire it belongs to (e.g. <c>wheel-of-life</c>).</param>
public sealed record QuestionnaireItem(string Id, string Section, ItemKind Kind, string Prompt, bool Required = true);

/// <summary>A questionnaire the client answers through a link.</summary>
public sealed record QuestionnaireDefinition(string Id, string Title, ImmutableList<QuestionnaireItem> Items)
{
    /// <summary>The rating items (Wheel of Life areas and scaled questions): what reassessments compare.</summary>
    public IEnumerable<QuestionnaireItem> RatingItems => Items.Where(i => i.Kind == ItemKind.Rating);

    /// <summary>Ids of required items that <paramref name="answers"/> leaves empty or out of range.</summary>
    public ImmutableList<string> Missing(IReadOnlyList<QuestionnaireAnswer> answers) =>
        [.. Items.Where(i => i.Required && !answers.Any(a => a.ItemId == i.Id && a.IsValidFor(i))).Select(i => i.Id)];
}

/// <summary>An answer to one item; <see cref="Score"/> for ratings, <see cref="Text"/> otherwise.</summary>
public sealed record QuestionnaireAnswer(string ItemId, string? Text = null, int? Score = null)
{
    public bool IsValidFor(QuestionnaireItem item) => item.Kind switch
    {
        ItemKind.Rating => Score is >= 1 and <= 10,
        _ => !string.IsNullOrWhiteSpace(Text),
    };

    /// <summary>Merges a partial save into earlier answers: later answers replace earlier ones item by item.</summary>
    public static ImmutableList<QuestionnaireAnswer> Merge(ImmutableList<QuestionnaireAnswer> earlier, IEnumerable<QuestionnaireAnswer> later)
    {
        var result = earlier;
        foreach (var answer in later)
        {
            var index = result.FindIndex(a => a.ItemId == answer.ItemId);
            result = index < 0 ? result.Add(answer) : result.SetItem(index, answer);
        }
        return result;
    }
}

/// <summary>A rating given to one rating item (a Wheel of Life area or a scaled question).</summary>
public sealed record Rating(string ItemId, int Score);
