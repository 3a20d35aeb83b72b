using System.CommandLine;
using CoachFlow.Orchestrations;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Web.DataRights;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Programs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace CoachFlow.Cli;

/// <summary>
/// <c>export --firm F [--engagement ID | --client-email E] [--out FILE]</c>: the firm's data (or one
/// engagement's, or one client's) as the API's ZIP, read straight from storage as the firm's admin (<c>cli</c>). A live
/// progress bar on a terminal, <c>progress: n of N engagements</c> lines otherwise; ends with <c>engagements: N</c>,
/// <c>documents: N</c>, <c>bytes: N</c> and <c>file: PATH</c>.
/// </summary>
/// <remarks>
/// It needs the storage only (Azurite locally), not a running CoachFlow. The ZIP is written beside its final name and
/// renamed when complete, so an interrupted export never leaves a file that looks whole.
/// </remarks>
public static class ExportCommand
{
    /// <summary>Exit codes: 0 written; 1 the storage did not answer; 2 bad arguments (no such firm, two scopes, a malformed email); 3 nothing to export.</summary>
    internal static Command Create()
    {
        var firm = new Option<string>("--firm") { Description = "The firm's id", Required = true };
        var engagement = new Option<string?>("--engagement") { Description = "Only this engagement" };
        var clientEmail = new Option<string?>("--client-email") { Description = "Only this client's engagements (their email address)" };
        var output = new Option<string?>("--out") { Description = "The ZIP to write (default: coachflow-export-<firm>-<scope>-<time>.zip here)" };
        var export = new Command("export", "Export a firm's data (or one engagement's, or one client's) as a ZIP: JSON of everything held, the documents as HTML, a README")
            { firm, engagement, clientEmail, output };
        export.SetAction(async (parse, ct) =>
        {
            try
            {
                return await ExportAsync(parse.GetValue(firm)!, parse.GetValue(engagement), parse.GetValue(clientEmail), parse.GetValue(output), ct);
            }
            catch (EngagementNotFoundException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 3;
            }
        });
        return export;
    }

    private static async Task<int> ExportAsync(string firmId, string? engagementId, string? clientEmail, string? output, CancellationToken ct)
    {
        if (engagementId is not null && clientEmail is not null) throw new BadInputException("Export one engagement (--engagement) or one client (--client-email), not both.");
        await using var services = Services(new ConfigurationBuilder().AddEnvironmentVariables().Build());
        var tenancy = services.GetRequiredService<TenancyStore>();
        var exports = services.GetRequiredService<ExportService>();
        var firm = await tenancy.GetFirmAsync(firmId, ct) ?? throw new BadInputException($"There is no firm '{firmId}'.");
        var caller = new Caller(firm, new Coach(firm.FirmId, "cli", "Command line", "", Role.FirmAdmin));
        var scope = engagementId is not null ? await exports.EngagementAsync(caller, engagementId, ct)
            : clientEmail is not null ? await exports.ClientAsync(caller, EngagementService.ClientIdOf(firm.FirmId, TenancyStore.RequireEmail(clientEmail.Trim())), ct)
            : await exports.CallerAsync(caller, ct);
        if (scope.EngagementIds.Count == 0)
        {
            Console.Error.WriteLine(clientEmail is not null ? "No engagement of a client with this email address is in the firm." : "The firm has no engagements to export.");
            return 3;
        }

        var path = Path.GetFullPath(output ?? scope.FileName(exports.Now));
        var partial = path + ".partial";
        ExportSummary summary;
        try
        {
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
                summary = await WithProgressAsync(scope.EngagementIds.Count, progress => exports.WriteAsync(scope, file, progress, ct));
            File.Move(partial, path, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
        Console.WriteLine($"engagements: {summary.Engagements}");
        Console.WriteLine($"documents: {summary.Documents}");
        Console.WriteLine($"bytes: {new FileInfo(path).Length}");
        Console.WriteLine($"file: {path}");
        return 0;
    }

    /// <summary>
    /// The host's storage, tenancy and documents (<c>AddCoachFlowServices</c>), the read model and the export with its
    /// parts: what the API exports with, without the engine (the benchmark exports with it too).
    /// </summary>
    public static ServiceProvider Services(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(); // no console provider: the command prints its own lines
        services.AddCoachFlowServices(configuration);
        services.AddSingleton(sp => new EngagementStore(sp.GetRequiredService<StorageAccount>().Tables, sp.GetRequiredService<StorageOptions>().CheckedPrefix));
        services.AddSingleton(ProgramCatalog.BuiltIn);
        services.AddSingleton(new EngagementWorkflow(ProgramCatalog.BuiltIn));
        services.AddExports();
        return services.BuildServiceProvider();
    }

    private static async Task<T> WithProgressAsync<T>(int total, Func<IProgress<ExportProgress>, Task<T>> run)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
            return await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("Exporting engagements", maxValue: Math.Max(1, total));
                    return await run(new Reporter(p => task.Value = p.Done));
                });
        // At most about a hundred lines, whatever the firm's size.
        var every = Math.Max(1, total / 100);
        return await run(new Reporter(p =>
        {
            if (p.Done % every == 0 || p.Done == p.Total) Console.WriteLine($"progress: {p.Done} of {p.Total} engagements");
        }));
    }

    /// <summary>Reports on the writer's own thread, in order (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class Reporter(Action<ExportProgress> report) : IProgress<ExportProgress>
    {
        public void Report(ExportProgress value) => report(value);
    }
}
