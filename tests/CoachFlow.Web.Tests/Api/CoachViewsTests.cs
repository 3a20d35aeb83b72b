using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachFlow.Web.Engagements;

namespace CoachFlow.Web.Tests.Api;

/// <summary>What a coach runs into through the API: authentication first, words for people, follow-ups, the demo program.</summary>
public sealed partial class CoachViewsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private async Task<string> StartAsync(string programId = "career-6")
    {
        using var response = await api.CoachA.PostAsJsonAsync("/api/engagements", new
        {
            clientName = "Dana Client",
            clientEmail = $"dana.{Guid.NewGuid():N}@example.com",
            programId,
            overallGoals = new[] { "Increase sales by 10% within six months" },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<string> DetailOf(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
    }

    [Theory]
    [InlineData("POST", "/api/engagements", "{not json")]
    [InlineData("POST", "/api/engagements", "{\"clientName\": 42}")]
    [InlineData("POST", "/api/engagements/eng-x/sessions", "[[[")]
    [InlineData("PUT", "/api/engagements/eng-x/sessions/1/agreement", "{\"goals\": \"not a list\"}")]
    [InlineData("POST", "/api/engagements/eng-x/follow-up", "{\"overallGoals\": 7}")]
    public async Task Given_no_valid_token_When_the_body_is_malformed_Then_401_not_400(string method, string path, string body)
    {
        foreach (var client in new[] { api.Anonymous, api.Client("cfp_not-a-real-token") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await client.SendAsync(request);

            var detail = await DetailOf(response, HttpStatusCode.Unauthorized);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("JSON", detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GivenAValidToken_WhenTheBodyIsMalformed_Then400WithTheReason()
    {
        using var response = await api.CoachA.PostAsync("/api/engagements", new StringContent("{not json", Encoding.UTF8, "application/json"));

        Assert.Contains("JSON", await DetailOf(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenANewEngagement_ThenItsTimelineReadsAsSentencesWithStableKebabCaseKinds()
    {
        var id = await StartAsync();

        var detail = await api.CoachA.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");

        var timeline = detail.GetProperty("timeline").EnumerateArray().Select(t => (Type: t.GetProperty("type").GetString()!, Summary: t.GetProperty("summary").GetString()!)).ToList();
        Assert.Equal(["engagement-started", "contract-sent"], timeline.Select(t => t.Type));
        Assert.Equal(["Engagement with Dana started", "Contract version 1 sent to Dana to sign"], timeline.Select(t => t.Summary));
        Assert.All(timeline, t => Assert.Matches(KebabCase(), t.Type));
    }

    [Fact]
    public async Task GivenTheOpenAPIDocument_ThenEveryTimelineKindAndFlagIsDescribedAndTheFollowUpEndpointIsThere()
    {
        var text = await api.Anonymous.GetStringAsync("/openapi/v1.json");
        using var doc = JsonDocument.Parse(text);

        var entry = doc.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("TimelineEntry").GetProperty("properties").GetProperty("type");
        var description = entry.GetProperty("description").GetString()!;
        Assert.All(Timeline.Kinds.Values, kind => Assert.Contains(kind, description, StringComparison.Ordinal));
        Assert.All(Timeline.Kinds.Values, kind => Assert.Matches(KebabCase(), kind));
        Assert.Contains("support-requested", text, StringComparison.Ordinal);
        Assert.Contains("/api/engagements/{id}/follow-up", doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task GivenAnEngagementStillInContract_WhenTheCoachAsksForAFollowUp_Then409WithTheReasonAndNothingIsStarted()
    {
        var id = await StartAsync();
        var before = await api.CoachA.GetFromJsonAsync<JsonElement>("/api/engagements?pageSize=500");

        using var response = await api.CoachA.PostAsJsonAsync($"/api/engagements/{id}/follow-up", new { });

        Assert.Contains("graduated", await DetailOf(response, HttpStatusCode.Conflict), StringComparison.Ordinal);
        await Task.Delay(300); // index rows are written just after a step
        var after = await api.CoachA.GetFromJsonAsync<JsonElement>("/api/engagements?pageSize=500");
        Assert.Equal(before.GetProperty("items").GetArrayLength(), after.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task GivenSomeoneElseSEngagement_WhenAskingForAFollowUp_Then404ForOtherCoachesAnd403ForTheSponsor()
    {
        var id = await StartAsync();

        await DetailOf(await api.CoachB.PostAsJsonAsync($"/api/engagements/{id}/follow-up", new { }), HttpStatusCode.NotFound);
        await DetailOf(await api.OtherCoachA.PostAsJsonAsync($"/api/engagements/{id}/follow-up", new { }), HttpStatusCode.NotFound);
        await DetailOf(await api.SponsorA.PostAsJsonAsync($"/api/engagements/{id}/follow-up", new { }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task GivenTheDemoProgram_ThenTheContractSaysWhatItDoesSessionsOf5SecondsAboutEvery20Seconds()
    {
        var id = await StartAsync("demo-accelerated");
        HttpResponseMessage? contract = null;
        for (var i = 0; i < 50 && contract?.StatusCode != HttpStatusCode.OK; i++) // the document is written just after the step
        {
            await Task.Delay(100);
            contract = await api.CoachA.GetAsync($"/api/engagements/{id}/documents/contract-v1");
        }

        var html = await contract!.Content.ReadAsStringAsync();
        Assert.Contains("6 one-to-one sessions of 5 seconds each, about every 20 seconds", html, StringComparison.Ordinal);
        Assert.DoesNotContain("60 minutes", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("^[a-z]+(-[a-z]+)*$")]
    private static partial Regex KebabCase();
}
