namespace CoachFlow.Functions.Tests;

internal static class Sets
{
    /// <summary>Equal as sets, in both directions; the message names what one side has and the other lacks.</summary>
    public static void AssertSame(IEnumerable<string> expected, IEnumerable<string> actual, string expectedSide, string actualSide)
    {
        var e = expected.ToHashSet(StringComparer.Ordinal);
        var a = actual.ToHashSet(StringComparer.Ordinal);
        var missing = e.Except(a).Order(StringComparer.Ordinal).ToList();
        var extra = a.Except(e).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{actualSide} lacks what {expectedSide} has: [{string.Join(", ", missing)}]; " +
            $"{actualSide} has what {expectedSide} lacks: [{string.Join(", ", extra)}]");
        Assert.NotEmpty(e);
    }
}
