using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DurableTask.AzureStorage;
using DurableTask.Core;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>
/// The API never answers 202 for an engagement nothing runs: the built local host as a process on Azurite and maildev, its
/// orchestrations terminated behind its back through the engine's own Azure Storage task hub.
/// </summary>
public sealed class RepairApiTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task GivenAnEngagementTerminatedBehindCoachFlowsBack_WhenTheCoachResendsTheContract_ThenTheAnswerIs503WithRetryAfterOrDecidedNever202_AndTheFirmAdminIsEmailed()
    {
        await using var stack = await CrashStack.StartAsync();
        // The worker's sweep runs once at start and then not for an hour: what repairs the engagement here is the request.
        stack.Environment["CoachFlow__EngineSweep__Interval"] = "01:00:00";
        stack.Environment["CoachFlow__EngineSweep__MinAge"] = "00:00:00";
        await using var app = await stack.StartHostAsync();
        using var api = CrashStack.Api(app, stack.CoachToken);
        using var created = await api.PostAsJsonAsync("/api/engagements", new { clientName = "Robin Client", clientEmail = "robin@client.test", programId = "career-6" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var engine = new TaskHubClient(new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(stack.Azurite.ConnectionString),
            TaskHubName = stack.Prefix,
        }));
        foreach (var instance in new[] { id, $"{id}:contract" })
        {
            await UntilAsync(engine, instance, OrchestrationStatus.Running);
            await engine.TerminateInstanceAsync(new OrchestrationInstance { InstanceId = instance }, "by hand");
            await UntilAsync(engine, instance, OrchestrationStatus.Terminated);
        }

        var before = (await api.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}")).GetProperty("version").GetInt64();
        using var resend = new HttpRequestMessage(HttpMethod.Post, $"/api/engagements/{id}/resend");
        resend.Headers.Add("Idempotency-Key", "resend-1");
        using var answer = await api.SendAsync(resend);

        output.WriteLine($"The first answer: {(int)answer.StatusCode}, Retry-After {answer.Headers.RetryAfter?.Delta}");
        Assert.NotEqual(HttpStatusCode.Accepted, answer.StatusCode);
        if (answer.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            Assert.True(answer.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 503 says when to ask again");
            var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("kept", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        else Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        // Kept and decided once: the same request again says what came of it.
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            using var again = new HttpRequestMessage(HttpMethod.Post, $"/api/engagements/{id}/resend");
            again.Headers.Add("Idempotency-Key", "resend-1");
            using var response = await api.SendAsync(again);
            Assert.NotEqual(HttpStatusCode.Accepted, response.StatusCode);
            if (response.StatusCode == HttpStatusCode.OK) break;
            Assert.True(DateTime.UtcNow < deadline, $"the resend was not decided within {Within.TotalSeconds:0} s: {(int)response.StatusCode}");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        var detail = await api.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
        Assert.Contains("engagement-repaired", detail.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        var resent = detail.GetProperty("timeline").EnumerateArray().Count(e => e.GetProperty("type").GetString() == "contract-sent");
        Assert.Equal(2, resent); // the first and the one resend, taken once
        Assert.True(detail.GetProperty("version").GetInt64() > before);

        // The firm's admin is told which engagement, and nothing of the client.
        var notice = await UntilEmailAsync(stack, id);
        Assert.Equal("admin@northwind.test", notice.To);
        Assert.DoesNotContain("Robin", notice.Text, StringComparison.Ordinal);
    }

    private static async Task UntilAsync(TaskHubClient engine, string instanceId, OrchestrationStatus status)
    {
        var deadline = DateTime.UtcNow + Within;
        while ((await engine.GetOrchestrationStateAsync(instanceId))?.OrchestrationStatus != status)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Instance {instanceId} is not {status} after {Within.TotalSeconds:0} s.");
            await Task.Delay(200);
        }
    }

    private static async Task<ReceivedEmail> UntilEmailAsync(CrashStack stack, string engagementId)
    {
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            // Notices to a firm's people are not the engagement's mail: they carry their kind where engagement mail carries its id.
            var found = (await stack.Maildev.ReadAsync(new HashSet<string>(StringComparer.Ordinal) { "engagement-repaired" }))
                .FirstOrDefault(e => e.Text.Contains(engagementId, StringComparison.Ordinal));
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No engagement-repaired email for {engagementId} within {Within.TotalSeconds:0} s.");
            await Task.Delay(200);
        }
    }
}
