using CoachFlow.Web.Documents;
using CoachFlow.Workflows.Engagements;
using static CoachFlow.Web.ClientPages.PageHtml;

namespace CoachFlow.Web.ClientPages;

/// <summary>
/// Contract review and signing. The page shows the stored contract exactly as stored (in a sandboxed frame),
/// its SHA-256, a typed full name and a consent box; signing records the name, IP address, user agent and the
/// hash of exactly the document shown, then marks the single-use link as used.
/// </summary>
internal sealed class ContractForm : ClientForm
{
    private const int MaxName = 200;

    /// <summary>The contract version the link is for (<c>contract-v2</c>, <c>v2-send-1-reminder-1</c>…), else the version on offer.</summary>
    public static int VersionOf(ClientLink link) => link.RefNumber ?? link.State.ContractVersion;

    public override async Task<Page> ShowAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct)
    {
        var (version, doc, stop) = await OpenAsync(link, pages, ct);
        return stop ?? Render(link, version, doc!, [], null, consent: false);
    }

    public override async Task<Page> SubmitAsync(ClientLink link, IFormCollection form, ClientPagesHandler pages, CancellationToken ct)
    {
        var (version, doc, stop) = await OpenAsync(link, pages, ct);
        if (stop is not null) return stop;

        var name = Value(form, "full-name").Trim();
        var consent = Value(form, "consent") == "yes";
        List<FieldError> errors = [];
        if (name.Length == 0) errors.Add(new("full-name", FieldId("full-name"), "Type your full name to sign"));
        else if (name.Length > MaxName) errors.Add(new("full-name", FieldId("full-name"), $"Your name can be at most {MaxName} characters"));
        if (!consent) errors.Add(new("consent", FieldId("consent"), "Tick the box to confirm you agree"));
        if (Value(form, "document-sha256") is { Length: > 0 } shown && shown != doc!.Sha256)
            return new Page(409, "The agreement changed while you were reading it",
                P("The version on this page is not the one you opened, so we did not record a signature. Nothing was changed.") +
                P("Open the link from your email again to read the current version."));
        if (errors.Count > 0) return Render(link, version, doc!, errors, name, consent) with { Status = 400 };

        var http = link.Http;
        var userAgent = http.Request.Headers.UserAgent.ToString();
        var sign = new SignContract(version, name, true,
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            userAgent.Length > 512 ? userAgent[..512] : userAgent,
            doc!.Sha256);
        var signedAt = pages.Now;
        var page = await pages.RaiseAsync(link, sign, link.Key("sign"), () => new Page(200, "Your agreement is signed",
            $"""
            <div class="panel" role="status">
            <p class="lead">Thank you, {H(name)}. You signed version {version} of your coaching agreement on {H(Date(signedAt))}.</p>
            </div>
            <p>Document fingerprint (SHA-256): <span class="hash">{H(doc.Sha256)}</span></p>
            <p>{H(link.CoachName)} has been told. Next you will get an email with a questionnaire that helps you both prepare for your first session.</p>
            <p>You can close this page.</p>
            """), ct);
        if (page.Status == 200) await pages.Links.MarkUsedAsync(link.Grant, ct);
        return page;
    }

    private static async Task<(int Version, StoredDocument? Doc, Page? Stop)> OpenAsync(ClientLink link, ClientPagesHandler pages, CancellationToken ct)
    {
        var s = link.State;
        var version = VersionOf(link);
        if (Finished(link) is { } finished) return (version, null, finished);
        if (s.SignedContractVersion >= version)
        {
            var signature = s.Signatures.LastOrDefault(x => x.ContractVersion == version);
            return (version, null, StandardPages.AlreadyDone("You have already signed this agreement",
                signature is null
                    ? $"Version {version} of your coaching agreement is signed. Your coach has been told."
                    : $"Version {version} of your coaching agreement was signed on {Date(signature.SignedAt)}. Your coach has been told."));
        }
        if (version != s.ContractVersion)
            return (version, null, StandardPages.AlreadyDone("There is a newer version of this agreement",
                $"This link is for version {version}, but your coach has since sent version {s.ContractVersion}. Please use the link in the most recent email."));
        if (s.Phase == EngagementPhase.ContractExpired)
            return (version, null, new Page(410, "This agreement has expired",
                P("The time to sign this version of the agreement has passed, so it can no longer be signed. Nothing was changed.") +
                P($"Reply to the email from {link.CoachName} and ask them to send the agreement again.")));
        var doc = await pages.Documents.ReadAsync(link.EngagementId, $"contract-v{version}", ct);
        return doc is null ? (version, null, StandardPages.NotReady("The agreement")) : (version, doc, null);
    }

    private static Page Render(ClientLink link, int version, StoredDocument doc, IReadOnlyList<FieldError> errors, string? name, bool consent)
    {
        var consentError = errors.FirstOrDefault(e => e.Field == "consent");
        var expires = link.State.ContractExpiresAt is { } at ? $" Please sign by {Date(at)}." : "";
        var body = $"""
            {ErrorSummary(errors)}
            <p class="lead">{H(link.CoachName)} has prepared your coaching agreement. Please read it, then sign it below.{H(expires)}</p>
            <h2>The agreement (version {version})</h2>
            {DocumentContent($"Coaching agreement, version {version}", doc.Html, $"/c/{link.Token}/document")}
            <p class="meta">Document fingerprint (SHA-256), recorded with your signature so it is always clear which text you signed:
            <span class="hash">{H(doc.Sha256)}</span></p>
            <h2>Sign</h2>
            {Form(link, $"""
                <input type="hidden" name="document-sha256" value="{H(doc.Sha256)}">
                {TextInput("full-name", "Your full name", name, errors.FirstOrDefault(e => e.Field == "full-name"),
                    "Typing your name here is your signature.", autocomplete: "name", maxLength: MaxName)}
                <div class="field{(consentError is null ? "" : " has-error")}">
                {(consentError is null ? "" : $"<p class=\"error-message\" id=\"{FieldId("consent")}-error\">{H(consentError.Message)}</p>")}
                <div class="choice"><input type="checkbox" id="{FieldId("consent")}" name="consent" value="yes"{(consent ? " checked" : "")}{(consentError is null ? "" : $" aria-describedby=\"{FieldId("consent")}-error\" aria-invalid=\"true\"")}>
                <label for="{FieldId("consent")}">I have read this agreement and I agree to it.</label></div>
                </div>
                <p class="meta">When you sign, we record your name, the time, your IP address, your browser and the fingerprint above.</p>
                {Button("Sign the agreement")}
                """)}
            """;
        return new Page(200, "Review and sign your coaching agreement", body);
    }
}
