using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CoachFlow.Web.Tests.DataRights;

/// <summary>
/// Who may export what: a firm admin anything of their firm, a coach their own engagements, a sponsor nothing (403),
/// another firm nothing of this one (404, never 403); and every bad request a 4xx problem with a reason.
/// </summary>
[Collection(ExportCollection.Name)]
public sealed class ExportScopingTests(ExportFixture fx)
{
    [Fact]
    public async Task GivenAFirmAdmin_WhenExportingAnyEngagementOrTheFirm_ThenEachZIPHoldsExactlyItsScope()
    {
        var cleos = await fx.StartAsync(fx.CleoApi, $"ana-{Guid.NewGuid():N}@client.test");
        var omars = await fx.StartAsync(fx.OmarApi, $"ben-{Guid.NewGuid():N}@client.test");

        var one = await ExportFixture.ZipAsync(await fx.AdminA.GetAsync($"/api/engagements/{omars}/export"));
        var firm = await ExportFixture.ZipAsync(await fx.AdminA.GetAsync("/api/export"));

        Assert.Equal([omars], Ids(one));
        Assert.Equal("engagement", one.Manifest.GetProperty("scope").GetProperty("kind").GetString());
        Assert.Equal("firm-admin", one.Manifest.GetProperty("requestedBy").GetProperty("role").GetString());
        Assert.Contains(cleos, Ids(firm));
        Assert.Contains(omars, Ids(firm));
        Assert.Equal("firm", firm.Manifest.GetProperty("scope").GetProperty("kind").GetString());
        Assert.All(Ids(firm), id => Assert.Equal(fx.FirmA, firm.Json($"engagements/{id}/engagement.json").GetProperty("firmId").GetString()));
    }

    [Fact]
    public async Task GivenACoach_WhenExporting_ThenTheirOwnEngagementsComeAndAnotherCoachsIsA404()
    {
        var cleos = await fx.StartAsync(fx.CleoApi, $"cara-{Guid.NewGuid():N}@client.test");
        var omars = await fx.StartAsync(fx.OmarApi, $"dev-{Guid.NewGuid():N}@client.test");

        var own = await ExportFixture.ZipAsync(await fx.CleoApi.GetAsync($"/api/engagements/{cleos}/export"));
        var notHers = await fx.CleoApi.GetAsync($"/api/engagements/{omars}/export");
        var all = await ExportFixture.ZipAsync(await fx.CleoApi.GetAsync("/api/export"));

        Assert.Equal([cleos], Ids(own));
        Assert.Contains(omars, await ExportFixture.ProblemAsync(notHers, HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.Contains(cleos, Ids(all));
        Assert.DoesNotContain(omars, Ids(all));
        Assert.All(Ids(all), id => Assert.Equal(fx.Cleo.CoachId, all.Json($"engagements/{id}/engagement.json").GetProperty("coach").GetProperty("id").GetString()));
        Assert.Equal(("coach", fx.Cleo.CoachId), (all.Manifest.GetProperty("scope").GetProperty("kind").GetString(), all.Manifest.GetProperty("scope").GetProperty("coachId").GetString()));
    }

    [Fact]
    public async Task GivenAClientWithEngagementsOfTwoCoaches_WhenExportedByEmailOrClientId_ThenEachCallerGetsWhatTheyMaySee()
    {
        var email = $"eve-{Guid.NewGuid():N}@client.test";
        var cleos = await fx.StartAsync(fx.CleoApi, email);
        var omars = await fx.StartAsync(fx.OmarApi, email.ToUpperInvariant()); // the same client, however the address is written
        var clientId = (await fx.CleoApi.GetFromJsonAsync<JsonElement>($"/api/engagements/{cleos}")).GetProperty("clientId").GetString()!;
        var listed = await fx.AdminA.GetFromJsonAsync<JsonElement>("/api/engagements?pageSize=500");
        Assert.Equal(clientId, listed.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("id").GetString() == omars).GetProperty("clientId").GetString());

        var byAdmin = await ExportFixture.ZipAsync(await fx.AdminA.PostAsJsonAsync("/api/clients/export", new { email }));
        var byCleo = await ExportFixture.ZipAsync(await fx.CleoApi.PostAsJsonAsync("/api/clients/export", new { email }));
        var byId = await ExportFixture.ZipAsync(await fx.OmarApi.GetAsync($"/api/clients/{clientId}/export"));
        var otherFirm = await fx.AdminB.PostAsJsonAsync("/api/clients/export", new { email });
        var otherFirmById = await fx.AdminB.GetAsync($"/api/clients/{clientId}/export");

        Assert.Equal(new[] { cleos, omars }.Order(StringComparer.Ordinal), Ids(byAdmin).Order(StringComparer.Ordinal));
        Assert.Equal(("client", clientId), (byAdmin.Manifest.GetProperty("scope").GetProperty("kind").GetString(), byAdmin.Manifest.GetProperty("scope").GetProperty("clientId").GetString()));
        Assert.Equal([cleos], Ids(byCleo));
        Assert.Equal([omars], Ids(byId));
        await ExportFixture.ProblemAsync(otherFirm, HttpStatusCode.NotFound);
        await ExportFixture.ProblemAsync(otherFirmById, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GivenAnotherFirm_WhenItsAdminAsksForThisFirmsEngagementOrSendsItsClientALink_Then404Never403()
    {
        var id = await fx.StartAsync(fx.CleoApi, $"fay-{Guid.NewGuid():N}@client.test");

        Assert.Contains(id, await ExportFixture.ProblemAsync(await fx.AdminB.GetAsync($"/api/engagements/{id}/export"), HttpStatusCode.NotFound), StringComparison.Ordinal);
        await ExportFixture.ProblemAsync(await fx.AdminB.PostAsync($"/api/engagements/{id}/client-export-link", null), HttpStatusCode.NotFound);
        await ExportFixture.ProblemAsync(await fx.OmarApi.PostAsync($"/api/engagements/{id}/client-export-link", null), HttpStatusCode.NotFound);
        var firmB = await ExportFixture.ProblemAsync(await fx.AdminB.GetAsync("/api/export"), HttpStatusCode.NotFound);
        Assert.Contains("no engagements", firmB, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenASponsor_WhenAskingForAnyExportOrAClientsLink_Then403WithAReason()
    {
        var id = await fx.StartAsync(fx.CleoApi, $"gus-{Guid.NewGuid():N}@client.test");

        HttpResponseMessage[] asked =
        [
            await fx.SponsorA.GetAsync($"/api/engagements/{id}/export"),
            await fx.SponsorA.GetAsync("/api/export"),
            await fx.SponsorA.PostAsJsonAsync("/api/clients/export", new { email = "gus@client.test" }),
            await fx.SponsorA.GetAsync("/api/clients/client-0123456789abcdef/export"),
            await fx.SponsorA.PostAsync($"/api/engagements/{id}/client-export-link", null),
        ];

        foreach (var response in asked)
            Assert.Contains("sponsor", await ExportFixture.ProblemAsync(response, HttpStatusCode.Forbidden), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenBadInput_WhenExporting_ThenEachIsA4xxProblemSayingWhatToDo()
    {
        static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

        var unreadable = await fx.AdminA.PostAsync("/api/clients/export", Json("{\"email\": "));
        var noEmail = await fx.AdminA.PostAsync("/api/clients/export", Json("{}"));
        var notAnEmail = await fx.AdminA.PostAsJsonAsync("/api/clients/export", new { email = "not-an-address" });
        var notJson = await fx.AdminA.PostAsync("/api/clients/export", new StringContent("email=a@b.test", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var nobody = await fx.AdminA.PostAsJsonAsync("/api/clients/export", new { email = $"nobody-{Guid.NewGuid():N}@client.test" });
        var badClientId = await fx.AdminA.GetAsync("/api/clients/jane@client.test/export");
        var unknownClient = await fx.AdminA.GetAsync("/api/clients/client-0000000000000000/export");
        var unknownEngagement = await fx.AdminA.GetAsync("/api/engagements/eng-does-not-exist/export");
        var unknownForLink = await fx.AdminA.PostAsync("/api/engagements/eng-does-not-exist/client-export-link", null);
        var anonymous = await fx.Client(null).GetAsync("/api/export");

        Assert.Contains("JSON", await ExportFixture.ProblemAsync(unreadable, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("email", await ExportFixture.ProblemAsync(noEmail, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("is not an email address", await ExportFixture.ProblemAsync(notAnEmail, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("JSON", await ExportFixture.ProblemAsync(notJson, HttpStatusCode.UnsupportedMediaType), StringComparison.Ordinal);
        Assert.Contains("No engagement", await ExportFixture.ProblemAsync(nobody, HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.Contains("client-0123456789abcdef", await ExportFixture.ProblemAsync(badClientId, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await ExportFixture.ProblemAsync(unknownClient, HttpStatusCode.NotFound);
        Assert.Contains("eng-does-not-exist", await ExportFixture.ProblemAsync(unknownEngagement, HttpStatusCode.NotFound), StringComparison.Ordinal);
        await ExportFixture.ProblemAsync(unknownForLink, HttpStatusCode.NotFound);
        await ExportFixture.ProblemAsync(anonymous, HttpStatusCode.Unauthorized);
    }

    private static List<string> Ids(ExportZip zip) =>
        [.. zip.Manifest.GetProperty("engagements").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
}
