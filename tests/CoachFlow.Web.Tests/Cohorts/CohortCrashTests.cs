using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tests.Lifecycle;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Web.Tests.Cohorts;

/// <summary>
/// The local host killed with SIGKILL in the middle of a cohort import: after a restart on the same storage the import
/// finishes by itself (its batch message comes back after its lease), every row is started exactly once, and every
/// client gets one contract email.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class CohortCrashTests
{
    private const int Rows = 200;

    [Fact]
    public async Task GivenAnImportOf200Rows_WhenTheHostIsKilledHalfwayAndRestarted_ThenEveryRowStartsOnceAndEveryContractEmailIsSentOnce()
    {
        await using var stack = await CrashStack.StartAsync();
        var (maildev, firm, storage) = (stack.Maildev, stack.Firm, stack.Storage);
        foreach (var (name, value) in CohortFixture.Environment(maildev.SmtpPort)) stack.Environment[name] = value;
        stack.Environment["CoachFlow__Cohorts__StartsPerSecond"] = "20"; // 10 s of starts: time to be killed in the middle
        HttpClient Admin(AppProcess app) => CrashStack.Api(app, stack.AdminToken);
        var emails = Enumerable.Range(1, Rows).Select(i => $"client{i}@client.test").ToList();
        var csv = "client name,client email,coach\n" + string.Concat(emails.Select((e, i) => $"Client {i},{e},casey@northwind.test\n"));

        // The first host validates the file, starts the import and is killed once a quarter of the rows are in.
        string id;
        var first = await stack.StartHostAsync();
        using (var admin = Admin(first))
        {
            using var upload = await admin.PostAsync("/api/cohorts?name=Spring%20leaders&program=career-6", new StringContent(csv, Encoding.UTF8, "text/csv"));
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
            id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            using var start = await admin.PostAsync($"/api/cohorts/{id}/start", null);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                var cohort = await admin.GetFromJsonAsync<JsonElement>($"/api/cohorts/{id}");
                if (cohort.GetProperty("processed").GetInt32() >= Rows / 4) break;
                await Task.Delay(20);
            }
        }
        await first.DisposeAsync(); // SIGKILL: no shutdown, no flush
        int processedAtKill;
        {
            var row = await storage.Table("cohorts").GetEntityAsync<Azure.Data.Tables.TableEntity>(firm.FirmId, id);
            processedAtKill = row.Value.GetInt32("Processed") ?? 0;
        }
        Assert.InRange(processedAtKill, Rows / 4, Rows - 1); // killed in the middle, not after

        // A new host on the same storage finishes the import by itself: nobody starts it again.
        await using var second = await stack.StartHostAsync();
        using var again = Admin(second);
        var done = await CohortFixture.UntilCompletedAsync(again, id, TimeSpan.FromMinutes(5)); // a bound for a loaded machine, not a timing
        Assert.Equal((Rows, Rows, 0, 0), (done.GetProperty("processed").GetInt32(), done.GetProperty("started").GetInt32(),
            done.GetProperty("alreadyStarted").GetInt32(), done.GetProperty("failed").GetInt32()));

        // Every row's engagement exists once (its id is the cohort's and the email's) and sent one contract email.
        var ids = emails.Select(e => EngagementService.CohortEngagementId(firm.FirmId, id, e)).ToHashSet();
        var listed = await again.GetFromJsonAsync<JsonElement>($"/api/engagements?cohort={id}&pageSize=500");
        Assert.Equal(ids.Order(), listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).Order());
        IReadOnlyList<ReceivedEmail> contracts = [];
        var until = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < until)
        {
            contracts = [.. (await maildev.ReadAsync(ids)).Where(e => e.Kind == EmailKinds.ContractInvitation)];
            if (contracts.Select(c => c.EngagementId).Distinct().Count() == Rows) break;
            await Task.Delay(1000);
        }
        var missing = ids.Except(contracts.Select(c => c.EngagementId!)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} engagements sent no contract email, e.g. {string.Join(", ", missing.Take(5))}\n{second.Output}");
        // A repeat (an effect the killed host had begun) carries the same Message-ID: one email as the client sees it.
        Assert.All(contracts.GroupBy(c => c.EngagementId), g => Assert.Single(g.Select(c => c.MessageId).Distinct()));
    }
}
