using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CoachFlow.Web.Tests.Api;

/// <summary>PDFs and reports through the coach API: who may read what, and a reason for every refusal.</summary>
public sealed class DocumentApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private async Task<string> StartSponsoredAsync()
    {
        using var response = await api.CoachA.PostAsJsonAsync("/api/engagements", new
        {
            clientName = "Dana Client",
            clientEmail = $"dana.{Guid.NewGuid():N}@example.com",
            programId = "career-6",
            overallGoals = new[] { "Increase sales by 10% within six months" },
            sponsorId = api.SponsorAIdentity.CoachId,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        for (var i = 0; i < 50 && (await api.CoachA.GetAsync($"/api/engagements/{id}/documents/contract-v1")).StatusCode != HttpStatusCode.OK; i++)
            await Task.Delay(100); // the contract is written just after the step
        return id;
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        return detail!;
    }

    [Fact]
    public async Task GivenASponsoredEngagement_ThenCoachAndSponsorReadTheProgressReportAndOnlyTheCoachTheCheckIns()
    {
        var id = await StartSponsoredAsync();

        using var coach = await api.CoachA.GetAsync($"/api/engagements/{id}/reports/progress-report");
        Assert.Equal(HttpStatusCode.OK, coach.StatusCode);
        Assert.Equal("text/html", coach.Content.Headers.ContentType?.MediaType);
        var html = await coach.Content.ReadAsStringAsync();
        Assert.Contains("Coaching progress report", html, StringComparison.Ordinal);
        Assert.Contains("Dana Client", html, StringComparison.Ordinal);
        Assert.Contains("Agreement sent, not yet signed", html, StringComparison.Ordinal);
        Assert.DoesNotContain(id, html, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await api.SponsorA.GetAsync($"/api/engagements/{id}/reports/progress-report")).StatusCode);
        using var pdf = await api.SponsorA.GetAsync($"/api/engagements/{id}/reports/progress-report?format=pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF-", await pdf.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await api.CoachA.GetAsync($"/api/engagements/{id}/reports/action-checkins")).StatusCode);
        await ProblemAsync(await api.SponsorA.GetAsync($"/api/engagements/{id}/reports/action-checkins"), HttpStatusCode.NotFound);
        await ProblemAsync(await api.CoachB.GetAsync($"/api/engagements/{id}/reports/progress-report"), HttpStatusCode.NotFound);
        Assert.Contains("progress-report or action-checkins", await ProblemAsync(await api.CoachA.GetAsync($"/api/engagements/{id}/reports/everything"), HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("format=pdf", await ProblemAsync(await api.CoachA.GetAsync($"/api/engagements/{id}/reports/progress-report?format=xml"), HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAContract_ThenItsPdfIsTheCoachsToDownloadAndNeverTheSponsorsOrAnotherFirms()
    {
        var id = await StartSponsoredAsync();

        using var pdf = await api.CoachA.GetAsync($"/api/engagements/{id}/documents/contract-v1/pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.Equal("contract-v1.pdf", pdf.Content.Headers.ContentDisposition?.FileNameStar ?? pdf.Content.Headers.ContentDisposition?.FileName);
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF-"u8.ToArray(), bytes[..5]);

        await ProblemAsync(await api.SponsorA.GetAsync($"/api/engagements/{id}/documents/contract-v1/pdf"), HttpStatusCode.NotFound);
        await ProblemAsync(await api.CoachB.GetAsync($"/api/engagements/{id}/documents/contract-v1/pdf"), HttpStatusCode.NotFound);
        await ProblemAsync(await api.CoachA.GetAsync($"/api/engagements/{id}/documents/no-such-document/pdf"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GivenASponsor_ThenTheEngagementListsOnlyTheContractAndProgressAmongItsDocuments()
    {
        var id = await StartSponsoredAsync();
        var detail = await api.SponsorA.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        Assert.Contains(detail.GetProperty("documents").EnumerateArray(), d => d.GetProperty("name").GetString() == "contract-v1");
        Assert.All(detail.GetProperty("documents").EnumerateArray(), d => Assert.Contains(d.GetProperty("kind").GetString(), new[] { "contract", "progress-report" }));
    }
}
