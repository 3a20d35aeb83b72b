using System.Globalization;
using System.Net.Http.Headers;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>
/// What a crash test kills the host over and starts it again on: a fresh Azurite and maildev of its own, a storage prefix,
/// and Northwind Coaching with its admin (Avery) and a coach (Casey), each with a token. The host is started with this
/// maildev and with the engine's partition leases and hidden messages at 10 s (30 s by default), so a restart takes over sooner.
/// </summary>
public sealed class CrashStack : IAsyncDisposable
{
    private CrashStack(Azurite azurite, Maildev maildev, string prefix, StorageAccount storage, TenancyStore tenancy)
    {
        Azurite = azurite;
        Maildev = maildev;
        Prefix = prefix;
        Storage = storage;
        Tenancy = tenancy;
        Environment = new Dictionary<string, string>
        {
            ["CoachFlow__Smtp__Port"] = maildev.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["CoachFlow__Engine__LeaseInterval"] = "00:00:10",
            ["CoachFlow__Engine__MessageVisibilityTimeout"] = "00:00:10",
        };
    }

    public Azurite Azurite { get; }
    public Maildev Maildev { get; }
    public string Prefix { get; }
    public StorageAccount Storage { get; }
    public TenancyStore Tenancy { get; }
    public Firm Firm { get; private set; } = null!;
    public Coach Coach { get; private set; } = null!;
    public string AdminToken { get; private set; } = "";
    public string CoachToken { get; private set; } = "";

    /// <summary>What every host is started with; a test adds its own settings before the first start.</summary>
    public Dictionary<string, string> Environment { get; }

    public static async Task<CrashStack> StartAsync()
    {
        var azurite = Azurite.StartAsync();
        var maildev = Maildev.StartAsync();
        var prefix = Repository.UniquePrefix();
        var storage = new StorageAccount(new StorageOptions { ConnectionString = (await azurite).ConnectionString, Prefix = prefix });
        await storage.EnsureCreatedAsync();
        var tenancy = new TenancyStore(storage, TimeProvider.System);
        await tenancy.EnsureCreatedAsync();
        var stack = new CrashStack(await azurite, await maildev, prefix, storage, tenancy);
        var (firm, _, adminToken) = await tenancy.CreateFirmAsync("Northwind Coaching", "Avery Admin", "admin@northwind.test", TimeSpan.FromDays(1));
        stack.Firm = firm;
        stack.AdminToken = adminToken.Token;
        stack.Coach = await tenancy.AddCoachAsync(firm.FirmId, "Casey Coach", "casey@northwind.test", Role.Coach, null);
        stack.CoachToken = (await tenancy.IssueTokenAsync(stack.Coach, TimeSpan.FromDays(1))).Token;
        return stack;
    }

    /// <summary>Starts a host on this storage and waits until it answers its health check.</summary>
    public async Task<AppProcess> StartHostAsync()
    {
        var app = AppProcess.Start("dotnet", [Repository.AppDll], Path.GetDirectoryName(Repository.AppDll)!, Azurite.ConnectionString, Prefix, Environment);
        (await app.WaitForHealthAsync(TimeSpan.FromSeconds(60))).Dispose();
        return app;
    }

    /// <summary>A client of <paramref name="app"/>'s API with <paramref name="token"/>.</summary>
    public static HttpClient Api(AppProcess app, string token, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = app.Client.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Maildev.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
