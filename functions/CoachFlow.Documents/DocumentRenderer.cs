using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using CoachFlow.Documents.Kinds;
using CoachFlow.Documents.Pdf;
using Fluid;

namespace CoachFlow.Documents;

/// <summary>
/// Builds every document kind from plain data (<see cref="DocumentSource"/>) and renders it as HTML (Liquid,
/// HTML-encoded: nothing anyone typed becomes markup) or as a PDF (PDFsharp, fonts embedded).
/// </summary>
/// <remarks>No I/O: the caller reads the engagement and stores the result, so this runs the same in the host or in an activity.</remarks>
public static partial class DocumentRenderer
{
    /// <summary>Kinds that are built on request from the engagement as it is now, not stored by an effect.</summary>
    public static readonly IReadOnlySet<string> LiveKinds = new HashSet<string> { "progress-report", "action-checkins" };

    /// <summary>Kinds a PDF is offered for (to keep and to file).</summary>
    public static readonly IReadOnlySet<string> PdfKinds = new HashSet<string> { "contract-signature", "reassessment-report", "roi-summary", "maintenance-plan" };

    private static readonly FluidParser Parser = new();
    private static readonly IFluidTemplate Template = Load("document.liquid");
    private static readonly TemplateOptions Options = new();

    /// <summary>The document of <paramref name="kind"/> called <paramref name="name"/> (e.g. <c>session-2-summary</c>).</summary>
    /// <param name="contractSha256OnRecord">For a signature record: the SHA-256 of the stored contract it refers to.</param>
    public static ReaderDocument Build(string kind, string name, DocumentSource source, string? contractSha256OnRecord = null)
    {
        var n = Number(name);
        int Need() => n ?? throw new ArgumentException($"Document {name} names no number.", nameof(name));
        return kind switch
        {
            "contract" => ContractDocuments.Contract(source, n ?? 1),
            "contract-signature" => ContractDocuments.Signature(source, Need(), contractSha256OnRecord),
            "intake-answers" => IntakeDocuments.Answers(source),
            "pre-session-brief" => IntakeDocuments.Brief(source),
            "pre-session-answers" => SessionDocuments.PreSession(source, Need()),
            "session-agreement" => SessionDocuments.SessionAgreement(source, Need()),
            "session-summary" => SessionDocuments.Summary(source, Need()),
            "coach-private-notes" => SessionDocuments.PrivateNotes(source, Need()),
            "action-checkins" => SessionDocuments.CheckIns(source),
            "reassessment-report" => ReassessmentReport.Build(source, Need(), final: false),
            "roi-summary" => ReassessmentReport.Build(source, Need(), final: true),
            "maintenance-plan-draft" => MaintenanceDocuments.Plan(source, Need()),
            "maintenance-plan" => MaintenanceDocuments.Plan(source, null),
            "maintenance-plan-change-request" => MaintenanceDocuments.ChangeRequest(source, Need()),
            "maintenance-checkin" => MaintenanceDocuments.CheckIn(source, name.EndsWith("-answers", StringComparison.Ordinal) ? name[..^"-answers".Length] : name),
            "closing-summary" => MaintenanceDocuments.Closing(source),
            "progress-report" => ProgressReport.Build(source),
            _ => throw new ArgumentException($"There is no document kind '{kind}'.", nameof(kind)),
        };
    }

    /// <summary>The contract followed by the record of its signature (for the PDF a client keeps); unsigned, it says so.</summary>
    public static ReaderDocument WithSignature(ReaderDocument contract, ReaderDocument? signature) => contract with
    {
        Title = contract.Title + (signature is null ? " (not signed)" : ", signed"),
        Sections = [.. contract.Sections, .. signature?.Sections.Select((s, i) => i == 0 ? new Section("Signature", [.. s.Blocks.Select(b => b is Para p ? p with { Lead = false } : b)]) : s) ?? [new Section("Signature", [new Para("This version has not been signed.")])]],
        Note = signature is null ? contract.Note : $"{contract.Note} {signature.Note}",
    };

    public static string Html(ReaderDocument document) =>
        Template.Render(new TemplateContext(Model(document), Options), HtmlEncoder.Default);

    public static byte[] Pdf(ReaderDocument document) => PdfRenderer.Render(document);

    /// <summary>The document as data (what the HTML shows, as JSON-ready dictionaries).</summary>
    public static Dictionary<string, object?> Model(ReaderDocument d) => new()
    {
        ["kind"] = d.Kind,
        ["title"] = d.Title,
        ["audience"] = d.Audience,
        ["note"] = d.Note,
        ["confidential"] = d.Confidential,
        ["firm"] = new Dictionary<string, object?> { ["name"] = d.Branding.FirmName, ["color"] = SafeColor(d.Branding.Color) },
        ["sections"] = d.Sections.Select(s => new Dictionary<string, object?>
        {
            ["heading"] = s.Heading,
            ["blocks"] = s.Blocks.Select(Block).ToList(),
        }).ToList(),
    };

    private static Dictionary<string, object?> Block(Block block) => block switch
    {
        Para p => new() { ["type"] = "para", ["text"] = p.Text, ["lead"] = p.Lead },
        Facts f => new() { ["type"] = "facts", ["items"] = f.Items.Select(i => new Dictionary<string, object?> { ["label"] = i.Label, ["value"] = i.Value }).ToList() },
        Bullets b => new() { ["type"] = "bullets", ["items"] = b.Items.ToList() },
        Answer a => new() { ["type"] = "answer", ["question"] = a.Question, ["text"] = a.Text },
        Table t => new() { ["type"] = "table", ["caption"] = t.Caption, ["header"] = t.Header.ToList(), ["rows"] = t.Rows.Select(r => r.ToList()).ToList() },
        Chart c => new() { ["type"] = "chart", ["caption"] = c.Caption, ["svg"] = c.Svg },
        Code c => new() { ["type"] = "code", ["label"] = c.Label, ["value"] = c.Value },
        _ => throw new ArgumentException($"Unknown block {block.GetType().Name}.", nameof(block)),
    };

    /// <summary>The number in a document's name: <c>session-2-summary</c> → 2, <c>contract-v3</c> → 3.</summary>
    public static int? Number(string name)
    {
        var digits = new string([.. name.SkipWhile(c => !char.IsAsciiDigit(c)).TakeWhile(char.IsAsciiDigit)]);
        return digits.Length is > 0 and < 6 ? int.Parse(digits, CultureInfo.InvariantCulture) : null;
    }

    internal static string SafeColor(string color) => HexColor().IsMatch(color) ? color : "#1f5f8b";

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex HexColor();

    private static IFluidTemplate Load(string name)
    {
        using var stream = typeof(DocumentRenderer).Assembly.GetManifestResourceStream($"CoachFlow.Documents.Templates.{name}")
            ?? throw new InvalidOperationException($"Template {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return Parser.Parse(reader.ReadToEnd());
    }
}
