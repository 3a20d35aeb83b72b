using CoachFlow.Testing;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>One real Azurite for a test class; every test takes its own task hub and table prefix.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private static int _next;
    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _azurite = await AzuriteProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    /// <summary>A name for one test's task hub and tables (letters and digits).</summary>
    public static string UniqueName() => $"t{Environment.ProcessId % 10000}x{Interlocked.Increment(ref _next)}";
}
