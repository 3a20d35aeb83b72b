using System.Text.Json;
using System.Text.Json.Nodes;

namespace CoachFlow.Orchestrations.Tests.Replay;

/// <summary>
/// The first place two JSON payloads differ, by path. A string that holds a JSON object or array (an envelope's
/// <c>json</c>) is compared parsed; a property only the actual payload has is no difference when it is null (a field
/// added since the recording, which older data leaves empty); a property only the recording has is no difference when
/// it is <see cref="Retired"/>.
/// </summary>
public static class JsonDifference
{
    public sealed record Found(string Path, string Expected, string Actual);

    /// <summary>
    /// Properties shipped versions wrote that today's code no longer writes and no reader reads (a stored one is
    /// ignored when read): <c>SendEmail.TemplateId</c>, which templates never followed (they follow the email's kind).
    /// </summary>
    public static readonly IReadOnlySet<string> Retired = new HashSet<string>(StringComparer.Ordinal) { "templateId" };

    public static Found? First(string? expected, string? actual)
    {
        if (expected == actual) return null;
        if (expected is null || actual is null) return new Found("$", expected ?? "nothing", actual ?? "nothing");
        return First(Parse(expected), Parse(actual), "$");
    }

    private static JsonNode? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json); // not JSON: compared as text
        }
    }

    private static Found? First(JsonNode? expected, JsonNode? actual, string path)
    {
        if (expected is null || actual is null)
            return expected is null && actual is null ? null : new Found(path, Show(expected), Show(actual));
        if (expected is JsonValue ev && actual is JsonValue av
            && ev.TryGetValue<string>(out var es) && av.TryGetValue<string>(out var @as) && es != @as && Nested(es) is { } en && Nested(@as) is { } an)
            return First(en, an, $"{path}(json)");
        switch (expected, actual)
        {
            case (JsonObject eo, JsonObject ao):
                foreach (var (name, value) in eo)
                {
                    if (!ao.TryGetPropertyValue(name, out var other))
                    {
                        if (Retired.Contains(name)) continue;
                        return new Found($"{path}.{name}", Show(value), "missing");
                    }
                    if (First(value, other, $"{path}.{name}") is { } d) return d;
                }
                foreach (var (name, value) in ao)
                    if (!eo.ContainsKey(name) && value is not null) return new Found($"{path}.{name}", "missing", Show(value));
                return null;
            case (JsonArray ea, JsonArray aa):
                for (var i = 0; i < Math.Min(ea.Count, aa.Count); i++)
                    if (First(ea[i], aa[i], $"{path}[{i}]") is { } d) return d;
                return ea.Count == aa.Count ? null : new Found($"{path}.length", ea.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    aa.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            default:
                return JsonNode.DeepEquals(expected, actual) ? null : new Found(path, Show(expected), Show(actual));
        }
    }

    private static JsonNode? Nested(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.Length == 0 || trimmed[0] is not ('{' or '[')) return null;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 200 ? text : $"{text[..200]}…";
    }
}
