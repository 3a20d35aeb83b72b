using System.Text.RegularExpressions;
using CoachFlow.Documents.Samples;

namespace CoachFlow.Documents.Tests;

/// <summary>The PDFs a client keeps and a firm files: they open, their text extracts, their fonts are embedded.</summary>
public sealed class PdfTests
{
    private static readonly Lazy<SampleEngagement> Sample = new(SampleEngagement.Run);

    private static ReaderDocument Doc(string name) => Sample.Value.Documents.Single(d => d.Name == name).Document;

    [Fact]
    public void GivenTheSignedContract_WhenItsPdfIsRead_ThenItHoldsTheAgreementAndEvidenceWhoseFingerprintIsTheSignedHtmls()
    {
        var pdf = DocumentRenderer.Pdf(Sample.Value.SignedContract());
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5), StringComparison.Ordinal);
        var text = Poppler.Text(pdf);
        foreach (var expected in new[] { "Coaching agreement — version 1, signed", SampleEngagement.ClientName, "1. What we will do together", "5. Confidentiality and its limits",
            "Signature", "Evidence of the signature", "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", "Northwind Coaching", "1,800.00 EUR" })
            Assert.Contains(expected, text, StringComparison.Ordinal);
        var signedHtml = Sample.Value.Documents.Single(d => d.Name == "contract-v1").Html;
        var shown = Regex.Match(text, "as it was shown\\s+([0-9a-f]{64})").Groups[1].Value;
        Assert.Equal(SampleEngagement.Sha256(signedHtml), shown);
        AssertFontsEmbedded(pdf);
    }

    [Fact]
    public void GivenTheFinalReassessment_WhenItsPdfIsRead_ThenHeadingsScoresAndChangesAreText()
    {
        var pdf = DocumentRenderer.Pdf(Sample.Value.Now("roi-summary", "reassessment-2-report").Document);
        var text = Poppler.Text(pdf);
        foreach (var expected in new[] { "What changed: your final reassessment", SampleEngagement.ClientName, "Your Wheel of Life", "Your next step, in numbers",
            "Your goals and where they stand", "Leading indicators", "What we agreed to adjust", "Work and career: 4 → 8, +4 since you started (+2 since last time)." })
            Assert.Contains(expected, Regex.Replace(text, "\\s+", " "), StringComparison.Ordinal);
        Assert.Matches("page 1 of \\d", text);
        AssertFontsEmbedded(pdf);
    }

    [Fact]
    public void GivenTheMaintenancePlan_WhenItsPdfIsRead_ThenItsSectionsAreThere()
    {
        var text = Regex.Replace(Poppler.Text(DocumentRenderer.Pdf(Doc("maintenance-plan"))), "\\s+", " ");
        foreach (var expected in new[] { "Your self-coaching plan", SampleEngagement.ClientName, "Frameworks you keep using", "GROW for big decisions",
            "When to ask for support again", "After graduation", "Confirmed on" })
            Assert.Contains(expected, text, StringComparison.Ordinal);
    }

    private static void AssertFontsEmbedded(byte[] pdf)
    {
        var fonts = Poppler.Fonts(pdf).Split('\n').Skip(2).Where(l => l.Trim().Length > 0).ToList();
        Assert.NotEmpty(fonts);
        Assert.All(fonts, line => Assert.Matches("DejaVu Sans.*\\byes\\s+yes\\s+yes\\b", line)); // embedded, subset, with a Unicode map
    }
}
