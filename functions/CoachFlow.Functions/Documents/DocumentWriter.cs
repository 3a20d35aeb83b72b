using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoachFlow.Functions.Charts;
using CoachFlow.Functions.Engagements;
using CoachFlow.Functions.Tenancy;
using CoachFlow.Runtime;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using Fluid;

namespace CoachFlow.Functions.Documents;

/// <summary>
/// Runs <see cref="WriteDocument"/> effects: builds the document from the engagement's stored events and
/// renders it with a Liquid template (HTML-encoded, so nothing anyone typed becomes markup), next to its JSON.
/// </summary>
public sealed class DocumentWriter(DurableRuntime runtime, DocumentStore store, TenancyStore tenancy, ProgramCatalog programs)
{
    private static readonly FluidParser Parser = new();
    private static readonly IFluidTemplate Document = Load("document.liquid");
    private static readonly IFluidTemplate Contract = Load("contract.liquid");
    private static readonly TemplateOptions Options = new();

    private static IFluidTemplate Load(string name)
    {
        using var stream = typeof(DocumentWriter).Assembly.GetManifestResourceStream($"CoachFlow.Functions.Documents.Templates.{name}")
            ?? throw new InvalidOperationException($"Template {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return Parser.Parse(reader.ReadToEnd());
    }

    public async Task WriteAsync(EffectContext context, WriteDocument doc, CancellationToken ct)
    {
        var view = await runtime.GetAsync(context.InstanceId, ct: ct);
        var state = EngagementService.ReadState(view);
        var firm = await tenancy.GetFirmAsync(state.FirmId, ct);
        var coach = await tenancy.GetCoachAsync(state.FirmId, state.CoachId, ct);
        var common = new Dictionary<string, object?>
        {
            ["firm"] = new Dictionary<string, object?> { ["name"] = firm?.Name ?? "CoachFlow", ["color"] = firm?.PrimaryColor ?? "#1f5f8b" },
            ["client"] = state.ClientName,
            ["coach"] = coach?.Name ?? "your coach",
            ["generated"] = view.UpdatedAt.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
        };

        string html;
        object data;
        if (doc.Kind == "contract")
        {
            var version = Number(doc.Name) ?? 1;
            var sent = Last(view, nameof(ContractSent), e => e.GetProperty("contractVersion").GetInt32() == version)
                ?? throw new InvalidOperationException($"Engagement {context.InstanceId} has no contract version {version} to write.");
            var terms = sent.GetProperty("terms").Deserialize<EngagementTerms>(EngagementService.Json)!;
            var program = programs.Find(state.ProgramId, state.ProgramVersion);
            var model = new Dictionary<string, object?>(common)
            {
                ["version"] = version,
                ["program"] = program?.Name ?? state.ProgramId,
                ["sessions"] = program?.SessionCount ?? 0,
                ["minutes"] = terms.SessionMinutes,
                ["session_length"] = Durations.InWords(program?.SessionLengthFor(terms) ?? TimeSpan.FromMinutes(terms.SessionMinutes)),
                ["cadence"] = Durations.InWords(program?.SessionCadence ?? TimeSpan.FromDays(14)),
                ["goals"] = terms.OverallGoals.ToList(),
                ["fee"] = terms.Fee.ToString("0.00", CultureInfo.InvariantCulture),
                ["currency"] = terms.Currency,
                ["payment_terms"] = terms.PaymentTerms,
                ["cancellation"] = terms.CancellationPolicy,
                ["sponsor"] = terms.SponsorName,
                ["sponsor_sees"] = terms.SponsorSees,
            };
            html = await Contract.RenderAsync(new TemplateContext(model, Options), HtmlEncoder.Default);
            data = new { version, terms };
        }
        else
        {
            var (title, source) = Source(doc, view, state);
            var sections = new List<object?>();
            if (doc.Kind == "contract-signature")
            {
                var contract = await store.ReadAsync(context.InstanceId, doc.Name.Replace("-signature", "", StringComparison.Ordinal), ct);
                source = Merge(source, "contractDocumentSha256OnRecord", contract?.Sha256 ?? "(contract document missing)");
            }
            sections.Add(Section(title, source, hidePrivate: doc.Kind != "coach-private-notes"));
            // Reassessment reports carry the two charts (our own SVG: every label in it is encoded).
            var charts = doc.Kind is "reassessment-report" or "roi-summary"
                ? new List<string> { ChartSvg.Wheel(state, programs), ChartSvg.Trend(state, programs) }
                : [];
            html = await Document.RenderAsync(new TemplateContext(new Dictionary<string, object?>(common) { ["title"] = title, ["sections"] = sections, ["charts"] = charts }, Options), HtmlEncoder.Default);
            // The JSON is shared like the HTML: the coach's private notes stay out of it too, and so do type names.
            data = doc.Kind == "coach-private-notes" ? source : WithoutPrivateNotes(source);
        }
        await store.WriteAsync(context.InstanceId, doc.Kind, doc.Name, html, JsonSerializer.Serialize(data, EngagementService.Json), ct);
    }

    private static (string Title, JsonElement Source) Source(WriteDocument doc, InstanceView view, EngagementState state)
    {
        var n = Number(doc.Name);
        JsonElement Need(string type, Func<JsonElement, bool>? match = null) =>
            Last(view, type, match) ?? throw new InvalidOperationException($"Engagement {view.InstanceId} has no {type} for document {doc.Name}.");
        bool ByNumber(JsonElement e) => n is null || (e.TryGetProperty("number", out var x) && x.GetInt32() == n) || (e.TryGetProperty("contractVersion", out var v) && v.GetInt32() == n);
        return doc.Kind switch
        {
            "contract-signature" => ($"Signature of the coaching agreement, version {n}", Need(nameof(ContractSigned), ByNumber)),
            "intake-answers" => ("Your pre-coaching answers", Need(nameof(IntakeCompleted))),
            "pre-session-brief" => ("Brief before the first session", Need(nameof(IntakeCompleted))),
            "pre-session-answers" => ($"Before session {n}", Need(nameof(PreSessionAnswered), ByNumber)),
            "session-agreement" => ($"Session {n} agreement", Need(nameof(SessionAgreementCaptured), ByNumber)),
            "coach-private-notes" => ($"Session {n}: coach's private notes", Pick(Need(nameof(SessionAgreementCaptured), ByNumber), "agreement", "privateCoachNotes")),
            "session-summary" => ($"Summary of session {n}", Need(nameof(SessionAgreementCaptured), ByNumber)),
            "reassessment-report" => ($"Reassessment {n}", Need(nameof(ReassessmentCompleted), ByNumber)),
            "roi-summary" => ("What changed: your final reassessment", Need(nameof(ReassessmentCompleted), ByNumber)),
            "maintenance-plan-draft" when n is int version && Nth(view, nameof(MaintenancePlanDrafted), version) is { } drafted =>
                ($"Your self-coaching maintenance plan, version {version}", drafted),
            "maintenance-plan-draft" or "maintenance-plan" => ("Your self-coaching maintenance plan", Need(nameof(MaintenancePlanDrafted))),
            "maintenance-plan-change-request" => ($"Changes asked for in version {n} of the maintenance plan", Need(nameof(MaintenancePlanChangesRequested), e => e.GetProperty("draft").GetInt32() == n)),
            "maintenance-checkin" => ("Maintenance check-in", Need(nameof(MaintenanceCheckInRecorded), e => doc.Name.StartsWith(e.GetProperty("checkId").GetString() ?? "?", StringComparison.Ordinal))),
            "closing-summary" => ("Closing summary", Last(view, nameof(EngagementEnded)) ?? Need(nameof(EngagementClosed))),
            _ => (doc.Name, JsonSerializer.SerializeToElement(new { state.Phase, state.SessionsHeld }, EngagementService.Json)),
        };
    }

    /// <summary>The <paramref name="n"/>th event of a type (from 1), e.g. the second plan draft.</summary>
    private static JsonElement? Nth(InstanceView view, string type, int n) =>
        view.History.Where(h => h.Type == type).Skip(n - 1).FirstOrDefault()?.Data;

    private static JsonElement? Last(InstanceView view, string type, Func<JsonElement, bool>? match = null) =>
        view.History.LastOrDefault(h => h.Type == type && (match is null || match(h.Data)))?.Data;

    private static JsonElement Pick(JsonElement e, string outer, string inner) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, string?> { [inner] = e.GetProperty(outer).GetProperty(inner).GetString() });

    private static JsonElement WithoutPrivateNotes(JsonElement e)
    {
        var node = JsonNode.Parse(e.GetRawText());
        Strip(node);
        return JsonSerializer.SerializeToElement(node);

        static void Strip(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    o.Remove("privateCoachNotes");
                    o.Remove("$type"); // the stored event's discriminator (a .NET type name) is no part of the document
                    foreach (var (_, child) in o) Strip(child);
                    break;
                case JsonArray a:
                    foreach (var child in a) Strip(child);
                    break;
            }
        }
    }

    private static JsonElement Merge(JsonElement e, string key, string value)
    {
        var dict = e.Deserialize<Dictionary<string, JsonElement>>()!;
        dict[key] = JsonSerializer.SerializeToElement(value);
        return JsonSerializer.SerializeToElement(dict);
    }

    private static int? Number(string name)
    {
        var digits = new string([.. name.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(char.IsAsciiDigit)]);
        return digits.Length > 0 ? int.Parse(digits, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Turns event data into labelled rows; private coach notes stay out of shared documents.</summary>
    private static Dictionary<string, object?> Section(string heading, JsonElement source, bool hidePrivate)
    {
        var rows = new List<object?>();
        void Add(string prefix, JsonElement e)
        {
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name is "engagementId" or "$type" || (hidePrivate && p.Name == "privateCoachNotes")) continue;
                var label = Label(prefix, p.Name);
                switch (p.Value.ValueKind)
                {
                    case JsonValueKind.Object:
                        Add(label, p.Value);
                        break;
                    case JsonValueKind.Array:
                        rows.Add(new Dictionary<string, object?> { ["label"] = label, ["value"] = "", ["items"] = p.Value.EnumerateArray().Select(Flatten).ToList() });
                        break;
                    default:
                        rows.Add(new Dictionary<string, object?> { ["label"] = label, ["value"] = Flatten(p.Value), ["items"] = new List<string>() });
                        break;
                }
            }
        }
        Add("", source);
        return new Dictionary<string, object?> { ["heading"] = heading, ["rows"] = rows };
    }

    private static string Flatten(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => string.Join(" · ", e.EnumerateObject().Where(p => p.Name != "privateCoachNotes").Select(p => $"{Label("", p.Name)}: {Flatten(p.Value)}")),
        JsonValueKind.Array => string.Join(", ", e.EnumerateArray().Select(Flatten)),
        JsonValueKind.String => e.GetString() ?? "",
        JsonValueKind.Null => "—",
        _ => e.GetRawText(),
    };

    private static string Label(string prefix, string name)
    {
        var words = System.Text.RegularExpressions.Regex.Replace(name, "(?<!^)([A-Z])", " $1").ToLowerInvariant();
        var label = char.ToUpperInvariant(words[0]) + words[1..];
        return prefix.Length == 0 ? label : $"{prefix} — {label.ToLowerInvariant()}";
    }
}
