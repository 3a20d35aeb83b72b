using System.Diagnostics;

namespace CoachFlow.Documents.Tests;

/// <summary>poppler-utils, the PDF tools a reader's machine has: text extraction and the font list (`./coachflow test` installs them).</summary>
internal static class Poppler
{
    public static string Text(byte[] pdf) => Run("pdftotext", pdf, "-layout", "{pdf}", "-");

    public static string Fonts(byte[] pdf) => Run("pdffonts", pdf, "{pdf}");

    private static string Run(string tool, byte[] pdf, params string[] args)
    {
        var path = Path.Combine(Path.GetTempPath(), $"coachflow-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(path, pdf);
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) start.ArgumentList.Add(a == "{pdf}" ? path : a);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {error}");
            return output.Result;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
