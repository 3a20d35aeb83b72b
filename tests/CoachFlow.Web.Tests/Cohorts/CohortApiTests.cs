using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CoachFlow.Web.Engagements;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Tests.Cohorts;

/// <summary>Cohort import through the API of the running local host: validation, refusal, valid-only, idempotent re-runs, scoping, bad input.</summary>
public sealed class CohortApiTests(CohortFixture fixture) : IClassFixture<CohortFixture>
{
    private const string Header = "client name,client email,coach,sponsor,overall goals,time zone\n";

    private static string Unique() => Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task GivenAFileWithEveryKindOfBadRow_WhenUploaded_ThenTheReportNamesEachLineAndNothingStarts_AndStartIsRefusedUntilValidOnly()
    {
        var run = Unique();
        // A client already in a running engagement on the program, started one at a time before the import.
        var busy = $"busy.{run}@client.test";
        using (var started = await fixture.AdminA.PostAsJsonAsync("/api/engagements", new { clientName = "Busy Client", clientEmail = busy, programId = "career-6" }))
            Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var csv = Header +
            $"Al Good,al.{run}@client.test,cleo@a.example,sam@a.example,Lead the EMEA team|Five informational interviews,Europe/Paris\n" + // 2 valid
            $",noname.{run}@client.test,cleo@a.example,,,\n" +                     // 3 missing name
            $"Bad Email,not-an-email,cleo@a.example,,,\n" +                          // 4 invalid email
            $"No Coach,nocoach.{run}@client.test,nobody@a.example,,,\n" +          // 5 unknown coach
            $"Other Firm,other.{run}@client.test,bea@b.example,,,\n" +             // 6 coach of another firm
            $"Al Twice,AL.{run}@client.test,cleo@a.example,,,\n" +                 // 7 duplicate of line 2
            $"Busy Client,{busy},{fixture.CoachA.CoachId},,,\n" +                   // 8 already active on career-6
            $"Bad Zone,zone.{run}@client.test,cleo@a.example,,,Mars/Olympus\n" +   // 9 bad time zone
            $"No Sponsor,nosponsor.{run}@client.test,cleo@a.example,ghost@a.example,,\n" + // 10 unknown sponsor
            $"Bo Good,bo.{run}@client.test,{fixture.OtherCoachA.CoachId},,,\n";    // 11 valid

        using var upload = await CohortFixture.UploadAsync(fixture.AdminA, $"Spring leaders {run}", csv);
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var report = await upload.Content.ReadFromJsonAsync<JsonElement>();
        var id = report.GetProperty("id").GetString()!;
        Assert.Equal((10, 2, 8, "validated"), (report.GetProperty("rows").GetInt32(), report.GetProperty("valid").GetInt32(), report.GetProperty("rejected").GetInt32(),
            report.GetProperty("status").GetString()));
        var bad = report.GetProperty("badRows").EnumerateArray().ToDictionary(r => r.GetProperty("line").GetInt32(), r => r.GetProperty("codes")[0].GetString());
        Assert.Equal(new Dictionary<int, string?>
        {
            [3] = "missing-name", [4] = "invalid-email", [5] = "unknown-coach", [6] = "coach-of-another-firm", [7] = "duplicate-email",
            [8] = "already-active", [9] = "bad-time-zone", [10] = "unknown-sponsor",
        }, bad);
        Assert.All(report.GetProperty("badRows").EnumerateArray(), r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reason").GetString())));
        Assert.Empty(await CohortEngagementsAsync(id));

        // Confirming without validOnly is refused with the report, and still nothing starts.
        using (var refused = await fixture.AdminA.PostAsync($"/api/cohorts/{id}/start", null))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("validOnly=true", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(8, problem.GetProperty("report").GetProperty("badRows").GetArrayLength());
        }
        await Task.Delay(1000);
        Assert.Empty(await CohortEngagementsAsync(id));

        // The rejected rows as CSV, for the admin to fix.
        var rejected = await fixture.AdminA.GetStringAsync($"/api/cohorts/{id}/rejected.csv");
        Assert.StartsWith("line,reason,codes,client name,client email", rejected, StringComparison.Ordinal);
        Assert.Equal(9, rejected.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("Mars/Olympus", rejected, StringComparison.Ordinal);

        // validOnly starts the two valid rows: 202 with where to follow it, then their contract emails.
        using (var start = await fixture.AdminA.PostAsync($"/api/cohorts/{id}/start?validOnly=true", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            Assert.Equal($"/api/cohorts/{id}", start.Headers.Location?.OriginalString);
        }
        var done = await CohortFixture.UntilCompletedAsync(fixture.AdminA, id);
        Assert.Equal((2, 0, 8), (done.GetProperty("started").GetInt32(), done.GetProperty("alreadyStarted").GetInt32(), done.GetProperty("rejected").GetInt32()));
        var ids = new[] { $"al.{run}@client.test", $"bo.{run}@client.test" }.Select(e => EngagementService.CohortEngagementId(fixture.FirmA.FirmId, id, e)).ToHashSet();
        await UntilContractsAsync(ids);
        Assert.Equal(ids.Order(), (await CohortEngagementsAsync(id)).Order());

        // The row's coach, sponsor, goals and time zone reached the engagement.
        var al = await fixture.AdminA.GetFromJsonAsync<JsonElement>($"/api/engagements/{EngagementService.CohortEngagementId(fixture.FirmA.FirmId, id, $"al.{run}@client.test")}");
        Assert.Equal(fixture.CoachA.CoachId, al.GetProperty("coachId").GetString());
    }

    [Fact]
    public async Task GivenACohortImported_WhenTheSameFileIsImportedAgain_ThenNobodyStartsTwiceAndEachContractEmailWentOnce()
    {
        var run = Unique();
        var emails = Enumerable.Range(1, 12).Select(i => $"c{i}.{run}@client.test").ToList();
        var csv = Header + string.Concat(emails.Select((e, i) => $"Client {i},{e},{(i % 2 == 0 ? "cleo@a.example" : fixture.OtherCoachA.CoachId)},,,\n"));

        var first = await ImportAsync($"Autumn {run}", csv);
        var done = await CohortFixture.UntilCompletedAsync(fixture.AdminA, first);
        Assert.Equal((12, 0), (done.GetProperty("started").GetInt32(), done.GetProperty("alreadyStarted").GetInt32()));
        var ids = emails.Select(e => EngagementService.CohortEngagementId(fixture.FirmA.FirmId, first, e)).ToHashSet();
        await UntilContractsAsync(ids);

        // The same name written differently is the same cohort; its report says every row was started before.
        using var again = await CohortFixture.UploadAsync(fixture.AdminA, $"  autumn   {run.ToUpperInvariant()} ", csv);
        var report = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((first, 12, 12), (report.GetProperty("id").GetString(), report.GetProperty("valid").GetInt32(), report.GetProperty("alreadyStarted").GetInt32()));
        using (var start = await fixture.AdminA.PostAsync($"/api/cohorts/{first}/start", null)) Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var second = await CohortFixture.UntilCompletedAsync(fixture.AdminA, first);
        Assert.Equal((0, 12), (second.GetProperty("started").GetInt32(), second.GetProperty("alreadyStarted").GetInt32()));

        await Task.Delay(3000); // anything sent twice would be in by now
        var contracts = (await fixture.Maildev.ReadAsync(ids)).Where(e => e.Kind == EmailKinds.ContractInvitation).ToList();
        Assert.Equal(12, contracts.Count);
        Assert.Equal(ids.Order(), contracts.Select(c => c.EngagementId!).Order());
        Assert.Equal(12, (await CohortEngagementsAsync(first)).Count);
    }

    [Fact]
    public async Task GivenACohortOfFirmA_WhenOthersCallEachEndpoint_ThenAnotherFirmGets404_ACoachReadsOnly_ASponsorIsRefused_AndNoTokenIs401()
    {
        var run = Unique();
        var id = (await (await CohortFixture.UploadAsync(fixture.AdminA, $"Scoped {run}", Header + $"Al,al.{run}@client.test,cleo@a.example,,,\n"))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        async Task<HttpStatusCode> Status(HttpClient client, HttpMethod method, string path, HttpContent? body = null)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = body });
            if ((int)response.StatusCode >= 400)
                Assert.False(string.IsNullOrWhiteSpace((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()));
            return response.StatusCode;
        }
        StringContent Csv() => new(Header + $"Zed,zed.{run}@client.test,cleo@a.example,,,\n", Encoding.UTF8, "text/csv");
        var upload = $"/api/cohorts?name=Scoped%20{run}&program=career-6";

        // Firm B's admin: firm A's cohort does not exist for them, and their listing does not show it.
        Assert.Equal(HttpStatusCode.NotFound, await Status(fixture.AdminB, HttpMethod.Get, $"/api/cohorts/{id}"));
        Assert.Equal(HttpStatusCode.NotFound, await Status(fixture.AdminB, HttpMethod.Post, $"/api/cohorts/{id}/start?validOnly=true"));
        Assert.Equal(HttpStatusCode.NotFound, await Status(fixture.AdminB, HttpMethod.Get, $"/api/cohorts/{id}/rejected.csv"));
        var listB = await fixture.AdminB.GetFromJsonAsync<JsonElement>("/api/cohorts");
        Assert.DoesNotContain(listB.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetString() == id);

        // A coach of firm A reads the firm's cohorts (the extension filters by them) but cannot import, start or read rejected rows.
        Assert.Equal(HttpStatusCode.OK, await Status(fixture.CoachAClient, HttpMethod.Get, $"/api/cohorts/{id}"));
        var listA = await fixture.CoachAClient.GetFromJsonAsync<JsonElement>("/api/cohorts");
        var item = Assert.Single(listA.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetString() == id);
        Assert.Equal(($"Scoped {run}", "career-6", 1), (item.GetProperty("name").GetString(), item.GetProperty("programId").GetString(), item.GetProperty("valid").GetInt32()));
        Assert.Equal(HttpStatusCode.Forbidden, await Status(fixture.CoachAClient, HttpMethod.Post, upload, Csv()));
        Assert.Equal(HttpStatusCode.Forbidden, await Status(fixture.CoachAClient, HttpMethod.Post, $"/api/cohorts/{id}/start"));
        Assert.Equal(HttpStatusCode.Forbidden, await Status(fixture.CoachAClient, HttpMethod.Get, $"/api/cohorts/{id}/rejected.csv"));

        // A sponsor sees nothing of cohorts.
        Assert.Equal(HttpStatusCode.Forbidden, await Status(fixture.SponsorAClient, HttpMethod.Get, "/api/cohorts"));
        Assert.Equal(HttpStatusCode.Forbidden, await Status(fixture.SponsorAClient, HttpMethod.Get, $"/api/cohorts/{id}"));
        Assert.Equal(HttpStatusCode.Forbidden, await Status(fixture.SponsorAClient, HttpMethod.Post, upload, Csv()));
        Assert.Equal(HttpStatusCode.Forbidden, await Status(fixture.SponsorAClient, HttpMethod.Post, $"/api/cohorts/{id}/start"));
        Assert.Equal(HttpStatusCode.Forbidden, await Status(fixture.SponsorAClient, HttpMethod.Get, $"/api/cohorts/{id}/rejected.csv"));

        // No token: 401 on every endpoint.
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/cohorts"), (HttpMethod.Get, $"/api/cohorts/{id}"), (HttpMethod.Post, upload),
                     (HttpMethod.Post, $"/api/cohorts/{id}/start"), (HttpMethod.Get, $"/api/cohorts/{id}/rejected.csv") })
            Assert.Equal(HttpStatusCode.Unauthorized, await Status(fixture.Anonymous, method, path, method == HttpMethod.Post ? Csv() : null));

        // An id that is no cohort at all, and one that could not be a key.
        Assert.Equal(HttpStatusCode.NotFound, await Status(fixture.AdminA, HttpMethod.Get, "/api/cohorts/cohort-0000000000000000"));
        Assert.Equal(HttpStatusCode.NotFound, await Status(fixture.AdminA, HttpMethod.Get, "/api/cohorts/..%2F..%2Fetc"));
        // Nothing of the above started anything.
        Assert.Empty(await CohortEngagementsAsync(id));
    }

    public static TheoryData<string, string, string?, string, int, string> BadUploads() => new()
    {
        { "no body", "career-6", "", "text/csv", 400, "empty" },
        { "not CSV", "career-6", "{\"clientName\":\"Jo\"}", "application/json", 415, "text/csv" },
        { "no header", "career-6", "Jo Client,jo@client.test,cleo@a.example\n", "text/csv", 400, "header row" },
        { "unknown program", "no-such-program", Header + "Jo,jo@client.test,cleo@a.example,,,\n", "text/csv", 400, "career-6" },
        { "", "career-6", Header + "Jo,jo@client.test,cleo@a.example,,,\n", "text/csv", 400, "Name the cohort" },
        { "no program", "", Header + "Jo,jo@client.test,cleo@a.example,,,\n", "text/csv", 400, "program" },
        { "too many rows", "career-6", null, "text/csv", 400, "10,000" },
        { new string('n', 101), "career-6", Header + "Jo,jo@client.test,cleo@a.example,,,\n", "text/csv", 400, "100 characters" },
    };

    [Theory]
    [MemberData(nameof(BadUploads))]
    public async Task GivenABadUpload_WhenSent_ThenItIsA4xxProblemWithAReason(string name, string program, string? csv, string contentType, int status, string reason)
    {
        // 10,001 rows with goals: about 1.5 MB, over the 1 MB other requests may send, so the cohort's own limit is what reads it.
        csv ??= Header + string.Concat(Enumerable.Range(1, 10_001).Select(i => $"C{i},c{i}@client.test,cleo@a.example,,{new string('g', 100)},\n"));
        using var response = await CohortFixture.UploadAsync(fixture.AdminA, name, csv, program, contentType);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenACohortOnOneProgram_WhenTheSameNameIsUploadedForAnother_ThenItIsA409SayingSo_AndStartingANonCohortIs404()
    {
        var run = Unique();
        using (var first = await CohortFixture.UploadAsync(fixture.AdminA, $"Leaders {run}", Header + $"Jo,jo.{run}@client.test,cleo@a.example,,,\n"))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var other = await CohortFixture.UploadAsync(fixture.AdminA, $"Leaders {run}", Header + $"Jo,jo.{run}@client.test,cleo@a.example,,,\n", "demo-accelerated");
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Contains("another name", (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var missing = await fixture.AdminA.PostAsync("/api/cohorts/cohort-ffffffffffffffff/start?validOnly=true", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var badFlag = await fixture.AdminA.PostAsync("/api/cohorts/cohort-ffffffffffffffff/start?validOnly=maybe", null);
        Assert.Equal(HttpStatusCode.BadRequest, badFlag.StatusCode);
    }

    [Fact]
    public async Task GivenTheOpenApiDocument_ThenEveryCohortEndpointIsDescribed()
    {
        var doc = await fixture.Anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/api/cohorts", "post"), ("/api/cohorts", "get"), ("/api/cohorts/{id}", "get"), ("/api/cohorts/{id}/start", "post"), ("/api/cohorts/{id}/rejected.csv", "get") })
            Assert.False(string.IsNullOrWhiteSpace(paths.GetProperty(path).GetProperty(method).GetProperty("summary").GetString()));
    }

    [Fact]
    public async Task GivenAFileWithABadRow_WhenImportedWithTheCommandLine_ThenItRefusesWithoutValidOnly_ThenStartsTheRestAndPrintsItsCountsAndTheReport()
    {
        var run = Unique();
        var dir = Directory.CreateTempSubdirectory("cohort-cli-");
        try
        {
            var file = Path.Combine(dir.FullName, "spring.csv");
            await File.WriteAllTextAsync(file, "\uFEFFClient Name;Client Email;Coach\n" + string.Concat(Enumerable.Range(1, 5).Select(i => $"Client {i};cli{i}.{run}@client.test;cleo@a.example\n"))
                + $"Nobody;nobody.{run}@client.test;ghost@a.example\n", new UTF8Encoding(false));
            string[] args = [file, "--firm", fixture.FirmA.FirmId, "--program", "career-6", "--name", $"CLI {run}", "--app", fixture.App.Client.BaseAddress!.ToString()];

            var refused = await CohortCommandAsync(args);
            Assert.Equal(3, refused.ExitCode);
            Assert.Contains("line 7: No coach of this firm", refused.Output, StringComparison.Ordinal);
            Assert.Contains("--valid-only", refused.Output, StringComparison.Ordinal);
            Assert.Contains("started: 0\n", refused.Output, StringComparison.Ordinal);

            var imported = await CohortCommandAsync([.. args, "--valid-only"]);
            Assert.True(imported.ExitCode == 0, imported.Output);
            var lines = imported.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("started: 5", lines);
            Assert.Contains("already started: 0", lines);
            Assert.Contains("rejected: 1", lines);
            var report = Assert.Single(lines, l => l.StartsWith("rejected rows: ", StringComparison.Ordinal))["rejected rows: ".Length..];
            Assert.Equal(Path.Combine(dir.FullName, "spring.rejected.csv"), report);
            Assert.Contains("ghost@a.example", await File.ReadAllTextAsync(report), StringComparison.Ordinal);
            var id = CoachFlow.Web.Cohorts.CohortService.CohortIdOf(fixture.FirmA.FirmId, $"CLI {run}");
            Assert.Equal(5, (await CohortEngagementsAsync(id)).Count);

            // Run again: nobody starts twice.
            var rerun = await CohortCommandAsync([.. args, "--valid-only"]);
            Assert.Contains("already started: 5", rerun.Output, StringComparison.Ordinal);
            Assert.Contains("started: 0", rerun.Output, StringComparison.Ordinal);

            // With no CoachFlow answering, it says to start it.
            var down = await CohortCommandAsync([.. args[..^2], "--app", "http://127.0.0.1:1"]);
            Assert.Equal(1, down.ExitCode);
            Assert.Contains("./coachflow run", down.Output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary><c>dotnet CoachFlow.Cli.dll cohort import …</c> on the fixture's storage, as <c>./coachflow cohort import</c> runs it; output not a terminal.</summary>
    private async Task<(int ExitCode, string Output)> CohortCommandAsync(string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet", [Repository.CliDll, "cohort", "import", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["CoachFlow__Storage__ConnectionString"] = fixture.ConnectionString;
        info.Environment["CoachFlow__Storage__Prefix"] = fixture.Prefix;
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output + await error).Replace("\r", "", StringComparison.Ordinal));
    }

    private async Task<string> ImportAsync(string name, string csv)
    {
        using var upload = await CohortFixture.UploadAsync(fixture.AdminA, name, csv);
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var start = await fixture.AdminA.PostAsync($"/api/cohorts/{id}/start", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        return id;
    }

    private async Task<List<string>> CohortEngagementsAsync(string cohortId)
    {
        var page = await fixture.AdminA.GetFromJsonAsync<JsonElement>($"/api/engagements?cohort={cohortId}&pageSize=500");
        return [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];
    }

    private async Task UntilContractsAsync(IReadOnlySet<string> ids)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var sent = (await fixture.Maildev.ReadAsync(ids)).Where(e => e.Kind == EmailKinds.ContractInvitation).Select(e => e.EngagementId).Distinct().Count();
            if (sent == ids.Count) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{sent} of {ids.Count} contract emails arrived in 60 s.\n{fixture.App.Output}");
            await Task.Delay(250);
        }
    }
}
