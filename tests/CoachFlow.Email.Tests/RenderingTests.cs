using CoachFlow.Email.Rendering;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Email.Tests;

public sealed class RenderingTests
{
    private static readonly EmailRenderer Renderer = new();
    private const string Script = "<script>alert(1)</script>";

    public static TheoryData<string> AllKinds() => [.. EmailKinds.All, .. AccountEmailKinds.All];

    /// <summary>The kinds that go to the coach, who is greeted by name.</summary>
    private static readonly string[] ToTheCoach = [EmailKinds.PreSessionBrief, EmailKinds.SupportRequested, EmailKinds.MaintenancePlanChangesRequested];

    [Fact]
    public void GivenTheEngagementVocabulary_WhenTheRendererLoads_ThenEveryKindHasTemplates()
    {
        Assert.Equal(EmailKinds.All.Concat(AccountEmailKinds.All).Order(StringComparer.Ordinal), Renderer.Kinds.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void GivenAKind_WhenRendered_ThenSubjectLinkAndBrandingAreInBothParts(string kind)
    {
        var link = new Uri($"https://app.northwind.test/c/{kind}?t=eyJhbGciOi.payload.sig");
        var email = Renderer.Render(new EmailModel(kind, "Jordan", "Ana Ruiz", TestData.Branding, link, TestData.Session));

        Assert.False(string.IsNullOrWhiteSpace(email.Subject));
        Assert.DoesNotContain("{", email.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', email.Subject);
        Assert.Contains(link.AbsoluteUri, email.Html, StringComparison.Ordinal);
        Assert.Contains(link.AbsoluteUri, email.Text, StringComparison.Ordinal);
        Assert.Contains($"href=\"{link.AbsoluteUri}\"", email.Html, StringComparison.Ordinal);
        Assert.Contains("Northwind Coaching", email.Html, StringComparison.Ordinal);
        Assert.Contains("Northwind Coaching", email.Text, StringComparison.Ordinal);
        Assert.Contains("#0B6E4F", email.Html, StringComparison.Ordinal);
        Assert.Contains("src=\"https://cdn.northwind.test/logo.png\"", email.Html, StringComparison.Ordinal);
        Assert.Contains("Ana Ruiz", email.Text, StringComparison.Ordinal);
        Assert.Contains(ToTheCoach.Contains(kind) ? "Hi Ana Ruiz," : "Hi Jordan,", email.Text, StringComparison.Ordinal);
        // Nothing left unrendered.
        Assert.DoesNotContain("{{", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("{%", email.Text, StringComparison.Ordinal);
        Assert.StartsWith("<!DOCTYPE html>", email.Html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void GivenScriptInNames_WhenRendered_ThenTheHtmlHoldsItEncodedNeverRaw(string kind)
    {
        var link = new Uri("https://app.northwind.test/c/x?t=abc");
        var email = Renderer.Render(new EmailModel(kind, Script, $"Ana {Script}", TestData.Branding, link, TestData.Session));

        Assert.DoesNotContain("<script", email.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", email.Html, StringComparison.Ordinal);
        // The text part is text/plain: shown as typed, never interpreted.
        Assert.Contains(Script, email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenANudgeWithMarkupInTheCoachsMessage_WhenRendered_ThenTheHtmlEncodesItAndTheLinkSaysWhatItOpens()
    {
        var email = Renderer.Render(new EmailModel(EmailKinds.ClientNudge, "Jordan", "Ana Ruiz", TestData.Branding, new Uri("https://a.test/c/intake?t=1"),
            CoachMessage: $"Any news? {Script}", PendingWhat: "the pre-coaching questionnaire"));

        Assert.Equal("A note from Ana Ruiz", email.Subject);
        Assert.DoesNotContain("<script", email.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Any news? &lt;script&gt;", email.Html, StringComparison.Ordinal);
        Assert.Contains($"Any news? {Script}", email.Text, StringComparison.Ordinal);
        Assert.Contains("opens the pre-coaching questionnaire", email.Text, StringComparison.Ordinal);
        Assert.Contains("https://a.test/c/intake?t=1", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenANudgeWithoutAnythingPending_WhenRendered_ThenItAsksForAReplyAndHasNoLink()
    {
        var email = Renderer.Render(new EmailModel(EmailKinds.ClientNudge, "Jordan", "Ana Ruiz", TestData.Branding, null, CoachMessage: "Shall we book our next session?"));

        Assert.Contains("Shall we book our next session?", email.Text, StringComparison.Ordinal);
        Assert.Contains("reply to this email", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("/c/", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAFirmNameWithMarkup_WhenRendered_ThenItIsEncodedInTheHtml()
    {
        var branding = TestData.Branding with { FirmName = "Acme <b onmouseover=\"x()\">Coaching</b>" };
        var email = Renderer.Render(new EmailModel(EmailKinds.ContractInvitation, "Jordan", "Ana", branding, new Uri("https://a.test/x")));
        Assert.DoesNotContain("<b onmouseover", email.Html, StringComparison.Ordinal);
        Assert.Contains("Acme &lt;b onmouseover=", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAContractInvitation_WhenRendered_ThenTheSubjectNamesTheCoach()
    {
        var email = Renderer.Render(new EmailModel(EmailKinds.ContractInvitation, "Jordan", "Ana Ruiz", TestData.Branding, new Uri("https://a.test/sign?t=1")));
        Assert.Equal("Ana Ruiz sent you your coaching agreement", email.Subject);
        Assert.Contains("Review and sign the agreement", email.Html, StringComparison.Ordinal);
        Assert.Contains("<title>Ana Ruiz sent you your coaching agreement</title>", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenASessionConfirmation_WhenRendered_ThenTheTimeIsInTheSessionZone()
    {
        // 12:00 UTC on 31 March 2026 is 14:00 in Paris (summer time began on 29 March).
        var email = Renderer.Render(new EmailModel(EmailKinds.SessionConfirmation, "Jordan", "Ana Ruiz", TestData.Branding, new Uri("https://a.test/s"), TestData.Session));
        Assert.Equal("Session 2 with Ana Ruiz is confirmed", email.Subject);
        Assert.Contains("Tuesday 31 March 2026, 14:00–15:00 (Europe/Paris)", email.Text, StringComparison.Ordinal);
        Assert.Contains("Tuesday 31 March 2026, 14:00–15:00 (Europe/Paris)", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenASessionInNewYork_WhenFormatted_ThenItShowsLocalTime()
    {
        var session = new SessionTime(1, new DateTimeOffset(2026, 1, 15, 14, 30, 0, TimeSpan.Zero), TimeSpan.FromMinutes(45), "America/New_York");
        Assert.Equal("Thursday 15 January 2026, 09:30–10:15 (America/New_York)", EmailRenderer.FormatSession(session));
    }

    [Fact]
    public void GivenAKindWithoutALink_WhenRendered_ThenThereIsNoButton()
    {
        var email = Renderer.Render(new EmailModel(EmailKinds.EngagementPaused, "Jordan", "Ana Ruiz", TestData.Branding, ActionUrl: null));
        Assert.DoesNotContain("<a ", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", email.Text, StringComparison.Ordinal);
        Assert.Equal("Your coaching is on pause", email.Subject);
    }

    [Fact]
    public void GivenNoLogo_WhenRendered_ThenTheFirmNameHeadsTheEmail()
    {
        var email = Renderer.Render(new EmailModel(EmailKinds.Graduation, "Jordan", "Ana", TestData.Branding with { LogoUrl = null }, new Uri("https://a.test/p")));
        Assert.DoesNotContain("<img", email.Html, StringComparison.Ordinal);
        Assert.Contains(">Northwind Coaching</p>", email.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("red")]
    [InlineData("#0B6E4F;background:url(https://evil.test)")]
    [InlineData("#12345")]
    [InlineData("")]
    public void Given_a_colour_that_is_not_six_hex_digits_When_rendering_Then_it_is_refused(string colour)
    {
        var model = new EmailModel(EmailKinds.ContractInvitation, "Jordan", "Ana", TestData.Branding with { PrimaryColor = colour }, new Uri("https://a.test/x"));
        var error = Assert.Throws<ArgumentException>(() => Renderer.Render(model));
        Assert.Contains("colour", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://cdn.northwind.test/logo.png")]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:image/png;base64,AAAA")]
    public void Given_a_logo_that_is_not_https_When_rendering_Then_it_is_refused(string logo)
    {
        var model = new EmailModel(EmailKinds.ContractInvitation, "Jordan", "Ana", TestData.Branding with { LogoUrl = new Uri(logo) }, new Uri("https://a.test/x"));
        Assert.Throws<ArgumentException>(() => Renderer.Render(model));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("http://app.northwind.test/c/x")]
    [InlineData("ftp://a.test/x")]
    public void Given_a_link_that_is_not_https_When_rendering_Then_it_is_refused(string link)
    {
        var model = new EmailModel(EmailKinds.ContractInvitation, "Jordan", "Ana", TestData.Branding, new Uri(link));
        Assert.Throws<ArgumentException>(() => Renderer.Render(model));
    }

    [Fact]
    public void GivenALocalHttpLink_WhenRendering_ThenItIsAccepted()
    {
        var email = Renderer.Render(new EmailModel(EmailKinds.ContractInvitation, "Jordan", "Ana", TestData.Branding, new Uri("http://127.0.0.1:7071/c/sign?t=1")));
        Assert.Contains("http://127.0.0.1:7071/c/sign?t=1", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenASessionKindWithoutItsSession_WhenRendering_ThenItIsRefused()
    {
        var model = new EmailModel(EmailKinds.SessionReminder, "Jordan", "Ana", TestData.Branding, new Uri("https://a.test/x"));
        Assert.Throws<ArgumentException>(() => Renderer.Render(model));
    }

    [Fact]
    public void GivenAnUnknownKind_WhenRendering_ThenItIsRefused()
    {
        var model = new EmailModel("welcome-bonus", "Jordan", "Ana", TestData.Branding, new Uri("https://a.test/x"));
        Assert.Throws<ArgumentException>(() => Renderer.Render(model));
    }
}
