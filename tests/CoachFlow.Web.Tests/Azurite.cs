using CoachFlow.Testing;

namespace CoachFlow.Web.Tests;

/// <summary>A real Azurite (from the repository's node_modules) on free ports, in memory.</summary>
public sealed class Azurite : IAsyncDisposable
{
    private readonly AzuriteProcess _azurite;

    private Azurite(AzuriteProcess azurite) => _azurite = azurite;

    public string ConnectionString => _azurite.ConnectionString;

    public static async Task<Azurite> StartAsync() => new(await AzuriteProcess.StartAsync());

    public ValueTask DisposeAsync() => _azurite.DisposeAsync();
}
