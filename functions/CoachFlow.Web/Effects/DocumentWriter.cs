using System.Text.Json;
using CoachFlow.Documents;
using CoachFlow.Web.Documents;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;
using CoachFlow.Orchestrations.Activities;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;

namespace CoachFlow.Web.Effects;

/// <summary>
/// Runs <see cref="WriteDocument"/> effects and builds documents on request: reads the engagement from the
/// engine's read model and the firm's branding, and hands them as plain data to <see cref="DocumentRenderer"/>
/// (which does no I/O). The document is stored as HTML (what people read) next to its data as JSON.
/// </summary>
public sealed class DocumentWriter(EngagementStore engagements, EngagementWorkflow rules, DocumentStore store, TenancyStore tenancy, ProgramCatalog programs, TimeProvider time)
{
    /// <summary>
    /// Writes the document from the engagement as of the step that asked for it (<see cref="EffectContext.State"/>) and the
    /// timeline, which the same activity recorded just before. A repeat writes the same name again.
    /// </summary>
    public async Task WriteAsync(EffectContext context, WriteDocument doc, CancellationToken ct)
    {
        var view = await EngagementView.LoadAsync(engagements, rules, context.EngagementId, withHistory: true, ct) with { State = context.State };
        var source = await SourceAsync(view, view.UpdatedAt, ct);
        string? contractSha = null;
        if (doc.Kind == "contract-signature")
            contractSha = (await store.ReadAsync(context.EngagementId, doc.Name.Replace("-signature", "", StringComparison.Ordinal), ct))?.Sha256;
        var document = DocumentRenderer.Build(doc.Kind, doc.Name, source, contractSha);
        await store.WriteAsync(context.EngagementId, doc.Kind, doc.Name, DocumentRenderer.Html(document), Json(document), ct);
        // Written after the engagement was erased (its activity was already running): take it back. The erasure deletes the
        // snapshot before it lists the documents, so one of the two always sees the other's write.
        if (!await engagements.ExistsAsync(context.EngagementId, ct)) await store.PurgeAsync(context.EngagementId, ct);
    }

    /// <summary>A document built now from the engagement as it stands (a live kind such as the progress report, or a PDF).</summary>
    public async Task<ReaderDocument> BuildAsync(EngagementView view, string kind, string name, CancellationToken ct)
    {
        var source = await SourceAsync(view, time.GetUtcNow(), ct);
        string? contractSha = null;
        if (kind == "contract-signature")
            contractSha = (await store.ReadAsync(view.InstanceId, name.Replace("-signature", "", StringComparison.Ordinal), ct))?.Sha256;
        return DocumentRenderer.Build(kind, name, source, contractSha);
    }

    private async Task<DocumentSource> SourceAsync(EngagementView view, DateTimeOffset at, CancellationToken ct)
    {
        var state = view.State;
        var firm = await tenancy.GetFirmAsync(state.FirmId, ct);
        var coach = await tenancy.GetCoachAsync(state.FirmId, state.CoachId, ct);
        var program = programs.Find(state.ProgramId, state.ProgramVersion)
            ?? throw new InvalidOperationException($"Engagement {view.InstanceId} runs on program {state.ProgramId} v{state.ProgramVersion}, which this host does not know.");
        var events = StoredEvents.Read(view.History.Select(h => (h.Type, h.Data)));
        return new DocumentSource(state, events, program, new Branding(firm?.Name ?? "CoachFlow", firm?.PrimaryColor ?? "#1f5f8b", coach?.Name ?? "your coach"), at);
    }

    private static string Json(ReaderDocument document) => JsonSerializer.Serialize(DocumentRenderer.Model(document), EngagementService.Json);
}
