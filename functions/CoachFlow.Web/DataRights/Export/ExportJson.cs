using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Engagements;

namespace CoachFlow.Web.DataRights;

/// <summary>
/// How the export writes JSON: the API's conventions (camelCase, ISO 8601 dates, enum values in kebab-case, no nulls,
/// never a .NET type name), indented for people, text as it was typed (only what JSON itself needs is escaped).
/// </summary>
public static class ExportJson
{
    /// <summary>Properties a client's own copy never holds, wherever they appear: the coach's private notes.</summary>
    public static readonly IReadOnlySet<string> PrivateToTheCoach = new HashSet<string>(StringComparer.Ordinal) { "privateCoachNotes" };

    // Letters of every script, apostrophes and '+' stay as they are: these are files to read, never embedded in HTML
    // or a script, so the web encoder's escaping of <, >, & and quotes would only make them harder to read.
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static readonly JsonSerializerOptions Options = new(EngagementService.Json) { Encoder = Encoder };

    public static readonly JsonWriterOptions Writer = new() { Indented = true, Encoder = Encoder };

    private const int FlushAt = 32 * 1024;

    /// <summary>Hands what the writer holds to the entry stream once it is more than a few kilobytes (so a long array is never held whole).</summary>
    public static Task FlushIfFullAsync(Utf8JsonWriter writer, CancellationToken ct) =>
        writer.BytesPending >= FlushAt ? writer.FlushAsync(ct) : Task.CompletedTask;

    /// <summary>Stored type names (<c>CaptureSessionAgreement</c>) as the export names them (<c>capture-session-agreement</c>).</summary>
    public static string Kebab(string name) => JsonNamingPolicy.KebabCaseLower.ConvertName(name);

    /// <summary>
    /// A stored input's or event's data in the export's conventions: read as its engagement type and written again
    /// (enum values in kebab-case like the rest), or as stored when this host does not know the type (a newer one wrote it).
    /// For a client's copy, whatever is private to the coach is taken out.
    /// </summary>
    public static JsonNode? Data(string storedType, string json, ExportAudience audience)
    {
        JsonNode? node;
        try
        {
            var value = EngagementCodec.Open<object>(new Envelope(storedType, json));
            node = JsonSerializer.SerializeToNode(value, value.GetType(), Options);
        }
        catch (InvalidDataException)
        {
            node = JsonNode.Parse(json);
        }
        return For(audience, node);
    }

    /// <summary>Any value in the export's conventions, with what is private to the coach taken out of a client's copy.</summary>
    public static JsonNode? Node<T>(T value, ExportAudience audience) => For(audience, JsonSerializer.SerializeToNode(value, Options));

    private static JsonNode? For(ExportAudience audience, JsonNode? node)
    {
        if (audience == ExportAudience.Client) RemovePrivate(node);
        return node;
    }

    private static void RemovePrivate(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in o.Select(p => p.Key).Where(PrivateToTheCoach.Contains).ToList()) o.Remove(name);
                foreach (var (_, child) in o) RemovePrivate(child);
                break;
            case JsonArray a:
                foreach (var child in a) RemovePrivate(child);
                break;
        }
    }
}
