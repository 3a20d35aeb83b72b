using CoachFlow.Email.Rendering;

namespace CoachFlow.Email.Tests;

/// <summary>Paths and sample data the tests share; each test still makes its own message.</summary>
internal static class TestData
{
    public static FirmBranding Branding { get; } = new(
        "Northwind Coaching", "#0B6E4F", new Uri("https://cdn.northwind.test/logo.png"),
        new EmailAddress("coaching@northwind.test", "Northwind Coaching"), new EmailAddress("ana.ruiz@northwind.test", "Ana Ruiz"));

    public static SessionTime Session { get; } = new(2, new DateTimeOffset(2026, 3, 31, 12, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1), "Europe/Paris");

    /// <summary>The repository root: the nearest folder above the test binaries that holds CoachFlow.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared folder CI copies beside the clone: <c>&lt;repo&gt;/../shared</c>.</summary>
    public static string SharedDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>The one-click unsubscribe headers (RFC 8058) a reminder carries.</summary>
    public static readonly IReadOnlyDictionary<string, string> OneClickHeaders = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["List-Unsubscribe"] = "<https://coach.northwind.test/c/eyJlIjoiZW5nLTdmM2EifQ.c2ln/unsubscribe>",
        ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
    };

    public static EmailMessage Message(string to, string subject, string link, params EmailAttachment[] attachments) => new(
        new EmailAddress(to, "Jordan Lee"),
        Branding.Sender,
        Branding.ReplyTo,
        subject,
        $"<p>Hello Jordan</p><p><a href=\"{link}\">Open</a></p>",
        $"Hello Jordan\n\nOpen: {link}\n",
        attachments,
        ["contract-invitation", "career-6"],
        "eng-7f3a",
        $"eng-7f3a/{Guid.NewGuid():N}");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CoachFlow.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No CoachFlow.sln above {AppContext.BaseDirectory}.");
    }
}
