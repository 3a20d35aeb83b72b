namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>
/// Stopping the local host when its storage has already gone, as Ctrl+C on <c>./coachflow run</c> stops Azurite and the
/// app together: the Azure Storage provider's stop would retry releasing its leases for ever; the host exits instead.
/// </summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task GivenARunningHostWhoseAzuriteHasStopped_WhenTheHostIsAskedToStop_ThenItExitsInsteadOfWaitingForStorageForEver()
    {
        var azurite = await Azurite.StartAsync();
        await using var app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, azurite.ConnectionString);
        (await app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();

        await azurite.DisposeAsync(); // storage gone first

        // The host's own shutdown allows its services 30 s, then the engine's stop at most 10 s more.
        Assert.True(await app.TerminateAsync(TimeSpan.FromSeconds(90)), $"The host was still running 90 s after SIGTERM:\n{app.Output}");
    }
}
