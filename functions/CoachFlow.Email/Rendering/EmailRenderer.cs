using System.Collections.Frozen;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text.RegularExpressions;
using CoachFlow.Workflows.Engagements;
using Fluid;

namespace CoachFlow.Email.Rendering;

/// <summary>
/// Renders an email kind with Liquid (Fluid) from the templates embedded in this assembly: per kind, a
/// <c>{kind}.html.liquid</c> body and a <c>{kind}.txt.liquid</c> body, each wrapped in the matching <c>_layout</c>.
/// </summary>
/// <remarks>
/// The HTML is rendered with an <see cref="HtmlEncoder"/>, so anything a client or coach typed (names) is encoded,
/// never interpreted. The text part is plain text and is not encoded. A kind's <c>.txt.liquid</c> also captures its
/// <c>subject</c> and assigns its <c>action_label</c>, both plain text. Thread-safe; build one and share it.
/// </remarks>
public sealed partial class EmailRenderer
{
    private const string ResourcePrefix = "CoachFlow.Email.Templates.";
    private static readonly FluidParser Parser = new();
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    // Encodes what HTML needs (<, >, &, quotes) but keeps accents and dashes readable.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>The kinds that show a session's date and time, so need <see cref="EmailModel.Session"/>.</summary>
    public static readonly FrozenSet<string> SessionKinds = FrozenSet.ToFrozenSet(
        [EmailKinds.SessionConfirmation, EmailKinds.SessionRescheduled, EmailKinds.SessionReminder], StringComparer.Ordinal);

    private readonly FrozenDictionary<string, (IFluidTemplate Html, IFluidTemplate Text)> _kinds;
    private readonly IFluidTemplate _layoutHtml;
    private readonly IFluidTemplate _layoutText;
    private readonly TemplateOptions _options = new();

    /// <summary>Loads and parses every template; throws when a kind of <see cref="EmailKinds.All"/> or <see cref="AccountEmailKinds.All"/> has none or one does not parse.</summary>
    public EmailRenderer()
    {
        _layoutHtml = Load("_layout.html.liquid");
        _layoutText = Load("_layout.txt.liquid");
        _kinds = EmailKinds.All.Concat(AccountEmailKinds.All).ToFrozenDictionary(k => k, k => (Load($"{k}.html.liquid"), Load($"{k}.txt.liquid")), StringComparer.Ordinal);
    }

    /// <summary>The kinds this renderer has templates for.</summary>
    public IReadOnlyCollection<string> Kinds => _kinds.Keys;

    /// <summary>Renders one email.</summary>
    /// <exception cref="ArgumentException">Unknown kind, invalid branding, a link that is not http(s), or a session kind without its session.</exception>
    public RenderedEmail Render(EmailModel model)
    {
        if (!_kinds.TryGetValue(model.Kind, out var templates))
            throw new ArgumentException($"There is no email template for kind '{model.Kind}'.", nameof(model));
        model.Branding.Validate();
        if (model.ActionUrl is { } url && !IsAcceptableLink(url))
            throw new ArgumentException("The call-to-action link must be an absolute https URL (http only to a loopback host).", nameof(model));
        if (SessionKinds.Contains(model.Kind) && model.Session is null)
            throw new ArgumentException($"An email of kind '{model.Kind}' needs the session's date and time.", nameof(model));
        if (model.Details?.Keys.FirstOrDefault(k => !DetailName().IsMatch(k) || ReservedNames.Contains(k)) is { } badName)
            throw new ArgumentException($"'{badName}' cannot name a detail of an email: lower case and underscores, and none of the layout's own names.", nameof(model));

        var context = new TemplateContext(_options) { CultureInfo = Culture };
        context.SetValue("client_first_name", model.ClientFirstName);
        context.SetValue("coach_name", model.CoachName);
        context.SetValue("firm_name", model.Branding.FirmName);
        context.SetValue("primary_color", model.Branding.PrimaryColor);
        // Unset rather than empty: in Liquid an empty string is truthy.
        if (model.Branding.LogoUrl is { } logo) context.SetValue("logo_url", logo.AbsoluteUri);
        if (model.ActionUrl is { } action) context.SetValue("action_url", action.AbsoluteUri);
        context.SetValue("coach_message", model.CoachMessage ?? "");
        context.SetValue("pending_what", model.PendingWhat ?? "what you have open");
        foreach (var (name, value) in model.Details ?? new Dictionary<string, string>()) context.SetValue(name, value);
        if (model.Session is { } session)
        {
            context.SetValue("session_number", session.Number);
            context.SetValue("session_when", FormatSession(session));
        }

        // Text first: it captures the subject and the action label, which the HTML layout shows too.
        var textBody = templates.Text.Render(context, NullEncoder.Default, isolateContext: false);
        var subject = Whitespace().Replace(context.GetValue("subject").ToStringValue(), " ").Trim();
        if (subject.Length == 0) throw new InvalidOperationException($"The template of kind '{model.Kind}' sets no subject.");
        context.SetValue("subject", subject);

        context.SetValue("body", textBody.Trim());
        var text = _layoutText.Render(context, NullEncoder.Default).Trim() + "\n";

        context.SetValue("body", templates.Html.Render(context, Encoder));
        var html = _layoutHtml.Render(context, Encoder);
        return new RenderedEmail(model.Kind, subject, html, text);
    }

    /// <summary>E.g. <c>Tuesday 3 March 2026, 14:00–15:00 (Europe/Paris)</c>, in the session's own zone.</summary>
    public static string FormatSession(SessionTime session)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(session.TimeZoneId);
        var start = TimeZoneInfo.ConvertTime(session.StartAt, zone);
        var end = TimeZoneInfo.ConvertTime(session.StartAt + session.Duration, zone);
        return string.Create(Culture, $"{start:dddd d MMMM yyyy}, {start:HH:mm}–{end:HH:mm} ({session.TimeZoneId})");
    }

    private static bool IsAcceptableLink(Uri url) =>
        url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback));

    private static IFluidTemplate Load(string name)
    {
        using var stream = typeof(EmailRenderer).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The email template '{name}' is not embedded in {typeof(EmailRenderer).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var source = reader.ReadToEnd();
        return Parser.TryParse(source, out var template, out var error)
            ? template
            : throw new InvalidOperationException($"The email template '{name}' does not parse: {error}");
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex("^[a-z][a-z_]{0,39}$")]
    private static partial Regex DetailName();

    /// <summary>What the renderer sets itself; a detail may not replace them.</summary>
    private static readonly FrozenSet<string> ReservedNames = FrozenSet.ToFrozenSet(
        ["client_first_name", "coach_name", "firm_name", "primary_color", "logo_url", "action_url", "action_label", "coach_message", "pending_what",
            "session_number", "session_when", "subject", "body"], StringComparer.Ordinal);
}
