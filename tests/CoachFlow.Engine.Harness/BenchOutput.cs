using System.Globalization;

namespace CoachFlow.Engine.Harness;

/// <summary>The benchmarks' <c>key: value</c> lines and the percentiles they report.</summary>
internal static class BenchOutput
{
    public static void Line(string key, double value, string format = "0.##") => Console.WriteLine($"{key}: {value.ToString(format, CultureInfo.InvariantCulture)}");

    public static void Line(string key, string value) => Console.WriteLine($"{key}: {value}");

    /// <summary>The nearest-rank percentile (<paramref name="fraction"/> 0.5 is the median); NaN for no samples.</summary>
    public static double Percentile(IReadOnlyList<double> samples, double fraction)
    {
        if (samples.Count == 0) return double.NaN;
        var sorted = samples.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * fraction) - 1)];
    }
}
