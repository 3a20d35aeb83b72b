using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CoachFlow.Web.Engagements;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Engine.Harness;

/// <summary>
/// <c>./coachflow bench cohort</c>: the built local host as a child process imports a generated cohort through the API
/// (upload, start) until every contract email is in maildev, while a client of another, live engagement acts again
/// and again (signs their contract through the form) and the time to their next email (the intake invitation) is
/// measured. Prints <c>key: value</c> lines.
/// </summary>
internal static class CohortBench
{
    private const string Program = "career-6";
    private const int LiveEngagements = 40;
    private static readonly TimeSpan LivePause = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(20);

    public static async Task<int> RunAsync(string storage, int smtpPort, Uri inbox, string appDll, string cliDll, int rows)
    {
        var run = $"{DateTime.UtcNow.Ticks % 1_000_000_000}";
        var environment = new Dictionary<string, string>
        {
            ["CoachFlow__Storage__ConnectionString"] = storage,
            ["CoachFlow__Storage__Prefix"] = $"benchcohort{run}",
            ["CoachFlow__Smtp__Port"] = $"{smtpPort}",
        };
        string coachToken, adminToken;
        LocalHostProcess started;
        try
        {
            coachToken = await LocalHostProcess.SeedDemoAsync(cliDll, environment);
            adminToken = await LocalHostProcess.AdminAsync(cliDll, ["add-user", "--firm", "firm-demo", "--name", "Bench Admin", "--email", "bench-admin@northwind.example", "--role", "firm-admin"], environment);
            started = await LocalHostProcess.StartAsync(appDll, environment, TimeSpan.FromSeconds(90));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
        await using var app = started;
        using var coach = Client(app.Address, coachToken);
        using var admin = Client(app.Address, adminToken);
        using var mail = new MaildevInbox(inbox);
        try
        {
            // The live engagements, started and emailed before the import begins: each gives one sample during it.
            var live = new List<(string Id, Uri Link)>();
            for (var i = 0; i < LiveEngagements; i++)
            {
                using var response = await coach.PostAsJsonAsync(new Uri("/api/engagements", UriKind.Relative),
                    new { clientName = "Live Client", clientEmail = $"live{i}.{run}@example.test", programId = Program });
                var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                var contract = await mail.WaitForAsync(id, EmailKinds.ContractInvitation, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1));
                live.Add((id, contract.Link ?? throw new InvalidOperationException($"The contract email of {id} holds no link.")));
            }
            await mail.ClearAsync();

            var csv = new StringBuilder("client name,client email,coach,overall goals,time zone\n");
            var emails = Enumerable.Range(1, rows).Select(i => $"cohort{i}.{run}@example.test").ToList();
            foreach (var (email, i) in emails.Select((e, i) => (e, i))) csv.Append(CultureInfo($"Cohort Client {i},{email},coach-demo,A leadership role within 12–18 months|Five informational interviews a quarter,Europe/Paris\n"));
            using var upload = await admin.PostAsync(new Uri($"/api/cohorts?name=Bench%20{run}&program={Program}", UriKind.Relative), new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
            var report = await upload.Content.ReadFromJsonAsync<JsonElement>();
            if (upload.StatusCode != HttpStatusCode.OK || report.GetProperty("valid").GetInt32() != rows)
                throw new InvalidOperationException($"The upload answered {(int)upload.StatusCode}: {report}");
            var cohortId = report.GetProperty("id").GetString()!;
            var ids = emails.Select(e => EngagementService.CohortEngagementId("firm-demo", cohortId, e)).ToHashSet(StringComparer.Ordinal);

            var clock = Stopwatch.StartNew();
            var cpu0 = app.CpuTime;
            using (var start = await admin.PostAsync(new Uri($"/api/cohorts/{cohortId}/start", UriKind.Relative), null))
                if (start.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"Starting the cohort answered {(int)start.StatusCode}.");

            using var importDone = new CancellationTokenSource();
            var sampling = SampleLiveAsync(app, mail, live, importDone.Token);
            var emailed = new HashSet<string>(StringComparer.Ordinal);
            var (seen, startsDone) = (0, (double?)null);
            while (clock.Elapsed < Limit)
            {
                var fresh = await mail.ListAsync(EmailKinds.ContractInvitation, skip: seen);
                seen += fresh.Count;
                foreach (var email in fresh) if (email.EngagementId is { } id && ids.Contains(id)) emailed.Add(id);
                if (startsDone is null && (await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/cohorts/{cohortId}", UriKind.Relative))).GetProperty("status").GetString() == "completed")
                    startsDone = clock.Elapsed.TotalSeconds;
                if (emailed.Count == ids.Count) break;
                await Task.Delay(250);
            }
            var elapsed = clock.Elapsed.TotalSeconds;
            await importDone.CancelAsync();
            var latencies = await sampling;
            var final = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/cohorts/{cohortId}", UriKind.Relative));

            BenchOutput.Line("cohort_program", Program);
            BenchOutput.Line("cohort_rows", rows);
            BenchOutput.Line("cohort_import_s", elapsed, "0.0");
            BenchOutput.Line("cohort_complete", emailed.Count == ids.Count ? "yes" : $"no: {ids.Count - emailed.Count} of {ids.Count} had no contract email after {Limit.TotalMinutes:0} min");
            BenchOutput.Line("cohort_starts_done_s", startsDone ?? double.NaN, "0.0");
            BenchOutput.Line("cohort_started", final.GetProperty("started").GetInt32());
            BenchOutput.Line("cohort_app_cpu_s", (app.CpuTime - cpu0).TotalSeconds, "0.0");
            BenchOutput.Line("live_action_samples", latencies.Count);
            BenchOutput.Line("live_action_to_email_p50_ms", BenchOutput.Percentile(latencies, 0.50), "0");
            BenchOutput.Line("live_action_to_email_p95_ms", BenchOutput.Percentile(latencies, 0.95), "0");
            BenchOutput.Line("live_action_to_email_max_ms", latencies.Count == 0 ? double.NaN : latencies.Max(), "0");
            return 0;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or HttpRequestException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"{ex.Message}\nThe app's last lines:\n{app.Output}");
            return 1;
        }
    }

    /// <summary>
    /// While the import runs, one live client after another signs their contract through the form; each sample is the
    /// time from just before the form is posted until that engagement's intake invitation is in the inbox.
    /// </summary>
    private static async Task<List<double>> SampleLiveAsync(LocalHostProcess app, MaildevInbox mail, List<(string Id, Uri Link)> live, CancellationToken importDone)
    {
        var latencies = new List<double>();
        foreach (var (id, link) in live)
        {
            if (importDone.IsCancellationRequested) break;
            using var client = new SigningClient(app.Address);
            var submit = await client.OpenAsync(link, "Live Client");
            var clock = Stopwatch.StartNew();
            var posted = submit();
            await mail.WaitForAsync(id, EmailKinds.IntakeInvitation, TimeSpan.FromMilliseconds(25), TimeSpan.FromMinutes(2));
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            await posted;
            try { await Task.Delay(LivePause, importDone); } catch (OperationCanceledException) { break; }
        }
        return latencies;
    }

    private static string CultureInfo(FormattableString line) => FormattableString.Invariant(line);

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
