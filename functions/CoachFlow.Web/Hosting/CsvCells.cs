namespace CoachFlow.Web.Hosting;

/// <summary>Cells of the CSV files CoachFlow hands out (dashboard tables, rejected cohort rows).</summary>
public static class CsvCells
{
    /// <summary>
    /// Text as a spreadsheet shows it and never runs it: a cell starting with <c>= + - @</c>, a tab or a carriage return
    /// gets a leading apostrophe (OWASP's advice on CSV injection). Numbers are written as numbers, not through here.
    /// </summary>
    public static string Text(string? value) =>
        value is { Length: > 0 } && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value ?? "";
}
