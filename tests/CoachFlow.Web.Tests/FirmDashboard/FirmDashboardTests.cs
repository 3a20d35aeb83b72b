using System.Net;
using System.Text;
using Azure.Data.Tables;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.Tests.FirmDashboard;

/// <summary>The firm dashboard through the real host: sign-in by emailed link (maildev), the session cookie, the pages and their CSVs.</summary>
public sealed class FirmDashboardTests(FirmDashboardFixture fx) : IClassFixture<FirmDashboardFixture>
{
    private static Uri U(string path) => new(path, UriKind.Relative);

    private static async Task<string[][]> CsvAsync(HttpClient browser, string path)
    {
        var response = await browser.GetAsync(U(path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/csv", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF');
        return [.. text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(','))];
    }

    [Fact]
    public async Task GivenAFirmAdmin_WhenTheySignInByTheEmailedLink_ThenASessionCookieOpensTheDashboardUntilTheySignOut()
    {
        var browser = fx.Browser();
        var asked = await FirmDashboardFixture.AskForLinkAsync(browser, fx.AdminA.Email);
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("Check your email", await asked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var email = (await fx.WaitForEmailAsync(fx.AdminA.Email, 1))[^1];
        Assert.Equal("firm-sign-in", email.Kind);
        Assert.Contains("Firm A", email.Subject, StringComparison.Ordinal);
        var link = FirmDashboardFixture.LinkIn(email.Text);
        Assert.Contains(link, email.Html, StringComparison.Ordinal);

        // The link's page only shows a button: opening it (as a mail scanner would) neither signs in nor uses the link up.
        var landing = await browser.GetAsync(new Uri(link));
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
        Assert.Equal("no-referrer", landing.Headers.GetValues("Referrer-Policy").Single());
        Assert.False(landing.Headers.Contains("Set-Cookie") && landing.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("cf-firm=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(U("/firm"))).StatusCode);

        var session = await FirmDashboardFixture.UseLinkAsync(browser, link);
        Assert.Equal(HttpStatusCode.SeeOther, session.StatusCode);
        Assert.Equal("/firm", session.Headers.Location?.OriginalString);
        var cookie = session.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cf-firm=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/firm", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("expires=", cookie, StringComparison.OrdinalIgnoreCase);

        var dashboard = await browser.GetAsync(U("/firm"));
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("<h1>Firm dashboard</h1>", html, StringComparison.Ordinal);
        Assert.Contains("Signed in as Ada Admin", html, StringComparison.Ordinal);
        Assert.DoesNotContain("cfl_", html, StringComparison.Ordinal);
        Assert.DoesNotContain("cfs_", html, StringComparison.Ordinal);

        // The link works once.
        var again = await FirmDashboardFixture.UseLinkAsync(fx.Browser(), link);
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Contains("already been used", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Signing out ends the session on the server: the same cookie, sent again, opens nothing.
        var cookieValue = cookie.Split(';')[0];
        var signOutForm = FirmDashboardFixture.Csrf(html);
        var signedOut = await browser.PostAsync(U("/firm/sign-out"), new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = signOutForm }));
        Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);
        Assert.Contains("You are signed out", await signedOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var replay = new HttpRequestMessage(HttpMethod.Get, new Uri(fx.App.Client.BaseAddress!, "/firm"));
        replay.Headers.Add("Cookie", cookieValue);
        using var plain = new HttpClient();
        var replayed = await plain.SendAsync(replay);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains("Please sign in", await replayed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Neither the address nor a token reached the logs.
        Assert.DoesNotContain(fx.AdminA.Email, fx.App.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cfl_", fx.App.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("cfs_", fx.App.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAnUnknownAddressAndACoach_WhenTheyAskForALink_ThenTheyGetTheSamePageAsAnAdminAndNoEmail()
    {
        var admin = await (await FirmDashboardFixture.AskForLinkAsync(fx.Browser(), fx.AdminB.Email)).Content.ReadAsStringAsync();
        var unknown = await FirmDashboardFixture.AskForLinkAsync(fx.Browser(), "nobody@nowhere.example");
        var coach = await FirmDashboardFixture.AskForLinkAsync(fx.Browser(), fx.Cleo.Email);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, coach.StatusCode);
        Assert.Equal(admin, await unknown.Content.ReadAsStringAsync());
        Assert.Equal(admin, await coach.Content.ReadAsStringAsync());

        // The transport is called within the request, so the admin's email is in maildev by now; give it a moment anyway.
        await fx.WaitForEmailAsync(fx.AdminB.Email, 1);
        await Task.Delay(500);
        Assert.Empty(await fx.SignInEmailsAsync("nobody@nowhere.example"));
        Assert.Empty(await fx.SignInEmailsAsync(fx.Cleo.Email));
    }

    [Fact]
    public async Task GivenManyRequestsForOneAddress_WhenTheLimitIsReached_ThenNoMoreLinksAreSentAndThePageIsUnchanged()
    {
        var pages = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var response = await FirmDashboardFixture.AskForLinkAsync(fx.Browser(), fx.SponsorRita.Email);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            pages.Add(await response.Content.ReadAsStringAsync());
        }
        Assert.Single(pages.Distinct());
        await fx.WaitForEmailAsync(fx.SponsorRita.Email, FirmDashboardFixture.LinksPerWindow);
        await Task.Delay(500);
        Assert.Equal(FirmDashboardFixture.LinksPerWindow, (await fx.SignInEmailsAsync(fx.SponsorRita.Email)).Count);
    }

    [Fact]
    public async Task GivenAnExpiredLinkOrSession_WhenUsed_Then410And401PagesSayWhy()
    {
        var browser = fx.Browser();
        var before = (await fx.SignInEmailsAsync(fx.SponsorSue.Email)).Count;
        await FirmDashboardFixture.AskForLinkAsync(browser, fx.SponsorSue.Email);
        var link = FirmDashboardFixture.LinkIn((await fx.WaitForEmailAsync(fx.SponsorSue.Email, before + 1))[^1].Text);
        var secret = link[(link.LastIndexOf('/') + 1)..];
        // Fifteen minutes pass: the stored expiry moves into the past.
        await fx.Access.UpdateEntityAsync(new TableEntity("link", TenancyStore.Hash(secret)) { ["ExpiresAt"] = DateTimeOffset.UtcNow.AddMinutes(-1) }, Azure.ETag.All, TableUpdateMode.Merge);
        var expired = await FirmDashboardFixture.UseLinkAsync(browser, link);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var signedIn = await fx.SignInAsync(fx.SponsorSue.Email);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync(U("/firm"))).StatusCode);
        // Eight hours pass: every session row of the test's store expires.
        await foreach (var row in fx.Access.QueryAsync<TableEntity>("PartitionKey eq 'session'"))
            await fx.Access.UpdateEntityAsync(new TableEntity("session", row.RowKey) { ["ExpiresAt"] = DateTimeOffset.UtcNow.AddMinutes(-1) }, Azure.ETag.All, TableUpdateMode.Merge);
        var afterExpiry = await signedIn.GetAsync(U("/firm"));
        Assert.Equal(HttpStatusCode.Unauthorized, afterExpiry.StatusCode);
        Assert.Contains("session may have ended", await afterExpiry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenBadInput_WhenPosted_Then4xxPagesWithAReason()
    {
        var empty = await FirmDashboardFixture.AskForLinkAsync(fx.Browser(), "");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("Enter your email address.", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var malformed = await FirmDashboardFixture.AskForLinkAsync(fx.Browser(), "ada at a.example");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var malformedHtml = await malformed.Content.ReadAsStringAsync();
        Assert.Contains("name@example.com", malformedHtml, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", malformedHtml, StringComparison.Ordinal);

        var noCsrf = await FirmDashboardFixture.AskForLinkAsync(fx.Browser(), fx.AdminA.Email, withCsrf: false);
        Assert.Equal(HttpStatusCode.BadRequest, noCsrf.StatusCode);
        Assert.Contains("Please try that again", await noCsrf.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        foreach (var token in new[] { "cfl_doesnotexist", "", "not a token", new string('x', 500) })
        {
            var bad = await FirmDashboardFixture.UseLinkAsync(fx.Browser(), new Uri(fx.App.Client.BaseAddress!, "/firm/sign-in/" + Uri.EscapeDataString(token.Length == 0 ? "x" : token)).AbsoluteUri);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("not valid", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var notForm = await fx.Browser().PostAsync(U("/firm/session"), new StringContent("{\"token\":\"x\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notForm.StatusCode);
        Assert.Contains("could not read that form", await notForm.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var anonymous = fx.Browser();
        foreach (var path in new[] { "/firm", "/firm/csv/phases", "/firm/cohorts/cohort-spring" })
        {
            var response = await anonymous.GetAsync(U(path));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Please sign in", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var forged = await SendWithCookie("/firm", "cf-firm=cfs_forged");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    private async Task<HttpResponseMessage> SendWithCookie(string path, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fx.App.Client.BaseAddress!, path));
        request.Headers.Add("Cookie", cookie);
        using var plain = new HttpClient();
        return await plain.SendAsync(request);
    }

    [Fact]
    public async Task GivenAFirmWithEngagementsInSeveralPhases_WhenItsAdminOpensTheDashboard_ThenTheCountsChartsAndCsvsAgree()
    {
        var admin = await fx.SignInAsync(fx.AdminA.Email);
        var html = await admin.GetStringAsync(U("/firm"));
        Assert.Contains("All 6 coaching engagements of Firm A", html, StringComparison.Ordinal);
        Assert.Equal(4, CountOf(html, "role=\"img\"")); // phases, coach load, cohorts, progress
        Assert.Contains("<title id=\"chart-phases-t\">Engagements by phase</title>", html, StringComparison.Ordinal);
        Assert.Contains("Contract: 2; Intake: 1; Sessions: 1; Reassessment: 1; Closed: 1.", html, StringComparison.Ordinal);
        Assert.Contains("<strong>1</strong> overdue", html, StringComparison.Ordinal);
        Assert.Contains("<strong>2</strong> stalled", html, StringComparison.Ordinal);
        Assert.Contains("<strong>1</strong> email bouncing", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Bruno B", html, StringComparison.Ordinal); // firm B's
        Assert.DoesNotContain(FirmDashboardFixture.RealGoal, html, StringComparison.Ordinal);

        Assert.Equal([["Phase", "Engagements"], ["Contract", "2"], ["Intake", "1"], ["Sessions", "1"], ["Reassessment", "1"], ["Closed", "1"]],
            await CsvAsync(admin, "/firm/csv/phases"));
        var attention = await CsvAsync(admin, "/firm/csv/attention");
        Assert.Equal(["Client", "Coach", "Phase", "Waiting for", "Due", "Overdue", "Stalled", "Email bouncing"], attention[0]);
        Assert.Equal(["Bea Bounce", "Fay Flat", "Olga Overdue", "Stan Stalled"], attention[1..].Select(r => r[0]).Order().ToArray());
        Assert.Equal("Olga Overdue", attention[1][0]); // overdue first
        Assert.Equal(["Olga Overdue", "Cleo Coach", "Contract", "Client signature"], attention[1][..4]);
        Assert.Equal(["Yes", "No", "No"], attention[1][5..]);
        Assert.Equal(["No", "No", "Yes"], attention.Single(r => r[0] == "Bea Bounce")[5..]);

        Assert.Equal([["Coach", "Running", "Overdue", "Flagged"], ["Cleo Coach", "4", "1", "2"], ["Omar Coach", "1", "0", "1"]],
            await CsvAsync(admin, "/firm/csv/coaches"));
        Assert.Equal([["Cohort", "Engagements", "Signed", "Completed intake", "Held a session", "Graduated"],
            ["Autumn managers", "1", "1", "1", "1", "1"], ["Spring leaders", "3", "2", "1", "1", "0"]],
            await CsvAsync(admin, "/firm/csv/cohorts"));
        Assert.Equal([["Change since baseline", "Engagements"], ["Below −1", "0"], ["From −1 to 0", "1"], ["From 0 to +1", "0"], ["From +1 to +2", "1"], ["From +2 to +3", "0"], ["At least +3", "1"]],
            await CsvAsync(admin, "/firm/csv/progress"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(U("/firm/csv/answers"))).StatusCode);
    }

    [Fact]
    public async Task GivenASponsor_WhenTheyOpenTheDashboard_ThenTheySeeOnlyTheEngagementsTheySponsorAndNoCoachLoad()
    {
        var sponsor = await fx.SignInAsync(fx.SponsorSam.Email);
        var html = await sponsor.GetStringAsync(U("/firm"));
        Assert.Contains("<h1>Your sponsored coaching</h1>", html, StringComparison.Ordinal);
        Assert.Contains("The 4 coaching engagements you sponsor at Firm A", html, StringComparison.Ordinal);
        foreach (var other in new[] { "Bea Bounce", "Gil Graduate", "Bruno B", "Each coach", FirmDashboardFixture.RealGoal })
            Assert.DoesNotContain(other, html, StringComparison.Ordinal);

        Assert.Equal([["Phase", "Engagements"], ["Contract", "2"], ["Intake", "1"], ["Reassessment", "1"]], await CsvAsync(sponsor, "/firm/csv/phases"));
        Assert.Equal(["Fay Flat", "Olga Overdue", "Stan Stalled"], (await CsvAsync(sponsor, "/firm/csv/attention"))[1..].Select(r => r[0]).Order().ToArray());
        Assert.Equal([["Cohort", "Engagements", "Signed", "Completed intake", "Held a session", "Graduated"], ["Spring leaders", "2", "1", "0", "0", "0"]],
            await CsvAsync(sponsor, "/firm/csv/cohorts"));
        Assert.Equal(HttpStatusCode.NotFound, (await sponsor.GetAsync(U("/firm/csv/coaches"))).StatusCode);

        // A cohort where they sponsor nobody is not theirs to see.
        Assert.Equal(HttpStatusCode.NotFound, (await sponsor.GetAsync(U("/firm/cohorts/cohort-autumn"))).StatusCode);
        var spring = await sponsor.GetStringAsync(U("/firm/cohorts/cohort-spring"));
        Assert.Contains("Stan Stalled", spring, StringComparison.Ordinal);
        Assert.DoesNotContain("Bea Bounce", spring, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenACohort_WhenOpenedByItsFirmOrAnother_ThenItsPageAndCsvOr404()
    {
        var admin = await fx.SignInAsync(fx.AdminA.Email);
        var page = await admin.GetAsync(U("/firm/cohorts/cohort-spring"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Cohort: Spring leaders</h1>", html, StringComparison.Ordinal);
        Assert.Contains("role=\"img\"", html, StringComparison.Ordinal);
        var rows = await CsvAsync(admin, "/firm/cohorts/cohort-spring/csv");
        Assert.Equal(["Client", "Coach", "Phase", "Signed", "Completed intake", "Sessions held", "Graduated", "Change since baseline"], rows[0]);
        Assert.Equal([["Bea Bounce", "Omar Coach", "Sessions", "Yes", "Yes", "2", "No", "1.5"], ["Olga Overdue", "Cleo Coach", "Contract", "No", "No", "0", "No", ""],
            ["Stan Stalled", "Cleo Coach", "Intake", "Yes", "No", "0", "No", ""]], rows[1..]);

        foreach (var path in new[] { $"/firm/cohorts/{FirmDashboardFixture.CohortBId}", $"/firm/cohorts/{FirmDashboardFixture.CohortBId}/csv", "/firm/cohorts/no-such-cohort", "/firm/cohorts/%27%20or%201", "/firm/cohorts/" + new string('c', 300) })
        {
            var response = await admin.GetAsync(U(path));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        // Firm B's own admin sees it.
        var adminB = await fx.SignInAsync(fx.AdminB.Email);
        Assert.Contains("Firm B leaders", await adminB.GetStringAsync(U($"/firm/cohorts/{FirmDashboardFixture.CohortBId}")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync(U("/firm/cohorts/cohort-spring"))).StatusCode);
    }

    private static int CountOf(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
