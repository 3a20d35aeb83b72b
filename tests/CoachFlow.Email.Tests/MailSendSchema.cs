using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace CoachFlow.Email.Tests;

/// <summary>
/// The request body schema of <c>POST /v3/mail/send</c>, read from SendGrid's OpenAPI spec in
/// <c>&lt;repo&gt;/../shared/specs/sendgrid/tsg_mail_v3.json</c>, with its <c>#/components/...</c> references
/// inlined so JsonSchema.Net can evaluate it on its own.
/// </summary>
internal static class MailSendSchema
{
    /// <summary>
    /// SendGrid's Mail Send OpenAPI spec (twilio/sendgrid-oai, MIT; see specs/sendgrid/SOURCE): the copy kept
    /// with these tests, so a fresh clone validates against it too; the shared copy beside the repository
    /// is used when present, so the two cannot drift unnoticed.
    /// </summary>
    public static string SpecPath
    {
        get
        {
            var shared = Path.Combine(TestData.SharedDir, "specs", "sendgrid", "tsg_mail_v3.json");
            return File.Exists(shared) ? shared : Path.Combine(AppContext.BaseDirectory, "specs", "sendgrid", "tsg_mail_v3.json");
        }
    }

    private static readonly Lazy<JsonSchema> Schema = new(Load);

    /// <summary>The errors of <paramref name="body"/> against the schema; empty when it is valid.</summary>
    public static IReadOnlyList<string> Errors(JsonNode body)
    {
        using var document = JsonDocument.Parse(body.ToJsonString());
        var results = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid) return [];
        return [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
            .DefaultIfEmpty("invalid (no detail)")];
    }

    private static JsonSchema Load()
    {
        if (!File.Exists(SpecPath)) throw new FileNotFoundException($"SendGrid's Mail Send spec is missing at {SpecPath}.");
        var spec = JsonNode.Parse(File.ReadAllText(SpecPath))!;
        var post = spec["paths"]!["/v3/mail/send"]!["post"]!["requestBody"]!;
        var requestBody = Resolve(spec, post);
        var schema = Resolve(spec, requestBody["content"]!["application/json"]!["schema"]!);
        return JsonSchema.FromText(schema.ToJsonString());
    }

    /// <summary>A deep copy of <paramref name="node"/> with every local <c>$ref</c> replaced by its target (sibling keywords kept).</summary>
    private static JsonNode Resolve(JsonNode spec, JsonNode node, int depth = 0)
    {
        if (depth > 64) throw new InvalidOperationException("The spec's references nest too deep (a cycle?).");
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                if (obj["$ref"] is JsonValue reference)
                {
                    var target = Resolve(spec, Follow(spec, reference.GetValue<string>()), depth + 1).AsObject();
                    foreach (var (key, value) in target) copy[key] = value?.DeepClone();
                }
                foreach (var (key, value) in obj)
                    if (key != "$ref") copy[key] = value is null ? null : Resolve(spec, value, depth + 1);
                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(item => item is null ? null : Resolve(spec, item, depth + 1))]);
            default:
                return node.DeepClone();
        }
    }

    private static JsonNode Follow(JsonNode spec, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal)) throw new NotSupportedException($"Only local references are supported: {reference}");
        var node = spec;
        foreach (var part in reference[2..].Split('/'))
            node = node[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)]
                ?? throw new InvalidOperationException($"The spec has no {reference}.");
        return node;
    }
}
