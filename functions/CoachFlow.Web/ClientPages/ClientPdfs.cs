using System.Text.RegularExpressions;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.ClientPages;

/// <summary>The PDFs a client may download from their pages, and the links to them.</summary>
internal static partial class ClientPdfs
{
    /// <summary>The client's own records: an agreement, a reassessment report, the self-coaching plan. Never the coach's notes.</summary>
    public static bool IsClientPdf(string name) => ClientPdfName().IsMatch(name);

    /// <summary>"Keep a copy" links: <paramref name="shown"/> (the document on the page, if it has a PDF) and the signed agreement.</summary>
    public static string Links(ClientLink link, string? shown)
    {
        var items = new List<string>();
        if (shown is not null && IsClientPdf(shown))
            items.Add($"<li><a href=\"/c/{H(link.Token)}/pdf/{H(shown)}\" download>{H(Title(shown))} (PDF)</a></li>");
        if (link.State.SignedContractVersion > 0)
            items.Add($"<li><a href=\"/c/{H(link.Token)}/pdf/contract-v{link.State.SignedContractVersion}\" download>Your signed coaching agreement, with its signature record (PDF)</a></li>");
        return items.Count == 0 ? "" : $"<h2>Keep a copy</h2><ul>{string.Concat(items)}</ul>";
    }

    private static string Title(string name) => name switch
    {
        "maintenance-plan" => "Your self-coaching plan",
        _ when name.StartsWith("reassessment-", StringComparison.Ordinal) => "Your reassessment report",
        _ => "This document",
    };

    [GeneratedRegex("^(contract-v[0-9]{1,4}(-signature)?|reassessment-[0-9]{1,4}-report|maintenance-plan)$")]
    private static partial Regex ClientPdfName();
}
