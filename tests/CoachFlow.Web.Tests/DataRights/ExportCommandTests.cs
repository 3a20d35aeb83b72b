using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CoachFlow.Web.Tests.DataRights;

/// <summary><c>./coachflow export</c>: the command line (cli/CoachFlow.Cli), run as a process on the fixture's storage.</summary>
[Collection(ExportCollection.Name)]
public sealed partial class ExportCommandTests(ExportFixture fx)
{
    [Fact]
    public async Task GivenAnEngagement_WhenTheCommandExportsItToAFile_ThenTheFileIsAValidZIPAndTheCommandPrintsItsLines()
    {
        var id = await fx.StartAsync(fx.CleoApi, $"ivy-{Guid.NewGuid():N}@client.test");
        var file = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.zip");
        try
        {
            var (exit, output) = await ExportAsync("--firm", fx.FirmA, "--engagement", id, "--out", file);

            Assert.True(exit == 0, output);
            Assert.Equal("1", Value(output, "engagements"));
            Assert.Equal("1", Value(output, "documents")); // the contract
            Assert.Equal(new FileInfo(file).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Value(output, "bytes"));
            Assert.Equal(file, Value(output, "file"));
            Assert.Contains("progress: 1 of 1 engagements", output, StringComparison.Ordinal); // not a terminal: plain lines
            var zip = new ExportZip(await File.ReadAllBytesAsync(file));
            Assert.Equal(("engagement", "firm-admin", "cli"), (zip.Manifest.GetProperty("scope").GetProperty("kind").GetString(),
                zip.Manifest.GetProperty("requestedBy").GetProperty("role").GetString(), zip.Manifest.GetProperty("requestedBy").GetProperty("id").GetString()));
            Assert.Contains($"engagements/{id}/documents/contract-v1.html", zip.Names);
            Assert.False(File.Exists(file + ".partial"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task GivenNothingToExportOrBadArguments_WhenTheCommandRuns_ThenItExitsNonZeroWithAReasonAndWritesNoFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.zip");

        var nobody = await ExportAsync("--firm", fx.FirmA, "--client-email", $"nobody-{Guid.NewGuid():N}@client.test", "--out", file);
        var noFirm = await ExportAsync("--firm", "firm-nope", "--out", file);
        var both = await ExportAsync("--firm", fx.FirmA, "--engagement", "eng-x", "--client-email", "a@b.test", "--out", file);
        var unknown = await ExportAsync("--firm", fx.FirmA, "--engagement", "eng-does-not-exist", "--out", file);
        var missing = await ExportAsync("--out", file);

        Assert.Equal(3, nobody.ExitCode);
        Assert.Contains("No engagement of a client with this email address", nobody.Output, StringComparison.Ordinal);
        Assert.Equal(2, noFirm.ExitCode);
        Assert.Contains("There is no firm 'firm-nope'.", noFirm.Output, StringComparison.Ordinal);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("not both", both.Output, StringComparison.Ordinal);
        Assert.Equal(3, unknown.ExitCode);
        Assert.Contains("eng-does-not-exist", unknown.Output, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--firm", missing.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    private async Task<(int ExitCode, string Output)> ExportAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Repository.CliDll, "export", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["CoachFlow__Storage__ConnectionString"] = fx.ConnectionString;
        start.Environment["CoachFlow__Storage__Prefix"] = fx.Prefix;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string Value(string output, string key) =>
        LineRegex().Matches(output).FirstOrDefault(m => m.Groups[1].Value == key)?.Groups[2].Value.Trim()
        ?? throw new Xunit.Sdk.XunitException($"No '{key}:' line in: {output}");

    [GeneratedRegex(@"^([a-z-]+): (.+)$", RegexOptions.Multiline)]
    private static partial Regex LineRegex();
}
