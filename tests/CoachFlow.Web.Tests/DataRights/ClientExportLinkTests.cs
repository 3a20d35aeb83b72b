using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CoachFlow.Web.DataRights;
using CoachFlow.Web.Links;
using Microsoft.Extensions.Time.Testing;

namespace CoachFlow.Web.Tests.DataRights;

/// <summary>
/// The client's own copy: the coach asks, the client gets an email with a link and nothing else, the link opens a page
/// (a GET uses nothing up), and the page's button downloads every engagement of the client in the firm without the
/// coach's private notes. Bad links get the clear pages every client link gets.
/// </summary>
[Collection(ExportCollection.Name)]
public sealed class ClientExportLinkTests(ExportFixture fx)
{
    [Fact]
    public async Task GivenAWholeEngagement_WhenTheCoachSendsTheClientTheirLink_ThenTheEmailHoldsOnlyTheLinkAndTheButtonDownloadsTheClientsEngagementsWithoutPrivateNotes()
    {
        var id = await fx.WholeEngagementAsync();
        var second = await fx.SecondEngagementAsync();
        var firmCopy = await ExportFixture.ZipAsync(await fx.AdminA.GetAsync($"/api/engagements/{id}/export"));

        using var asked = await fx.CleoApi.PostAsync($"/api/engagements/{id}/client-export-link", null);

        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        var answer = await asked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("the client's address on the engagement", answer.GetProperty("sentTo").GetString());
        Assert.InRange(answer.GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(6.9), DateTimeOffset.UtcNow.AddDays(7.1));
        Assert.DoesNotContain(fx.ClientEmail, await asked.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // The email: to the client, a link, and none of their records.
        var email = await fx.EmailAsync(id, "client-data-export");
        Assert.Equal(fx.ClientEmail, email.To);
        var link = ExportFixture.LinkIn(email.Text);
        Assert.Contains(link, email.Html, StringComparison.Ordinal);
        foreach (var text in new[] { email.Text, email.Html, email.Subject })
            foreach (var secret in new[] { ExportFixture.IntakeAnswer, ExportFixture.Learning, ExportFixture.SharedNotes, ExportFixture.PrivateNotes, "renewable energy" })
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);

        // GET shows the page, and downloads nothing.
        using var browser = fx.Browser();
        using var page = await browser.GetAsync(new Uri(link));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>Download a copy of your coaching records</h1>", html, StringComparison.Ordinal);
        Assert.Contains("all 2 of your coaching engagements", html, StringComparison.Ordinal);
        Assert.Contains("private notes", html, StringComparison.Ordinal);
        Assert.Contains(">Download my data</button>", html, StringComparison.Ordinal);

        // A POST without the form's antiforgery token is refused; with it, the ZIP streams.
        using var forged = await browser.PostAsync(new Uri(link), new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("Please try that again", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var zip = await ExportFixture.ZipAsync(await browser.PostAsync(new Uri(link), new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = ExportFixture.Csrf(html) })));

        var manifest = zip.Manifest;
        Assert.Equal(("client", "client"), (manifest.GetProperty("audience").GetString(), manifest.GetProperty("requestedBy").GetProperty("role").GetString()));
        Assert.Equal(new[] { id, second }.Order(StringComparer.Ordinal),
            manifest.GetProperty("engagements").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        Assert.Contains(manifest.GetProperty("leftOut").EnumerateArray(), o => o.GetProperty("what").GetString()!.Contains("privateCoachNotes", StringComparison.Ordinal));
        Assert.DoesNotContain(zip.All, f => f.Text.Contains(ExportFixture.PrivateNotes, StringComparison.Ordinal));
        Assert.DoesNotContain(zip.All, f => f.Text.Contains("privateCoachNotes", StringComparison.Ordinal) && f.Name != "manifest.json" && f.Name != "README.md");
        Assert.Contains(zip.All, f => f.Text.Contains(ExportFixture.SharedNotes, StringComparison.Ordinal));
        Assert.Contains(zip.All, f => f.Text.Contains(ExportFixture.IntakeAnswer, StringComparison.Ordinal));
        var privateDocuments = firmCopy.Documents(id).Where(n => n.EndsWith("-coach-notes", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, privateDocuments.Count);
        Assert.Equal(firmCopy.Documents(id).Except(privateDocuments).Order(StringComparer.Ordinal), zip.Documents(id).Order(StringComparer.Ordinal));
        Assert.Equal(firmCopy.Json($"engagements/{id}/timeline.json").GetProperty("events").GetArrayLength(),
            zip.Json($"engagements/{id}/timeline.json").GetProperty("events").GetArrayLength());

        // The link works again (it is not single-use), and the logs hold no address, link, answer or note.
        var again = await ExportFixture.ZipAsync(await browser.PostAsync(new Uri(link), new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = ExportFixture.Csrf(html) })));
        Assert.Equal(zip.Names, again.Names);
        var token = link[(link.IndexOf("/c/", StringComparison.Ordinal) + 3)..];
        foreach (var secret in new[] { fx.ClientEmail, token, ExportFixture.IntakeAnswer, ExportFixture.PrivateNotes, ExportFixture.SharedNotes })
            Assert.DoesNotContain(secret, fx.App.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"Data export link for engagement {id} emailed to its client", fx.App.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenForgedExpiredAndErasedEngagementLinks_WhenOpenedOrPosted_ThenEachGetsItsClearPageAndNoZIP()
    {
        var id = await fx.StartAsync(fx.CleoApi, $"hal-{Guid.NewGuid():N}@client.test");
        (await fx.CleoApi.PostAsync($"/api/engagements/{id}/client-export-link", null)).EnsureSuccessStatusCode();
        var link = ExportFixture.LinkIn((await fx.EmailAsync(id, "client-data-export")).Text);
        var signer = new LinkSigner(Encoding.UTF8.GetBytes(ExportFixture.SigningKey), fx.Storage.Table("tenancy"), new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-8)));
        var expired = $"{fx.App.Client.BaseAddress}c/{signer.Sign(id, ClientExportLinks.Purpose, null, ClientExportLinks.Lifetime)}";
        using var browser = fx.Browser();

        await PageAsync(browser, Tamper(link), HttpStatusCode.Forbidden, "This link is not valid");
        await PageAsync(browser, expired, HttpStatusCode.Gone, "This link has expired");
        await PageAsync(browser, $"{fx.App.Client.BaseAddress}c/not-a-token", HttpStatusCode.BadRequest, "This link is incomplete");
        using var postedExpired = await browser.PostAsync(new Uri(expired), new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = "x" }));
        Assert.Equal(HttpStatusCode.Gone, postedExpired.StatusCode);
        Assert.Equal("text/html", postedExpired.Content.Headers.ContentType?.MediaType);

        // The engagement erased: the link leads nowhere, and says so.
        var html = await (await browser.GetAsync(new Uri(link))).Content.ReadAsStringAsync();
        (await fx.AdminA.DeleteAsync($"/api/engagements/{id}?confirm={id}")).EnsureSuccessStatusCode();
        await PageAsync(browser, link, HttpStatusCode.NotFound, "This coaching engagement is no longer here");
        using var postedErased = await browser.PostAsync(new Uri(link), new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = ExportFixture.Csrf(html) }));
        Assert.Equal(HttpStatusCode.NotFound, postedErased.StatusCode);
        Assert.Equal("text/html", postedErased.Content.Headers.ContentType?.MediaType);
    }

    private static async Task PageAsync(HttpClient browser, string url, HttpStatusCode status, string title)
    {
        using var response = await browser.GetAsync(new Uri(url));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<h1>{title}</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Changes one character of the link's signature, keeping it valid base64url.</summary>
    private static string Tamper(string link)
    {
        var dot = link.LastIndexOf('.');
        var i = dot + (link.Length - dot) / 2;
        return link[..i] + (link[i] == 'A' ? 'B' : 'A') + link[(i + 1)..];
    }
}
