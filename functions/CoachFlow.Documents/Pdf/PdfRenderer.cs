using System.Globalization;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace CoachFlow.Documents.Pdf;

/// <summary>
/// Lays a <see cref="ReaderDocument"/> out on A4 pages with PDFsharp: real text (selectable, extractable),
/// DejaVu Sans embedded, the firm's colour in the header, tables with their numbers and bar charts beside them.
/// </summary>
internal static class PdfRenderer
{
    private static readonly Lock Gate = new();
    private static bool _fontsReady;

    public static byte[] Render(ReaderDocument document)
    {
        EnsureFonts();
        using var pdf = new PdfDocument();
        pdf.Info.Title = document.Title;
        pdf.Info.Author = document.Branding.FirmName;
        pdf.Info.Subject = document.Audience;
        pdf.Info.Creator = "CoachFlow";
        var layout = new Layout(pdf, document);
        layout.Write();
        using var stream = new MemoryStream();
        pdf.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static void EnsureFonts()
    {
        lock (Gate)
        {
            if (_fontsReady) return;
            // Another part of the process may have set a resolver first; ours is only installed when none is.
            GlobalFontSettings.FontResolver ??= new EmbeddedFontResolver();
            _fontsReady = true;
        }
    }

    /// <summary>The cursor on the current page and the drawing primitives; a new page starts when the next line does not fit.</summary>
    private sealed class Layout(PdfDocument pdf, ReaderDocument doc)
    {
        private const double Margin = 50, Top = 70, Bottom = 60;
        private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);
        private readonly XFont _body = new(EmbeddedFontResolver.Family, 10, XFontStyleEx.Regular, Unicode);
        private readonly XFont _bold = new(EmbeddedFontResolver.Family, 10, XFontStyleEx.Bold, Unicode);
        private readonly XFont _small = new(EmbeddedFontResolver.Family, 8.5, XFontStyleEx.Regular, Unicode);
        private readonly XFont _smallBold = new(EmbeddedFontResolver.Family, 8.5, XFontStyleEx.Bold, Unicode);
        private readonly XFont _h1 = new(EmbeddedFontResolver.Family, 20, XFontStyleEx.Bold, Unicode);
        private readonly XFont _h2 = new(EmbeddedFontResolver.Family, 13, XFontStyleEx.Bold, Unicode);
        private readonly XFont _lead = new(EmbeddedFontResolver.Family, 11.5, XFontStyleEx.Regular, Unicode);
        private readonly XColor _firm = ParseColor(DocumentRenderer.SafeColor(doc.Branding.Color));
        private static readonly XColor Grey = XColor.FromArgb(0x44, 0x44, 0x44);
        private static readonly XColor Rule = XColor.FromArgb(0xd0, 0xd7, 0xde);
        private static readonly XColor Shade = XColor.FromArgb(0xf0, 0xf3, 0xf6);
        private static readonly XColor Baseline = XColor.FromArgb(0x9a, 0xa5, 0xb1);
        private XGraphics _g = null!;
        private PdfPage _page = null!;
        private double _y;

        private double Width => _page.Width.Point - 2 * Margin;
        private double Limit => _page.Height.Point - Bottom;

        public void Write()
        {
            NewPage();
            _y += 4;
            Text(doc.Title, _h1, XColors.Black, Margin, Width, 24);
            _y += 4;
            Text(doc.Audience, _body, Grey, Margin, Width, 14);
            if (doc.Confidential) Text("Confidential: for the coach only", _bold, XColor.FromArgb(0xa4, 0x26, 0x2c), Margin, Width, 14);
            _y += 6;
            foreach (var section in doc.Sections)
            {
                Need(60);
                _y += 10;
                Text(section.Heading, _h2, XColors.Black, Margin, Width, 17);
                _g.DrawLine(new XPen(Rule, 0.75), Margin, _y, Margin + Width, _y);
                _y += 6;
                foreach (var block in section.Blocks) Draw(block);
            }
            _y += 14;
            Text(doc.Note, _small, Grey, Margin, Width, 12);
            _g.Dispose();
            Footers();
        }

        private void Draw(Block block)
        {
            switch (block)
            {
                case Para p:
                    Text(p.Text, p.Lead ? _lead : _body, XColors.Black, Margin, Width, p.Lead ? 16 : 14);
                    _y += 4;
                    break;
                case Facts f:
                    foreach (var item in f.Items)
                    {
                        var lines = Wrap(item.Value, _body, Width - 150);
                        Need(Math.Min(lines.Count, 3) * 14);
                        var start = _y;
                        Text(item.Label, _bold, XColors.Black, Margin, 140, 14);
                        var afterLabel = _y;
                        _y = start;
                        Text(item.Value, _body, XColors.Black, Margin + 150, Width - 150, 14);
                        _y = Math.Max(_y, afterLabel) + 2;
                    }
                    _y += 4;
                    break;
                case Bullets b:
                    foreach (var item in b.Items)
                    {
                        Need(14);
                        _g.DrawString("•", _body, new XSolidBrush(_firm), Margin + 4, _y, XStringFormats.TopLeft);
                        Text(item, _body, XColors.Black, Margin + 16, Width - 16, 14);
                        _y += 2;
                    }
                    _y += 4;
                    break;
                case Answer a:
                    Need(40);
                    Text(a.Question, _bold, XColors.Black, Margin, Width, 14);
                    _y += 2;
                    var top = _y;
                    var page = _page;
                    Text(a.Text, _body, XColors.Black, Margin + 12, Width - 12, 14);
                    if (page == _page) _g.DrawRectangle(new XSolidBrush(_firm), Margin, top - 1, 3, _y - top + 2);
                    _y += 8;
                    break;
                case Table t:
                    DrawTable(t);
                    break;
                case Chart c:
                    DrawBars(c);
                    break;
                case Code c:
                    Need(40);
                    Text(c.Label, _bold, XColors.Black, Margin, Width, 14);
                    Text(c.Value, _body, XColors.Black, Margin, Width, 14, breakAnywhere: true);
                    _y += 6;
                    break;
            }
        }

        private void DrawTable(Table t)
        {
            var columns = t.Header.Count;
            // Column widths follow the longest text in each column, within bounds, then fill the width.
            // A column is never narrower than the longest word of its header, so no header word is cut.
            var want = Enumerable.Range(0, columns).Select(c => Math.Clamp(
                t.Rows.Select(r => c < r.Count ? r[c].Length : 0).Append(t.Header[c].Length).Max(),
                t.Header[c].Split(' ').Max(w => w.Length) + 3, 60)).ToArray();
            var total = want.Sum();
            var widths = want.Select(w => Width * w / total).ToArray();
            const double pad = 4;
            Need(40);
            Text(t.Caption, _smallBold, XColors.Black, Margin, Width, 12);
            _y += 2;
            Row(t.Header, widths, pad, header: true);
            foreach (var row in t.Rows) Row(row, widths, pad, header: false);
            _y += 8;

            void Row(IReadOnlyList<string> cells, double[] w, double p, bool header)
            {
                var wrapped = cells.Select((cell, i) => Wrap(cell, header || i == 0 ? _smallBold : _small, w[i] - 2 * p, breakAnywhere: false)).ToList();
                var height = wrapped.Max(l => l.Count) * 11 + 2 * p;
                if (_y + height > Limit)
                {
                    NewPage();
                    if (!header) Row(t.Header, w, p, header: true);
                }
                var x = Margin;
                for (var i = 0; i < cells.Count && i < w.Length; i++)
                {
                    if (header) _g.DrawRectangle(new XSolidBrush(Shade), x, _y, w[i], height);
                    _g.DrawRectangle(new XPen(Rule, 0.5), x, _y, w[i], height);
                    var ly = _y + p;
                    foreach (var line in wrapped[i])
                    {
                        _g.DrawString(line, header || i == 0 ? _smallBold : _small, XBrushes.Black, x + p, ly, XStringFormats.TopLeft);
                        ly += 11;
                    }
                    x += w[i];
                }
                _y += height;
            }
        }

        /// <summary>Horizontal bars, one group per row and one bar per series, with the number printed at the end of each bar.</summary>
        private void DrawBars(Chart c)
        {
            const double bar = 7, gap = 2, label = 160, scaleWidth = 250;
            var series = c.Series.Count;
            Need(40 + Math.Min(c.Rows.Count, 4) * (series * (bar + gap) + 6));
            Text(c.Caption, _smallBold, XColors.Black, Margin, Width, 12);
            var colors = new[] { Baseline, _firm, XColor.FromArgb(0xc0, 0x56, 0x21), XColor.FromArgb(0x2f, 0x85, 0x5a) };
            // Legend
            var lx = Margin;
            for (var s = 0; s < series; s++)
            {
                _g.DrawRectangle(new XSolidBrush(colors[s % colors.Length]), lx, _y + 2, 8, 8);
                _g.DrawString(c.Series[s], _small, XBrushes.Black, lx + 11, _y, XStringFormats.TopLeft);
                lx += 20 + _g.MeasureString(c.Series[s], _small).Width;
            }
            _y += 16;
            foreach (var row in c.Rows)
            {
                var height = series * (bar + gap) + 6;
                Need(height);
                var lines = Wrap(row.Label, _small, label - 8);
                _g.DrawString(lines[0], _small, XBrushes.Black, Margin, _y, XStringFormats.TopLeft);
                for (var s = 0; s < series && s < row.Values.Count; s++)
                {
                    var y = _y + s * (bar + gap);
                    var value = row.Values[s];
                    var length = (value ?? 0) / 10.0 * scaleWidth;
                    _g.DrawRectangle(new XSolidBrush(colors[s % colors.Length]), Margin + label, y, Math.Max(length, 0.5), bar);
                    _g.DrawString(value is int v ? v.ToString(CultureInfo.InvariantCulture) : "—", _small, XBrushes.Black, Margin + label + length + 4, y - 1.5, XStringFormats.TopLeft);
                }
                _y += height;
            }
            _y += 8;
        }

        /// <summary>Draws wrapped text at the cursor, moving to a new page when a line does not fit.</summary>
        private void Text(string text, XFont font, XColor color, double x, double width, double lineHeight, bool breakAnywhere = false)
        {
            var brush = new XSolidBrush(color);
            foreach (var line in Wrap(text, font, width, breakAnywhere))
            {
                Need(lineHeight);
                _g.DrawString(line, font, brush, x, _y, XStringFormats.TopLeft);
                _y += lineHeight;
            }
        }

        private List<string> Wrap(string text, XFont font, double width, bool breakAnywhere = false)
        {
            var lines = new List<string>();
            foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
            {
                var current = "";
                foreach (var word in breakAnywhere ? paragraph.Select(ch => ch.ToString()) : paragraph.Split(' '))
                {
                    var joiner = breakAnywhere || current.Length == 0 ? "" : " ";
                    if (Measure(current + joiner + word, font) <= width) { current += joiner + word; continue; }
                    if (current.Length > 0) lines.Add(current);
                    current = word;
                    while (Measure(current, font) > width && current.Length > 1)
                    {
                        // A word longer than the line: cut it where it overflows.
                        var cut = current.Length - 1;
                        while (cut > 1 && Measure(current[..cut], font) > width) cut--;
                        lines.Add(current[..cut]);
                        current = current[cut..];
                    }
                }
                lines.Add(current);
            }
            return lines;
        }

        private double Measure(string text, XFont font) => _g.MeasureString(text.Length == 0 ? " " : text, font).Width;

        private void Need(double height)
        {
            if (_y + height > Limit) NewPage();
        }

        private void NewPage()
        {
            _g?.Dispose();
            _page = pdf.AddPage();
            _page.Size = PageSize.A4;
            _g = XGraphics.FromPdfPage(_page);
            _g.DrawRectangle(new XSolidBrush(_firm), 0, 0, _page.Width.Point, 8);
            _g.DrawString(doc.Branding.FirmName, _smallBold, XBrushes.Black, Margin, 30, XStringFormats.TopLeft);
            _g.DrawLine(new XPen(_firm, 1.5), Margin, 46, Margin + Width, 46);
            _y = Top;
        }

        private void Footers()
        {
            for (var i = 0; i < pdf.PageCount; i++)
            {
                using var g = XGraphics.FromPdfPage(pdf.Pages[i], XGraphicsPdfPageOptions.Append);
                var text = $"{doc.Title} · page {i + 1} of {pdf.PageCount}";
                g.DrawString(text, _small, new XSolidBrush(Grey), new XRect(Margin, pdf.Pages[i].Height.Point - 40, Width, 12), XStringFormats.TopRight);
            }
        }

        private static XColor ParseColor(string hex) => XColor.FromArgb(
            int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
