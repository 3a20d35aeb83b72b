namespace CoachFlow.Documents;

/// <summary>
/// A document as its reader sees it: a title, who it is for, and sections of blocks written in plain words.
/// The HTML (Liquid) and the PDF are both drawn from this, so they always say the same thing.
/// </summary>
/// <param name="Kind">The document kind, e.g. <c>reassessment-report</c>.</param>
/// <param name="Audience">Whom it is written for, shown under the title (e.g. "For Sam Rivera, with Casey Coach").</param>
/// <param name="Note">A line at the foot: when it was written and the time zone times are shown in.</param>
public sealed record ReaderDocument(string Kind, string Title, string Audience, IReadOnlyList<Section> Sections, string Note, Branding Branding, bool Confidential = false);

public sealed record Section(string Heading, IReadOnlyList<Block> Blocks);

/// <summary>One piece of a section.</summary>
public abstract record Block;

/// <summary>A paragraph; <see cref="Lead"/> sets it off as the opening line.</summary>
public sealed record Para(string Text, bool Lead = false) : Block;

/// <summary>Label and value pairs (a definition list).</summary>
public sealed record Facts(IReadOnlyList<Fact> Items) : Block;

public sealed record Fact(string Label, string Value);

public sealed record Bullets(IReadOnlyList<string> Items) : Block;

/// <summary>A question in its own wording and the reader's answer.</summary>
public sealed record Answer(string Question, string Text) : Block;

/// <summary>A table with a caption; the first column names the row.</summary>
public sealed record Table(string Caption, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) : Block;

/// <summary>
/// A chart: SVG for the HTML, bars for the PDF. Always next to a <see cref="Table"/> with the same numbers, so a
/// chart is never the only way to read a figure.
/// </summary>
public sealed record Chart(string Caption, string Svg, IReadOnlyList<string> Series, IReadOnlyList<ChartRow> Rows) : Block;

/// <summary>One row of a chart: its label and one value (1–10, or none) per series.</summary>
public sealed record ChartRow(string Label, IReadOnlyList<int?> Values);

/// <summary>A long code (a SHA-256 fingerprint) shown in full and allowed to wrap.</summary>
public sealed record Code(string Label, string Value) : Block;
