using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Engine.Harness;

/// <summary>
/// The whole host, measured from outside as a coach and clients meet it: the built local host as a child
/// process (its own task hub on the given storage, email over SMTP to the given maildev), the coach API with the
/// demo coach's token, and the emails in maildev. Prints <c>key: value</c> lines.
/// </summary>
/// <remarks>
/// Two phases, in this order: the latency of a client's action at idle (before the cohort, so nothing else
/// runs), then a cohort started through the API until every contract email is in the inbox.
/// </remarks>
internal static class ApiBench
{
    /// <summary>
    /// The cohort's program unless told otherwise, and the idle phase's: a real program, whose reminders are days
    /// away. On the accelerated demo program every waiting client is reminded every ten seconds, so a cohort of 1,000
    /// measures a flood of reminders (three for each contract email at 1,000) rather than the starts.
    /// </summary>
    public const string DefaultCohortProgram = "career-6";

    private const string IdleProgram = "career-6";

    private const int IdleSamples = 20;
    private static readonly TimeSpan IdlePause = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CohortLimit = TimeSpan.FromMinutes(20);

    public static async Task<int> RunAsync(string storage, int smtpPort, Uri inbox, string appDll, string cliDll, int engagements, int concurrency, string cohortProgram)
    {
        var run = $"{DateTime.UtcNow.Ticks % 1_000_000_000}";
        var environment = new Dictionary<string, string>
        {
            ["CoachFlow__Storage__ConnectionString"] = storage,
            ["CoachFlow__Storage__Prefix"] = $"benchapi{run}",
            ["CoachFlow__Smtp__Port"] = $"{smtpPort}",
        };
        string token;
        LocalHostProcess started;
        try
        {
            token = await LocalHostProcess.SeedDemoAsync(cliDll, environment);
            started = await LocalHostProcess.StartAsync(appDll, environment, TimeSpan.FromSeconds(90));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
        await using var app = started;
        using var coach = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromMinutes(2) };
        coach.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var mail = new MaildevInbox(inbox);
        try
        {
            await IdlePhaseAsync(app, coach, mail, run);
            await mail.ClearAsync();
            await CohortPhaseAsync(app, coach, mail, run, engagements, concurrency, cohortProgram);
            return 0;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or HttpRequestException)
        {
            Console.Error.WriteLine($"{ex.Message}\nThe app's last lines:\n{app.Output}");
            return 1;
        }
    }

    /// <summary>
    /// At idle, <see cref="IdleSamples"/> times (after one that warms up): an engagement starts, its contract email
    /// arrives, the host idles for <see cref="IdlePause"/>, the client opens the link; measured from just before the
    /// form is posted until the intake invitation for that engagement is in the inbox.
    /// </summary>
    private static async Task IdlePhaseAsync(LocalHostProcess app, HttpClient coach, MaildevInbox mail, string run)
    {
        var latencies = new List<double>();
        var answers = new ConcurrentDictionary<string, int>();
        for (var i = 0; i <= IdleSamples; i++)
        {
            var started = await StartAsync(coach, $"idle{i}.{run}@example.test", IdleProgram);
            if (started.Id is null) throw new InvalidOperationException($"Starting an engagement answered {started.Status}.");
            var contract = await mail.WaitForAsync(started.Id, EmailKinds.ContractInvitation, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1));
            await Task.Delay(IdlePause);
            using var client = new SigningClient(app.Address);
            var submit = await client.OpenAsync(contract.Link ?? throw new InvalidOperationException($"The contract email of {started.Id} holds no link."), $"Client {i}");
            var clock = Stopwatch.StartNew();
            var posted = submit();
            await mail.WaitForAsync(started.Id, EmailKinds.IntakeInvitation, TimeSpan.FromMilliseconds(25), TimeSpan.FromMinutes(1));
            var elapsed = clock.Elapsed.TotalMilliseconds;
            var status = await posted;
            if (i == 0) continue; // the warm-up
            latencies.Add(elapsed);
            answers.AddOrUpdate($"{(int)status}", 1, (_, n) => n + 1);
        }
        BenchOutput.Line("action_program", IdleProgram);
        BenchOutput.Line("action_samples", latencies.Count);
        BenchOutput.Line("action_form_answers", Histogram(answers));
        BenchOutput.Line("action_to_email_p50_ms", BenchOutput.Percentile(latencies, 0.50), "0");
        BenchOutput.Line("action_to_email_p95_ms", BenchOutput.Percentile(latencies, 0.95), "0");
    }

    /// <summary>
    /// <paramref name="engagements"/> starts through the API, <paramref name="concurrency"/> at a time, until every
    /// started engagement's contract email is in the inbox. The inbox is read every second (every quarter second once
    /// every start has been answered), each time only the contract emails that arrived since the last read.
    /// </summary>
    private static async Task CohortPhaseAsync(LocalHostProcess app, HttpClient coach, MaildevInbox mail, string run, int engagements, int concurrency, string program)
    {
        var started = new ConcurrentDictionary<string, byte>();
        var answers = new ConcurrentDictionary<string, int>();
        var apiMs = new ConcurrentBag<double>();
        var (appCpu0, benchCpu0) = (app.CpuTime, Process.GetCurrentProcess().TotalProcessorTime);
        var clock = Stopwatch.StartNew();
        var posting = Parallel.ForEachAsync(Enumerable.Range(1, engagements), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var answer = await StartAsync(coach, $"client{i}.{run}@example.test", program);
            apiMs.Add(answer.Elapsed.TotalMilliseconds);
            answers.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
            if (answer.Id is not null) started.TryAdd(answer.Id, 0);
        });

        var emailed = new HashSet<string>(StringComparer.Ordinal);
        var (emails, reads) = (0, 0);
        double? postsDone = null;
        var readTime = TimeSpan.Zero;
        while (true)
        {
            var read = Stopwatch.StartNew();
            var fresh = await mail.ListAsync(EmailKinds.ContractInvitation, skip: emails);
            readTime += read.Elapsed;
            reads++;
            emails += fresh.Count;
            foreach (var email in fresh) if (email.EngagementId is not null) emailed.Add(email.EngagementId);
            if (posting.IsCompleted)
            {
                postsDone ??= clock.Elapsed.TotalSeconds;
                if (started.Keys.All(emailed.Contains) || clock.Elapsed > CohortLimit) break;
            }
            await Task.Delay(posting.IsCompleted ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(1));
        }
        var elapsed = clock.Elapsed.TotalSeconds;
        await posting; // surfaces a failure of the client side itself
        var (appCpu, benchCpu) = ((app.CpuTime - appCpu0).TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - benchCpu0).TotalSeconds);

        var missing = started.Keys.Count(id => !emailed.Contains(id));
        BenchOutput.Line("cohort_program", program);
        BenchOutput.Line("cohort_engagements", engagements);
        BenchOutput.Line("cohort_concurrency", concurrency);
        BenchOutput.Line("cohort_api_answers", Histogram(answers));
        BenchOutput.Line($"cohort_{engagements}_s", elapsed, "0.0");
        BenchOutput.Line("cohort_complete", missing == 0 ? "yes" : $"no: {missing} of {started.Count} started engagements had no contract email after {CohortLimit.TotalMinutes:0} min");
        BenchOutput.Line("cohort_posts_s", postsDone ?? elapsed, "0.0");
        BenchOutput.Line("cohort_api_p50_ms", BenchOutput.Percentile([.. apiMs], 0.50), "0");
        BenchOutput.Line("cohort_api_p95_ms", BenchOutput.Percentile([.. apiMs], 0.95), "0");
        BenchOutput.Line("cohort_emails", emails);
        BenchOutput.Line("cohort_emailed_engagements", started.Keys.Count(emailed.Contains));
        BenchOutput.Line("cohort_inbox_reads", reads);
        BenchOutput.Line("cohort_inbox_read_s", readTime.TotalSeconds, "0.0");
        BenchOutput.Line("cohort_app_cpu_s", appCpu, "0.0");
        BenchOutput.Line("cohort_bench_cpu_s", benchCpu, "0.0");
    }

    private sealed record Started(string Status, string? Id, TimeSpan Elapsed);

    /// <summary><c>POST /api/engagements</c> as the extension sends it; the answer's status (or the exception's type) and the new engagement's id on 201.</summary>
    private static async Task<Started> StartAsync(HttpClient coach, string clientEmail, string program)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await coach.PostAsJsonAsync(new Uri("/api/engagements", UriKind.Relative), new
            {
                clientName = "Bench Client",
                clientEmail,
                programId = program,
                overallGoals = new[] { "A leadership role within 12–18 months" },
            });
            var id = response.StatusCode == HttpStatusCode.Created ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString() : null;
            return new Started($"{(int)response.StatusCode}", id, clock.Elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new Started(ex.GetType().Name, null, clock.Elapsed);
        }
    }

    /// <summary><c>201×998 500×2</c>: how often each answer came.</summary>
    private static string Histogram(IDictionary<string, int> counts) =>
        string.Join(' ', counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key}×{c.Value}"));
}
