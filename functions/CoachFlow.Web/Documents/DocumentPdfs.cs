using CoachFlow.Documents;
using CoachFlow.Web.Effects;
using CoachFlow.Web.Engagements;

namespace CoachFlow.Web.Documents;

/// <summary>Which stored documents have a PDF, and the PDF of one: a signed contract comes with its signature's evidence.</summary>
public static class DocumentPdfs
{
    public static bool Offered(string kind) => kind is "contract" or "contract-signature" || DocumentRenderer.PdfKinds.Contains(kind);

    public static async Task<byte[]> RenderAsync(DocumentWriter writer, EngagementView view, string kind, string name, CancellationToken ct)
    {
        if (kind is "contract" or "contract-signature")
        {
            var contractName = name.Replace("-signature", "", StringComparison.Ordinal);
            var contract = await writer.BuildAsync(view, "contract", contractName, ct);
            var signed = view.History.Any(h => h.Type == nameof(Workflows.Engagements.ContractSigned)
                && h.Data.GetProperty("contractVersion").GetInt32() == DocumentRenderer.Number(contractName));
            var signature = signed ? await writer.BuildAsync(view, "contract-signature", contractName + "-signature", ct) : null;
            return DocumentRenderer.Pdf(DocumentRenderer.WithSignature(contract, signature));
        }
        return DocumentRenderer.Pdf(await writer.BuildAsync(view, kind, name, ct));
    }
}
