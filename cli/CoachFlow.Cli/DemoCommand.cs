using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoachFlow.Orchestrations.ReadModel;

namespace CoachFlow.Cli;

/// <summary>
/// <c>demo APP TOKEN INBOX</c> (<c>./coachflow demo</c>): runs the accelerated program end to end against a running CoachFlow, acting as the
/// coach (through the coach API, like the extension) and as the client (through the links in the emails that
/// arrive in the local inbox, filling in the very pages a client sees). It prints each phase as it happens.
/// The tests drive whole engagements with it too (<see cref="DriveAsync"/>, <see cref="DemoClient"/>).
/// </summary>
public static partial class DemoCommand
{
    /// <summary>Exit codes: 0 the engagement closed; 1 it failed to start or did not finish within ten minutes.</summary>
    internal static Command Create()
    {
        var app = new Argument<string>("app") { Description = "The running CoachFlow, e.g. http://127.0.0.1:7071" };
        var token = new Argument<string>("token") { Description = "A coach's access token (./coachflow run prints the demo coach's)" };
        var inbox = new Argument<string>("inbox") { Description = "The local inbox (maildev), e.g. http://127.0.0.1:1080" };
        var demo = new Command("demo", "Run the accelerated program end to end against a running CoachFlow, as its coach and its client") { app, token, inbox };
        demo.SetAction(async (parse, ct) =>
        {
            var (exitCode, _) = await DriveAsync(new Uri(parse.GetValue(app)!), parse.GetValue(token)!, new Uri(parse.GetValue(inbox)!), TimeSpan.FromMinutes(10),
                $"jordan.{Guid.NewGuid().ToString("N")[..6]}@example.com", sponsorId: null, Console.Out);
            return exitCode;
        });
        return demo;
    }

    /// <summary>One whole engagement for <paramref name="clientEmail"/> (sponsored by <paramref name="sponsorId"/> if set), told on <paramref name="log"/>.</summary>
    /// <param name="clientName">The client's name, also what they type where a page asks for their name (the signature).</param>
    /// <returns>0 when it closed, and the engagement's id once it started.</returns>
    public static async Task<(int ExitCode, string? EngagementId)> DriveAsync(Uri app, string token, Uri inbox, TimeSpan limit, string clientEmail, string? sponsorId, TextWriter log,
        string clientName = "Jordan Demo")
    {
        void Say(string line) => log.WriteLine($"{DateTime.Now:HH:mm:ss}  {line}");
        using var coach = new HttpClient { BaseAddress = app, Timeout = TimeSpan.FromSeconds(30) };
        coach.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var mail = new HttpClient { BaseAddress = inbox, Timeout = TimeSpan.FromSeconds(10) };
        var client = new DemoClient(app, clientName);

        Say($"Coach starts an engagement for {clientName} <{clientEmail}> on the accelerated program.");
        using var started = await coach.PostAsJsonAsync("/api/engagements", new
        {
            clientName,
            clientEmail,
            programId = "demo-accelerated",
            overallGoals = new[] { "A leadership role in renewable energy within 12–18 months with at least 15% higher total pay" },
            sponsorId,
        });
        if (!started.IsSuccessStatusCode) return (Fail(log, $"Starting failed: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}"), null);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Say($"Engagement {id} started.");

        var handled = new HashSet<string>(StringComparer.Ordinal);
        var lastPhase = "";
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var detail = await coach.GetFromJsonAsync<JsonElement>($"/api/engagements/{id}");
            var phase = detail.GetProperty("phase").GetString()!;
            var waiting = detail.GetProperty("waitingFor").GetString();
            if (phase + waiting != lastPhase)
            {
                Say($"Phase: {phase}{(waiting is null ? "" : $" — waiting for {waiting}")}");
                lastPhase = phase + waiting;
            }
            if (EngagementStatus.IsOver(detail.GetProperty("status").GetString()))
            {
                Say($"The engagement is {detail.GetProperty("status").GetString()}. Documents: {string.Join(", ", detail.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("name").GetString()))}.");
                Say($"Every email it sent is in the local inbox: {inbox}");
                return (0, id);
            }

            foreach (var (subject, link) in await NewClientEmailsAsync(mail, clientEmail, handled))
            {
                Say($"Client gets an email: “{subject}”.");
                if (link is not null) Say("  " + await client.AnswerAsync(link));
            }
            await CoachActsAsync(coach, id, waiting, detail, Say);
            await Task.Delay(TimeSpan.FromMilliseconds(700));
        }
        return (Fail(log, $"The engagement did not finish within {limit.TotalMinutes:0} minutes."), id);
    }

    private static async Task CoachActsAsync(HttpClient coach, string id, string? waiting, JsonElement detail, Action<string> say)
    {
        if (waiting is null) return;
        if (SchedulingRegex().Match(waiting) is { Success: true } scheduling)
        {
            var number = int.Parse(scheduling.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            await Post(say, coach, $"/api/engagements/{id}/sessions", new { number, startAt = DateTimeOffset.UtcNow.AddSeconds(6), timeZoneId = "Europe/Berlin" }, $"Coach schedules session {number}.");
        }
        else if (SessionRegex().Match(waiting) is { Success: true } session)
        {
            var number = int.Parse(session.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var record = detail.GetProperty("sessions").EnumerateArray().FirstOrDefault(s => s.GetProperty("number").GetInt32() == number);
            if (record.ValueKind != JsonValueKind.Object) return;
            if (!record.GetProperty("agreementCaptured").GetBoolean())
                await Put(say, coach, $"/api/engagements/{id}/sessions/{number}/agreement", Agreement(number), $"Coach captures the session {number} agreement (GROW, goals, the client's actions).");
            else if (record.GetProperty("startAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow)
                await Post(say, coach, $"/api/engagements/{id}/sessions/{number}/held", new { }, $"Coach marks session {number} held.");
        }
        else if (ReviewRegex().Match(waiting) is { Success: true })
        {
            var number = detail.GetProperty("reassessments").EnumerateArray().Last().GetProperty("number").GetInt32();
            await Post(say, coach, $"/api/engagements/{id}/reassessments/{number}/review",
                new { goalUpdates = new[] { "Keep the renewable-energy target; add two informational interviews a month" }, droppedActionIds = Array.Empty<string>(), amendmentNeeded = false },
                $"Coach reviews reassessment {number} with the client.");
        }
        else if (waiting == "maintenance-plan-draft")
        {
            await Post(say, coach, $"/api/engagements/{id}/maintenance-plan", new
            {
                frameworks = new[] { "GROW for decisions", "A weekly review on Friday afternoons" },
                valuesAndStrengths = new[] { "Curiosity", "Steadiness under pressure" },
                goalTracking = "A one-page scorecard of leading indicators, updated weekly",
                retreatCadence = "A half-day self-coaching retreat every quarter",
                supportTriggers = new[] { "A step up to an executive role", "Six months without progress" },
                outcomes = "An offer for a team-lead role in a solar company",
            }, "Coach drafts the maintenance plan and sends it for the client to confirm.");
        }
    }

    private static object Agreement(int number) => new
    {
        grow = new
        {
            goal = $"Session {number}: decide the next concrete step towards a renewable-energy leadership role",
            reality = "Two informational interviews held; the network in the sector is still thin",
            options = "Ask former colleagues for introductions; join an industry meetup; write to two hiring managers",
            will = "Ask three former colleagues for one introduction each",
        },
        goals = new[] { new { description = "Know which two companies to approach first", measure = "Two names written down with a reason for each" } },
        actions = new[] { new { description = "Ask three former colleagues for one introduction each", dueAt = DateTimeOffset.UtcNow.AddSeconds(8), obstacle = "Feeling awkward asking", mitigation = "Use a short, friendly template message" } },
        accountability = "A short check-in email when the action is due",
        leadingIndicators = new[] { new { name = "Informational interviews", target = "5 by the end of the quarter" } },
        takeaways = "Asking for help is part of the job search, not a favour",
        sharedNotes = "Good energy today; the client chose the action themselves.",
        privateCoachNotes = "Watch for perfectionism around outreach.",
    };

    private static async Task<List<(string Subject, Uri? Link)>> NewClientEmailsAsync(HttpClient mail, string address, HashSet<string> handled)
    {
        JsonElement emails;
        try { emails = await mail.GetFromJsonAsync<JsonElement>("/api/email"); } // maildev 3 serves its REST API under /api
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException) { return []; }
        var found = new List<(string, Uri?)>();
        foreach (var email in emails.EnumerateArray())
        {
            var to = email.GetProperty("to").EnumerateArray().Select(t => t.GetProperty("address").GetString()).ToList();
            var emailId = email.GetProperty("id").GetString()!;
            if (!to.Contains(address) || !handled.Add(emailId)) continue;
            var text = email.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "";
            var link = LinkRegex().Match(text);
            found.Add((email.GetProperty("subject").GetString() ?? "", link.Success ? new Uri(link.Value) : null));
        }
        return found;
    }

    private static async Task Post(Action<string> say, HttpClient coach, string path, object body, string what)
    {
        using var response = await coach.PostAsJsonAsync(path, body);
        say(response.IsSuccessStatusCode ? what : $"{what} → {(int)response.StatusCode}: {await Detail(response)}");
    }

    private static async Task Put(Action<string> say, HttpClient coach, string path, object body, string what)
    {
        using var response = await coach.PutAsJsonAsync(path, body);
        say(response.IsSuccessStatusCode ? what : $"{what} → {(int)response.StatusCode}: {await Detail(response)}");
    }

    private static async Task<string> Detail(HttpResponseMessage response)
    {
        try { return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString() ?? ""; }
        catch (JsonException) { return ""; }
    }

    private static int Fail(TextWriter log, string message)
    {
        log.WriteLine(message);
        return 1;
    }

    [GeneratedRegex(@"^session-(\d+)-scheduling$")]
    private static partial Regex SchedulingRegex();

    [GeneratedRegex(@"^session-(\d+)$")]
    private static partial Regex SessionRegex();

    [GeneratedRegex(@"-review$")]
    private static partial Regex ReviewRegex();

    [GeneratedRegex(@"https?://[^\s""'<>]+/c/[A-Za-z0-9._~-]+")]
    private static partial Regex LinkRegex();
}

/// <summary>The client's side: opens a link, fills in whatever form the page shows as a thoughtful client would, and submits it.</summary>
public sealed partial class DemoClient(Uri app, string clientName)
{
    private readonly HttpClient _http = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true }) { BaseAddress = app, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Rating forms sent so far: the intake baseline is 4, each reassessment two points higher.</summary>
    private int _ratingForms;

    public async Task<string> AnswerAsync(Uri link)
    {
        using var page = await _http.GetAsync(link.PathAndQuery);
        var html = await page.Content.ReadAsStringAsync();
        var title = TitleRegex().Match(html) is { Success: true } t ? WebUtility.HtmlDecode(t.Groups[1].Value).Trim() : link.AbsolutePath;
        if (!page.IsSuccessStatusCode) return $"The page says: {title} ({(int)page.StatusCode}).";
        var form = FormRegex().Match(html);
        if (!form.Success) return $"Client reads “{title}”.";

        var fields = new List<KeyValuePair<string, string>>();
        var rated = false;
        var body = form.Groups[2].Value;
        foreach (Match input in InputRegex().Matches(body))
        {
            var attrs = Attributes(input.Value);
            if (!attrs.TryGetValue("name", out var name)) continue;
            var type = attrs.GetValueOrDefault("type", "text");
            switch (type)
            {
                case "hidden": fields.Add(new(name, attrs.GetValueOrDefault("value", ""))); break;
                case "checkbox": fields.Add(new(name, attrs.GetValueOrDefault("value", "on"))); break;
                case "radio":
                    if (fields.Any(f => f.Key == name)) break;
                    var options = InputRegex().Matches(body).Select(m => Attributes(m.Value)).Where(a => a.GetValueOrDefault("name") == name).Select(a => a.GetValueOrDefault("value", "")).ToList();
                    var score = Math.Min(10, 4 + 2 * _ratingForms).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (options.Contains("10")) rated = true; // a 1–10 rating: rises from form to form, as a client who is progressing
                    fields.Add(new(name, options.Contains("10") && options.Contains(score) ? score : options.Contains("partly") ? "partly" : options.Contains("yes") ? "yes" : options[0]));
                    break;
                case "text" or "email" or "number":
                    fields.Add(new(name, name.Contains("name", StringComparison.OrdinalIgnoreCase) ? clientName : type == "number" ? "7" : Answer(name)));
                    break;
            }
        }
        foreach (Match area in TextareaRegex().Matches(body))
            fields.Add(new(Attributes(area.Groups[1].Value)["name"], Answer(Attributes(area.Groups[1].Value)["name"])));
        var buttons = ButtonRegex().Matches(body).Select(b => Attributes(b.Groups[1].Value)).Where(a => a.ContainsKey("name")).ToList();
        var submit = buttons.FirstOrDefault(b => b.GetValueOrDefault("value", "").Contains("submit", StringComparison.OrdinalIgnoreCase)) ?? buttons.LastOrDefault();
        if (submit is not null) fields.Add(new(submit["name"], submit.GetValueOrDefault("value", "")));

        var action = Attributes(form.Groups[1].Value).GetValueOrDefault("action", link.PathAndQuery);
        using var posted = await _http.PostAsync(WebUtility.HtmlDecode(action), new FormUrlEncodedContent(fields));
        if (rated && posted.IsSuccessStatusCode) _ratingForms++;
        var result = await posted.Content.ReadAsStringAsync();
        var heading = TitleRegex().Match(result) is { Success: true } r ? WebUtility.HtmlDecode(r.Groups[1].Value).Trim() : "";
        return $"Client opens “{title}”, fills it in and sends it → {heading} ({(int)posted.StatusCode}).";
    }

    private static string Answer(string field) => field switch
    {
        var f when f.Contains("learn", StringComparison.OrdinalIgnoreCase) => "Asking went better than I feared; one colleague introduced me the same day.",
        var f when f.Contains("want", StringComparison.OrdinalIgnoreCase) => "Pick the first two companies to approach.",
        var f when f.Contains("trigger", StringComparison.OrdinalIgnoreCase) => "",
        _ => "Led the migration of our reporting platform; cut month-end close from 9 to 4 days.",
    };

    private static Dictionary<string, string> Attributes(string tag) =>
        AttributeRegex().Matches(tag).GroupBy(m => m.Groups[1].Value.ToLowerInvariant()).ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.First().Groups[3].Value), StringComparer.Ordinal);

    [GeneratedRegex(@"<h1[^>]*>(.*?)</h1>", RegexOptions.Singleline)]
    private static partial Regex TitleRegex();

    [GeneratedRegex(@"<form([^>]*)>(.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex FormRegex();

    [GeneratedRegex(@"<input\b[^>]*>", RegexOptions.Singleline)]
    private static partial Regex InputRegex();

    [GeneratedRegex(@"<textarea\b([^>]*)>", RegexOptions.Singleline)]
    private static partial Regex TextareaRegex();

    [GeneratedRegex(@"<button\b([^>]*)>", RegexOptions.Singleline)]
    private static partial Regex ButtonRegex();

    [GeneratedRegex(@"([a-zA-Z_:-]+)=(""|')(.*?)\2", RegexOptions.Singleline)]
    private static partial Regex AttributeRegex();
}
