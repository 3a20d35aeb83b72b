using Azure.Data.Tables;

namespace CoachFlow.Orchestrations.ReadModel;

/// <summary>
/// Long text in table rows: a property holds at most 64 KiB (32K UTF-16 characters), so a longer value is kept
/// in numbered continuation properties of the same row (a row holds up to 1 MiB).
/// </summary>
internal static class TableText
{
    private const int Chunk = 30_000;

    public static void Write(TableEntity row, string name, string value)
    {
        row[name] = value.Length <= Chunk ? value : value[..Chunk];
        for (int i = 1, at = Chunk; at < value.Length; i++, at += Chunk)
            row[$"{name}_{i}"] = value.Substring(at, Math.Min(Chunk, value.Length - at));
    }

    public static string? Read(TableEntity row, string name)
    {
        if (row.GetString(name) is not { } first) return null;
        if (!row.ContainsKey($"{name}_1")) return first;
        var text = new System.Text.StringBuilder(first);
        for (var i = 1; row.GetString($"{name}_{i}") is { } next; i++) text.Append(next);
        return text.ToString();
    }
}
