using System.Net.Http.Json;
using System.Text.Json;

namespace CoachFlow.Web.Tests.DataRights;

/// <summary>
/// A whole engagement (contract to the end of maintenance, on the accelerated program) exported by the firm's admin:
/// every answer, agreement and stored document is in the ZIP, the timeline has every event, the manifest's counts are true.
/// </summary>
[Collection(ExportCollection.Name)]
public sealed class ExportCompletenessTests(ExportFixture fx)
{
    [Fact]
    public async Task GivenAWholeEngagement_WhenItsFirmAdminExportsIt_ThenEveryAnswerDocumentAndEventIsInTheZIPAndTheManifestCountsAreTrue()
    {
        var id = await fx.WholeEngagementAsync();
        var detail = await fx.AdminA.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");

        var zip = await ExportFixture.ZipAsync(await fx.AdminA.GetAsync($"/api/engagements/{id}/export"));

        // README first, manifest last, and the engagement's files in its folder.
        var folder = $"engagements/{id}/";
        Assert.Equal("README.md", zip.Names[0]);
        Assert.Equal("manifest.json", zip.Names[^1]);
        Assert.StartsWith("# CoachFlow data export", zip.Text("README.md"), StringComparison.Ordinal);
        foreach (var file in new[] { "engagement.json", "timeline.json", "inputs.json", "notifications.json" }) Assert.Contains(folder + file, zip.Names);

        var manifest = zip.Manifest;
        Assert.Equal(("coachflow-data-export", 1), (manifest.GetProperty("format").GetString(), manifest.GetProperty("formatVersion").GetInt32()));
        Assert.Equal((fx.FirmA, fx.FirmAName), (manifest.GetProperty("firm").GetProperty("id").GetString(), manifest.GetProperty("firm").GetProperty("name").GetString()));
        Assert.Equal(("firm", "firm-admin"), (manifest.GetProperty("audience").GetString(), manifest.GetProperty("requestedBy").GetProperty("role").GetString()));
        Assert.NotEmpty(manifest.GetProperty("leftOut").EnumerateArray());
        var entry = Assert.Single(manifest.GetProperty("engagements").EnumerateArray());
        Assert.Equal((id, folder, "completed", "closed", "demo-accelerated"), (entry.GetProperty("id").GetString(), entry.GetProperty("path").GetString(),
            entry.GetProperty("status").GetString(), entry.GetProperty("phase").GetString(), entry.GetProperty("programId").GetString()));

        // The timeline: every event, versions 1..N without a gap, each with a stable kebab-case type.
        var events = zip.Json(folder + "timeline.json").GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, (int)detail.GetProperty("version").GetInt64()).Select(v => (long)v), events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.All(events, e => Assert.Matches("^[a-z]+(-[a-z]+)*$", e.GetProperty("type").GetString()));
        Assert.Equal(6, events.Count(e => e.GetProperty("type").GetString() == "session-agreement-captured"));
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "graduated");

        // Every stored document the documents API lists, as HTML and JSON, byte for byte what the API serves.
        var listed = detail.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToList();
        Assert.Equal(listed.Order(StringComparer.Ordinal), zip.Documents(id).Order(StringComparer.Ordinal));
        foreach (var name in listed)
        {
            Assert.Equal(await fx.AdminA.GetStringAsync($"/api/engagements/{id}/documents/{name}"), zip.Text($"{folder}documents/{name}.html"));
            Assert.Equal(await fx.AdminA.GetStringAsync($"/api/engagements/{id}/documents/{name}?format=json"), zip.Text($"{folder}documents/{name}.json"));
        }

        // Every answer: the intake's, each reassessment's ratings, every check-in's learning, every session agreement with both kinds of notes.
        var engagement = zip.Json(folder + "engagement.json");
        var state = engagement.GetProperty("state");
        var intake = state.GetProperty("intakeAnswers").EnumerateArray().ToDictionary(a => a.GetProperty("itemId").GetString()!,
            a => a.TryGetProperty("text", out var t) ? t.GetString() : a.GetProperty("score").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var answers = detail.GetProperty("intake").GetProperty("answers").EnumerateArray().ToList();
        Assert.NotEmpty(answers);
        Assert.All(answers, a => Assert.Equal(a.GetProperty("value").GetString(), intake[a.GetProperty("itemId").GetString()!]));
        var reassessments = state.GetProperty("reassessments").EnumerateArray().ToList();
        foreach (var r in detail.GetProperty("reassessments").EnumerateArray())
        {
            var exported = reassessments.Single(x => x.GetProperty("number").GetInt32() == r.GetProperty("number").GetInt32());
            Assert.Equal(r.GetProperty("ratings").EnumerateArray().Select(x => (x.GetProperty("itemId").GetString(), x.GetProperty("value").GetInt32())),
                exported.GetProperty("ratings").EnumerateArray().Select(x => (x.GetProperty("itemId").GetString(), x.GetProperty("score").GetInt32())));
        }
        var learnings = events.Where(e => e.GetProperty("type").GetString() == "action-checked-in" && e.GetProperty("data").TryGetProperty("learning", out _))
            .Select(e => e.GetProperty("data").GetProperty("learning").GetString()).ToHashSet();
        Assert.All(detail.GetProperty("actions").EnumerateArray().SelectMany(a => a.GetProperty("checkIns").EnumerateArray())
            .Where(c => c.TryGetProperty("learning", out var l) && l.ValueKind == JsonValueKind.String), c => Assert.Contains(c.GetProperty("learning").GetString(), learnings));
        var agreements = engagement.GetProperty("agreements").EnumerateArray().ToList();
        Assert.Equal(6, agreements.Count);
        Assert.All(agreements, a => Assert.Equal((ExportFixture.SharedNotes, ExportFixture.PrivateNotes),
            (a.GetProperty("agreement").GetProperty("sharedNotes").GetString(), a.GetProperty("agreement").GetProperty("privateCoachNotes").GetString())));
        Assert.Equal("GROW for decisions", state.GetProperty("plan").GetProperty("frameworks")[0].GetString());
        Assert.Contains(zip.All, f => f.Text.Contains(ExportFixture.IntakeAnswer, StringComparison.Ordinal));
        Assert.Contains(zip.All, f => f.Text.Contains(ExportFixture.Learning, StringComparison.Ordinal));

        // The manifest's counts are what the files hold, and its totals their sums.
        var inputs = zip.Json(folder + "inputs.json").GetProperty("inputs").EnumerateArray().ToList();
        var notifications = zip.Json(folder + "notifications.json").GetProperty("notifications").EnumerateArray().ToList();
        var counts = entry.GetProperty("counts");
        Assert.Equal((events.Count, inputs.Count, listed.Count, notifications.Count),
            (counts.GetProperty("events").GetInt32(), counts.GetProperty("inputs").GetInt32(), counts.GetProperty("documents").GetInt32(), counts.GetProperty("notifications").GetInt32()));
        Assert.Equal((1, events.Count, listed.Count), (manifest.GetProperty("totals").GetProperty("engagements").GetInt32(),
            manifest.GetProperty("totals").GetProperty("events").GetInt32(), manifest.GetProperty("totals").GetProperty("documents").GetInt32()));
        Assert.Contains(inputs, i => i.GetProperty("type").GetString() == "submit-intake" && i.GetProperty("status").GetString() == "applied");
        Assert.NotEmpty(notifications);

        // JSON for any reader: no .NET type names, no idempotency keys.
        Assert.All(zip.All.Where(f => f.Name.EndsWith(".json", StringComparison.Ordinal)), f =>
        {
            Assert.DoesNotContain("$type", f.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"SessionAgreementCaptured\"", f.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("CoachFlow.Workflows", f.Text, StringComparison.Ordinal);
        });
        Assert.All(inputs, i => Assert.False(i.TryGetProperty("key", out _)));
        Assert.DoesNotContain("\"link:", zip.Text(folder + "inputs.json"), StringComparison.Ordinal);
    }
}
