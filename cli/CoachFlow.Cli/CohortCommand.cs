using System.CommandLine;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.Cohorts;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Workflows.Programs;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace CoachFlow.Cli;

/// <summary>
/// <c>cohort import FILE.csv --firm F --program P --name N [--valid-only]</c>: validates the file and
/// enqueues its import through <see cref="CohortService"/> (what the API calls), then follows the running CoachFlow's
/// worker as it starts the rows: a live progress bar on a terminal, plain lines otherwise. Ends with
/// <c>started: N</c>, <c>already started: N</c>, <c>rejected: N</c> and the path of the rejected rows' CSV.
/// </summary>
internal static class CohortCommand
{
    /// <summary>Exit codes: 0 imported; 1 CoachFlow is not running or stopped making progress; 2 bad arguments or file; 3 bad rows and no --valid-only.</summary>
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "The CSV file: a header row, then one client per line (see docs/cohorts.md)" };
        var firm = new Option<string>("--firm") { Description = "The firm's id", Required = true };
        var program = new Option<string>("--program") { Description = "The program every engagement of the cohort is on, e.g. career-6", Required = true };
        var name = new Option<string>("--name") { Description = "The cohort's name (the same name again is the same cohort)", Required = true };
        var validOnly = new Option<bool>("--valid-only") { Description = "Start the valid rows even when some rows are bad" };
        var app = new Option<string>("--app") { Description = "The running CoachFlow, whose worker starts the rows", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
        var report = new Option<string?>("--report") { Description = "Where the rejected rows' CSV goes (default: beside the file, <file>.rejected.csv)" };

        var import = new Command("import", "Validate a cohort file, then start its engagements through the running CoachFlow") { file, firm, program, name, validOnly, app, report };
        import.SetAction((parse, ct) => ImportAsync(parse.GetValue(file)!, parse.GetValue(firm)!, parse.GetValue(program)!, parse.GetValue(name)!,
            parse.GetValue(validOnly), new Uri(parse.GetValue(app)!), parse.GetValue(report), ct));
        return new Command("cohort", "CoachFlow cohorts: import a CSV of clients (docs/cohorts.md)") { import };
    }

    private static async Task<int> ImportAsync(FileInfo file, string firmId, string programId, string name, bool validOnly, Uri app, string? reportPath, CancellationToken ct)
    {
        if (!file.Exists) throw new BadInputException($"There is no file '{file.FullName}'.");
        if (!await IsUpAsync(app, ct))
        {
            Console.Error.WriteLine($"CoachFlow is not running at {app}: its worker starts the rows. Start it first with ./coachflow run (in another terminal), then run this again.");
            return 1;
        }

        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var options = HostServices.StorageOptionsFrom(configuration);
        var storage = new StorageAccount(options);
        var tenancy = new TenancyStore(storage, TimeProvider.System);
        var store = new CohortStore(storage);
        await store.EnsureCreatedAsync(ct);
        var engagements = new EngagementStore(storage.Tables, storage.Prefix);
        var cohorts = new CohortService(store, tenancy, engagements, ProgramCatalog.BuiltIn, TimeProvider.System);
        var importOptions = new CohortImportOptions();
        configuration.GetSection(CohortImportOptions.Section).Bind(importOptions);

        var firm = await tenancy.GetFirmAsync(firmId, ct) ?? throw new BadInputException($"There is no firm '{firmId}'.");
        var caller = new Caller(firm, new Coach(firm.FirmId, "cli", "Command line", "", Role.FirmAdmin));
        var checkedFile = await cohorts.UploadAsync(caller, name, programId, await File.ReadAllBytesAsync(file.FullName, ct), ct);
        reportPath ??= Path.Combine(file.DirectoryName ?? ".", Path.GetFileNameWithoutExtension(file.Name) + ".rejected.csv");
        await File.WriteAllTextAsync(reportPath, CohortService.RejectedCsv((await store.ReadRejectionsAsync(
            await store.GetAsync(firm.FirmId, checkedFile.Id, ct) ?? throw new CohortNotFoundException(checkedFile.Id), ct)).Rows), ct);
        reportPath = Path.GetFullPath(reportPath);

        Console.WriteLine($"cohort: {checkedFile.Id} ({checkedFile.Name}, program {checkedFile.ProgramId})");
        Console.WriteLine($"rows: {checkedFile.Rows}, valid: {checkedFile.Valid}, bad: {checkedFile.Rejected}");
        if (checkedFile.Rejected > 0)
        {
            foreach (var bad in checkedFile.BadRows?.Take(20) ?? []) Console.WriteLine($"  line {bad.Line}: {bad.Reason}");
            if (checkedFile.Rejected > 20) Console.WriteLine($"  … and {checkedFile.Rejected - 20} more in the report");
            if (!validOnly)
            {
                Console.WriteLine($"Nothing was started: fix the rows and run this again, or add --valid-only to start the {checkedFile.Valid} valid rows.");
                Console.WriteLine("started: 0");
                Console.WriteLine("already started: 0");
                Console.WriteLine($"rejected: {checkedFile.Rejected}");
                Console.WriteLine($"rejected rows: {reportPath}");
                return 3;
            }
        }

        var run = await cohorts.StartAsync(caller, checkedFile.Id, validOnly, importOptions.Lease * 2, ct);
        var final = await FollowAsync(store, firm.FirmId, run.Id, run.Valid, ct);
        if (final is null)
        {
            Console.Error.WriteLine($"The import made no progress for {Stalled.TotalMinutes:0} minutes: is CoachFlow still running at {app}? Run this command again once it is: rows started already are not started twice.");
            return 1;
        }
        Console.WriteLine($"started: {final.Started}");
        Console.WriteLine($"already started: {final.AlreadyStarted}");
        Console.WriteLine($"rejected: {final.Rejected}");
        if (final.Failed > 0) Console.WriteLine($"failed: {final.Failed}");
        Console.WriteLine($"rejected rows: {reportPath}");
        return 0;
    }

    private static readonly TimeSpan Stalled = TimeSpan.FromMinutes(3);

    /// <summary>Reads the cohort's progress until it completes (null if it stops moving for <see cref="Stalled"/>): a live bar on a terminal, a line per change otherwise.</summary>
    private static async Task<Cohort?> FollowAsync(CohortStore store, string firmId, string cohortId, int rows, CancellationToken ct)
    {
        var (last, lastMove) = (-1, DateTime.UtcNow);
        async Task<Cohort?> NextAsync(Action<Cohort> show)
        {
            while (true)
            {
                var cohort = await store.GetAsync(firmId, cohortId, ct) ?? throw new CohortNotFoundException(cohortId);
                if (cohort.Processed != last)
                {
                    (last, lastMove) = (cohort.Processed, DateTime.UtcNow);
                    show(cohort);
                }
                if (cohort.Status == Cohort.Completed) return cohort;
                if (DateTime.UtcNow - lastMove > Stalled) return null;
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }

        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
            return await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("Starting engagements", maxValue: Math.Max(1, rows));
                    var result = await NextAsync(c => task.Value = c.Processed);
                    if (result is not null) task.Value = task.MaxValue;
                    return result;
                });
        return await NextAsync(c => Console.WriteLine($"progress: {c.Processed} of {rows} rows ({c.Started} started, {c.AlreadyStarted} already started)"));
    }

    private static async Task<bool> IsUpAsync(Uri app, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = app, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(new Uri("/api/health", UriKind.Relative), ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
