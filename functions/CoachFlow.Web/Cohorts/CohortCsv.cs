using System.Globalization;
using System.Text;
using CoachFlow.Orchestrations;
using CsvHelper;
using CsvHelper.Configuration;

namespace CoachFlow.Web.Cohorts;

/// <summary>One data row of a cohort file as it was written, with the line it starts on (the header is line 1).</summary>
public sealed record CohortCsvRow(int Line, string? Name, string? Email, string? Coach, string? Sponsor, string? Goals, string? TimeZone, bool Malformed = false);

/// <summary>A cohort file read: its rows, and the header columns it had that CoachFlow does not read.</summary>
public sealed record CohortFile(IReadOnlyList<CohortCsvRow> Rows, IReadOnlyList<string> IgnoredColumns, char Delimiter);

/// <summary>
/// Reads a cohort file (CsvHelper): UTF-8 with or without a byte-order mark, a header row first, comma- or
/// semicolon-separated (whichever the header row uses more), at most <see cref="MaxRows"/> data rows. Header names
/// are matched without regard to case, spaces, '-' or '_' (see <see cref="Columns"/>); columns it does not know are
/// ignored and reported. A problem with the file as a whole is a <see cref="BadInputException"/> naming it; a
/// problem with one row is left to <see cref="CohortValidation"/>, which reports it by line.
/// </summary>
public static class CohortCsv
{
    public const int MaxRows = 10_000;

    /// <summary>Separates overall goals inside the goals column: <c>Lead the EMEA team|Run 5 informational interviews</c>.</summary>
    public const char GoalSeparator = '|';

    public enum Column { Name, Email, Coach, Sponsor, Goals, TimeZone }

    /// <summary>The header names each column is known by (compared lower-case, without spaces, '-', '_' or '.').</summary>
    public static readonly IReadOnlyDictionary<Column, string[]> Columns = new Dictionary<Column, string[]>
    {
        [Column.Name] = ["client name", "name", "client", "full name", "clientname", "participant", "participant name"],
        [Column.Email] = ["client email", "email", "e-mail", "email address", "client e-mail", "participant email"],
        [Column.Coach] = ["coach", "coach email", "coach id", "coach e-mail"],
        [Column.Sponsor] = ["sponsor", "sponsor email", "sponsor id", "sponsor e-mail"],
        [Column.Goals] = ["overall goals", "goals", "goal", "overall goal"],
        [Column.TimeZone] = ["time zone", "timezone", "tz", "client time zone", "iana time zone"],
    };

    private static readonly Dictionary<string, Column> ByHeader = Columns
        .SelectMany(c => c.Value.Select(name => (Key: Normalise(name), c.Key)))
        .DistinctBy(c => c.Key)
        .ToDictionary(c => c.Key, c => c.Item2);

    private static readonly Column[] Required = [Column.Name, Column.Email, Column.Coach];

    /// <summary>Reads the whole file.</summary>
    /// <exception cref="BadInputException">Not UTF-8 text, empty, no usable header row, or more than <see cref="MaxRows"/> rows.</exception>
    public static CohortFile Parse(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        string text;
        try
        {
            using var reader = new StreamReader(new MemoryStream(content), new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
        }
        catch (DecoderFallbackException)
        {
            throw new BadInputException("The file is not UTF-8 text. Save it as 'CSV UTF-8 (comma delimited)' and upload it again.");
        }
        if (text.Contains('\0', StringComparison.Ordinal))
            throw new BadInputException("The file is not a text file. Send the CSV file itself (a header row, then one client per line).");
        if (string.IsNullOrWhiteSpace(text))
            throw new BadInputException("The file is empty. Send a CSV file with a header row (client name, client email, coach) and one client per line.");

        var delimiter = DetectDelimiter(text);
        var malformed = new HashSet<int>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(),
            HasHeaderRecord = true,
            TrimOptions = TrimOptions.Trim,
            MissingFieldFound = null,
            HeaderValidated = null,
            DetectColumnCountChanges = false,
            IgnoreBlankLines = true,
            BadDataFound = args => malformed.Add(args.Context.Parser?.Row ?? -1),
        };
        using var csv = new CsvReader(new StringReader(text), config);
        if (!csv.Read()) throw new BadInputException("The file has no header row.");
        csv.ReadHeader();
        var header = csv.HeaderRecord ?? [];
        var index = new Dictionary<Column, int>();
        var ignored = new List<string>();
        for (var i = 0; i < header.Length; i++)
        {
            if (!ByHeader.TryGetValue(Normalise(header[i]), out var column))
            {
                if (!string.IsNullOrWhiteSpace(header[i])) ignored.Add(header[i].Trim());
                continue;
            }
            if (!index.TryAdd(column, i))
                throw new BadInputException($"The header row names the {Describe(column)} twice ('{header[index[column]]}' and '{header[i]}'); keep one of them.");
        }
        var missing = Required.Where(c => !index.ContainsKey(c)).ToList();
        if (missing.Count > 0)
            throw new BadInputException(
                $"The first line must be a header row naming the columns; it has no {string.Join(", no ", missing.Select(Describe))} column. " +
                $"Name them for example 'client name', 'client email' and 'coach' (optional: 'sponsor', 'overall goals', 'time zone'). See docs/cohorts.md.");

        var rows = new List<CohortCsvRow>();
        while (csv.Read())
        {
            var fields = csv.Parser.Record ?? [];
            if (fields.All(string.IsNullOrWhiteSpace)) continue; // a spreadsheet's trailing ",,," lines
            if (rows.Count == MaxRows)
                throw new BadInputException($"The file has more than {MaxRows:N0} rows. Split it into files of at most {MaxRows:N0} clients and import each (the same cohort name adds to the same cohort).");
            var raw = csv.Parser.RawRecord ?? "";
            var line = csv.Parser.RawRow - raw.TrimEnd('\r', '\n').Count(c => c == '\n');
            string? Field(Column column) => index.TryGetValue(column, out var i) && i < fields.Length && !string.IsNullOrWhiteSpace(fields[i]) ? fields[i].Trim() : null;
            rows.Add(new CohortCsvRow(line, Field(Column.Name), Field(Column.Email), Field(Column.Coach), Field(Column.Sponsor), Field(Column.Goals), Field(Column.TimeZone),
                malformed.Contains(csv.Parser.Row)));
        }
        return new CohortFile(rows, ignored, delimiter);
    }

    /// <summary>Comma or semicolon: whichever the first non-blank line (the header) holds more of outside quotes; a comma on a tie.</summary>
    public static char DetectDelimiter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (commas, semicolons, quoted) = (0, 0, false);
        foreach (var c in text.TrimStart())
        {
            if (c == '"') quoted = !quoted;
            else if (!quoted && c is '\n' or '\r') break;
            else if (!quoted && c == ',') commas++;
            else if (!quoted && c == ';') semicolons++;
        }
        return semicolons > commas ? ';' : ',';
    }

    public static string Describe(Column column) => column switch
    {
        Column.Name => "client name",
        Column.Email => "client email",
        Column.Coach => "coach",
        Column.Sponsor => "sponsor",
        Column.Goals => "overall goals",
        _ => "time zone",
    };

    private static string Normalise(string header) =>
        new([.. header.Trim().TrimStart('\uFEFF').ToLowerInvariant().Where(c => c is not (' ' or '-' or '_' or '.'))]);
}
