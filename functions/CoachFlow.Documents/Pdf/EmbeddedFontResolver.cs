using PdfSharp.Fonts;

namespace CoachFlow.Documents.Pdf;

/// <summary>
/// Serves DejaVu Sans from this assembly's resources, so PDFs render the same on a fresh Linux machine (which
/// PDFsharp cannot read system fonts from) as anywhere else. Every family maps to it.
/// </summary>
internal sealed class EmbeddedFontResolver : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";

    public FontResolverInfo ResolveTypeface(string familyName, bool isBold, bool isItalic) =>
        // No italic face is shipped: PDFsharp slants the upright one when italic is asked for.
        new(isBold ? Bold : Regular, mustSimulateBold: false, mustSimulateItalic: isItalic);

    public byte[] GetFont(string faceName)
    {
        using var stream = typeof(EmbeddedFontResolver).Assembly.GetManifestResourceStream($"CoachFlow.Documents.Fonts.{faceName}.ttf")
            ?? throw new InvalidOperationException($"Font {faceName} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
