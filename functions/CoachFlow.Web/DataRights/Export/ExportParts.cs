using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.DataRights;

/// <summary>Who a copy is for, which decides what it leaves out.</summary>
public enum ExportAudience
{
    /// <summary>The firm (an admin, a coach, the command line): everything it holds, the coach's private notes too.</summary>
    Firm,
    /// <summary>The client's own copy: everything about them except what is private to their coach.</summary>
    Client,
}

/// <summary>Something the export leaves out, and why: listed in every manifest, so a reader knows the copy's edges.</summary>
public sealed record ExportOmission(string What, string Why);

/// <summary>
/// One source of an engagement's data in the export: it writes its files into the engagement's folder
/// (<see cref="EngagementExport.Folder"/>) and counts what it wrote (the manifest shows the counts).
/// </summary>
/// <remarks>
/// The extension point for "more per-engagement files": a new source (webhook deliveries, say) is one more
/// implementation, registered after <c>AddExports</c> with <c>services.AddSingleton&lt;IEngagementExportPart, …&gt;()</c>.
/// Parts run in the order they are registered, one engagement at a time; a part must stream what can be long (write
/// through <see cref="ExportArchive"/> as it reads) and must honour <see cref="EngagementExport.Audience"/>: what a
/// client may not see never goes into their copy. The command line builds its services with <c>AddCoachFlowServices</c>
/// and <c>AddExports</c>, so a part's dependencies must come from those.
/// </remarks>
public interface IEngagementExportPart
{
    /// <summary>What this part leaves out of a copy for <paramref name="audience"/>, and why (none: an empty list).</summary>
    IEnumerable<ExportOmission> LeftOut(ExportAudience audience);

    /// <summary>Writes this part's files for one engagement.</summary>
    Task WriteAsync(EngagementExport engagement, CancellationToken ct);
}

/// <summary>One engagement as the parts export it: the engagement as the read model shows it, where its files go, what was counted.</summary>
public sealed class EngagementExport
{
    private readonly Dictionary<string, int> _counts = [];
    private readonly Func<string?, CancellationToken, Task<Coach?>> _person;

    internal EngagementExport(EngagementView view, ExportAudience audience, ExportArchive archive, Func<string?, CancellationToken, Task<Coach?>> person)
    {
        View = view;
        Audience = audience;
        Archive = archive;
        _person = person;
    }

    public string EngagementId => View.InstanceId;

    /// <summary>The engagement's snapshot and what listing shows of it (no timeline: parts that need it stream it).</summary>
    public EngagementView View { get; }

    public ExportAudience Audience { get; }

    public ExportArchive Archive { get; }

    /// <summary><c>engagements/{id}/</c>: every file of this engagement goes below it.</summary>
    public string Folder => $"engagements/{EngagementId}/";

    /// <summary>What the parts counted (<c>events</c>, <c>inputs</c>, <c>documents</c>…), in the order they counted it.</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>Adds <paramref name="n"/> to the count called <paramref name="what"/> (camelCase: it is a manifest field).</summary>
    public void Count(string what, int n = 1) => _counts[what] = _counts.GetValueOrDefault(what) + n;

    /// <summary>A person of the engagement's firm (coach, sponsor) by id, read once per export; null when unknown or gone.</summary>
    public Task<Coach?> PersonAsync(string? id, CancellationToken ct) => _person(id, ct);
}
