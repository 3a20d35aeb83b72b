using System.Globalization;
using CoachFlow.Orchestrations.ReadModel;
using CsvHelper;

namespace CoachFlow.Web.FirmDashboard;

/// <summary>A table of the dashboard: what the page shows beside a chart and what its CSV download holds, cell for cell.</summary>
/// <param name="Name">Its name in the download's URL (<c>/firm/csv/{name}</c>) and file name.</param>
/// <param name="Numeric">Per column: right-aligned numbers.</param>
public sealed record DashboardTable(string Name, string Caption, IReadOnlyList<string> Headers, IReadOnlyList<bool> Numeric, IReadOnlyList<string[]> Rows);

/// <summary>The dashboard's tables, built once for the page and for the CSV downloads, so both always agree.</summary>
public static class DashboardTables
{
    public const string Phases = "phases";
    public const string Attention = "attention";
    public const string Coaches = "coaches";
    public const string Cohorts = "cohorts";
    public const string Progress = "progress";

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset? at) => at is { } d ? d.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "";

    public static string Sentence(string kebab) => kebab.Length == 0 ? kebab : char.ToUpperInvariant(kebab[0]) + kebab[1..].Replace('-', ' ');

    /// <summary>The tables a viewer sees, in page order (no coach load for a sponsor).</summary>
    public static IReadOnlyList<DashboardTable> All(Dashboard d)
    {
        var tables = new List<DashboardTable>
        {
            new(Phases, "Engagements by phase", ["Phase", "Engagements"], [false, true],
                [.. d.Phases.Select(p => new[] { Sentence(p.Phase), N(p.Engagements) })]),
            new(Attention, "Engagements that need attention", ["Client", "Coach", "Phase", "Waiting for", "Due", "Overdue", "Stalled", "Email bouncing"],
                [false, false, false, false, false, false, false, false],
                [.. d.Attention.Select(a => new[] { a.Client, a.Coach, Sentence(a.Phase), Sentence(a.WaitingFor ?? ""), Date(a.DueAt), YesNo(a.Overdue), YesNo(a.Stalled), YesNo(a.Bouncing) })]),
        };
        if (d.CoachLoads is { } loads)
            tables.Add(new(Coaches, "Each coach's load", ["Coach", "Running", "Overdue", "Flagged"], [false, true, true, true],
                [.. loads.Select(l => new[] { l.Coach, N(l.Running), N(l.Overdue), N(l.Flagged) })]));
        tables.Add(CohortTable(d.Cohorts));
        tables.Add(new(Progress, "Progress since baseline (mean rating change, points)", ["Change since baseline", "Engagements"], [false, true],
            [.. d.Progress.Select(b => new[] { b.Range, N(b.Engagements) })]));
        return tables;
    }

    public static DashboardTable CohortTable(IReadOnlyList<CohortProgress> cohorts) =>
        new(Cohorts, "Each cohort's progress", ["Cohort", "Engagements", "Signed", "Completed intake", "Held a session", "Graduated"],
            [false, true, true, true, true, true],
            [.. cohorts.Select(c => new[] { c.Cohort, N(c.Engagements), N(c.Signed), N(c.IntakeCompleted), N(c.HeldASession), N(c.Graduated) })]);

    /// <summary>One cohort's engagements: milestones and progress only.</summary>
    public static DashboardTable CohortEngagements(string cohortId, IReadOnlyList<IndexEntry> entries, Func<string?, string> coachName) =>
        new("cohort-" + cohortId, "Engagements in this cohort", ["Client", "Coach", "Phase", "Signed", "Completed intake", "Sessions held", "Graduated", "Change since baseline"],
            [false, false, false, false, false, true, false, true],
            [.. entries.OrderBy(e => e.Label, StringComparer.CurrentCulture).Select(e => new[]
            {
                e.Label ?? "", coachName(e.CoachId), Sentence(e.Phase), YesNo(e.Milestones?.Signed == true), YesNo(e.Milestones?.IntakeCompleted == true),
                N(e.Milestones?.SessionsHeld ?? 0), YesNo(e.Milestones?.Graduated == true),
                e.Milestones?.ProgressSinceBaseline is { } p ? p.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : "",
            })]);

    private static string YesNo(bool value) => value ? "Yes" : "No";

    /// <summary>The table as RFC 4180 CSV (UTF-8 with a byte order mark, so spreadsheets read accents); cells that a spreadsheet would run as a formula are escaped.</summary>
    public static byte[] Csv(DashboardTable table)
    {
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true))
        using (var csv = new CsvWriter(writer, new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture)))
        {
            foreach (var header in table.Headers) csv.WriteField(Hosting.CsvCells.Text(header));
            csv.NextRecord();
            foreach (var row in table.Rows)
            {
                for (var c = 0; c < row.Length; c++)
                {
                    // Numbers go out as numbers: a spreadsheet sums them, and a sign is not mistaken for a formula.
                    if (table.Numeric[c] && double.TryParse(row[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                        csv.WriteField(number.ToString("0.##", CultureInfo.InvariantCulture));
                    else csv.WriteField(Hosting.CsvCells.Text(row[c]));
                }
                csv.NextRecord();
            }
        }
        return stream.ToArray();
    }

    /// <summary>For the page: the CSV's file name.</summary>
    public static string FileName(DashboardTable table) => $"{table.Name}.csv";
}
