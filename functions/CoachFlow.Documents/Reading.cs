using System.Globalization;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Documents;

/// <summary>How values read in a document: dates in the reader's zone, statuses in words, changes with a sign.</summary>
public static class Reading
{
    private static readonly CultureInfo En = CultureInfo.InvariantCulture;

    /// <summary>"Monday 10 March 2025, 10:00".</summary>
    public static string DateTime(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("dddd d MMMM yyyy, HH:mm", En);

    /// <summary>"10 March 2025".</summary>
    public static string Day(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).ToString("d MMMM yyyy", En);

    /// <summary>"Times are in Europe/Amsterdam time." or the UTC equivalent, said plainly.</summary>
    public static string ZoneNote(TimeZoneInfo zone) =>
        zone == TimeZoneInfo.Utc ? "Times are in UTC (Coordinated Universal Time)." : $"Times are in {zone.Id} time.";

    public static string Status(ActionStatus? status) => status switch
    {
        ActionStatus.Done => "Done",
        ActionStatus.Partly => "Partly done",
        ActionStatus.NotDone => "Not done yet",
        _ => "No report yet",
    };

    /// <summary>"+4", "−1" (a true minus sign) or "no change".</summary>
    public static string Change(int? delta) => delta switch
    {
        null => "—",
        0 => "no change",
        > 0 => $"+{delta}",
        _ => $"\u2212{-delta}",
    };

    public static string Money(decimal amount, string currency) => $"{amount.ToString("#,0.00", En)} {currency}";

    public static string Party(Party party) => party == Workflows.Engagements.Party.Coach ? "your coach" : "you";

    /// <summary>A rating item's short name: the Wheel of Life area or the scaled question's own wording.</summary>
    public static string RatingLabel(QuestionnaireItem item) => item.Section == "wheel-of-life"
        ? WheelArea(item.Id) ?? item.Prompt
        : item.Prompt;

    public static string? WheelArea(string itemId) => CareerQuestionnaires.WheelAreas.FirstOrDefault(a => a.Id == itemId).Label;

    /// <summary>A short name for a scaled question, for charts and tables where the full wording follows.</summary>
    public static string ShortScale(string itemId) => itemId switch
    {
        "scale-next-move-clarity" => "Clarity on the next step",
        "scale-confidence" => "Confidence to make it happen",
        "scale-network" => "People know what you aim for",
        _ => "Scaled question",
    };

    /// <summary>How often sessions come, for a contract: "every 2 weeks".</summary>
    public static string Cadence(TimeSpan cadence) =>
        cadence.TotalDays >= 7 && cadence.TotalDays % 7 == 0 ? (cadence.TotalDays == 7 ? "every week" : $"every {cadence.TotalDays / 7:0} weeks")
        : cadence.TotalDays >= 1 ? $"every {cadence.TotalDays:0} days"
        : $"every {cadence.TotalSeconds:0} seconds (a demonstration clock)";

    public static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n} {many}";

    /// <summary>
    /// What a greeting calls the client: the first word of their name, or, for a name written "Roe, Richard" (as
    /// employers' lists often are), the first word after the comma. Never ends in punctuation ("Hi Roe,,").
    /// </summary>
    public static string FirstName(string name)
    {
        var comma = name.IndexOf(',', StringComparison.Ordinal);
        var given = comma > 0 && name[(comma + 1)..].Trim().Length > 0 ? name[(comma + 1)..] : name;
        var first = given.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim(',', ';', '.') ?? "";
        return first.Length > 0 ? first : name.Trim();
    }
}
