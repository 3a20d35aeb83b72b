using System.Collections.Concurrent;
using Azure.Data.Tables;
using CoachFlow.Email;
using CoachFlow.Email.Smtp;
using CoachFlow.Web.Documents;
using CoachFlow.Web.Email;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Links;
using CoachFlow.Web.Tenancy;
using CoachFlow.Runtime;
using CoachFlow.Workflows.Programs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CoachFlow.Web.Tests.Lifecycle;

/// <summary>Azurite and maildev, shared by the lifecycle tests; each test uses its own storage prefix and engagements.</summary>
public sealed class LifecycleFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private Maildev? _maildev;

    public Azurite Azurite => _azurite ?? throw new InvalidOperationException("Not started.");
    public Maildev Maildev => _maildev ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var azurite = Azurite.StartAsync();
        var maildev = Maildev.StartAsync();
        _azurite = await azurite;
        _maildev = await maildev;
    }

    public async Task DisposeAsync()
    {
        if (_maildev is not null) await _maildev.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

/// <summary>What the email transport was handed: which effect asked for the message, and its kind.</summary>
public sealed record SentEmail(string EngagementId, string EffectId, string Kind, string MessageId, DateTimeOffset At);

/// <summary>Hands every message to the real SMTP transport and notes what it sent (kinds travel as categories, not over SMTP).</summary>
internal sealed class RecordingTransport(SmtpEmailTransport smtp, ConcurrentQueue<SentEmail> sent, TimeProvider time) : IEmailTransport
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        await smtp.SendAsync(message, cancellationToken);
        sent.Enqueue(new SentEmail(message.EngagementId, message.EffectId, message.Categories[0], message.MessageId, time.GetUtcNow()));
    }
}

/// <summary>
/// The host's services as <c>Program.cs</c> wires them (runtime, documents, email over SMTP to maildev), built
/// in process on a fake clock. The hosted <c>RuntimeService</c> is not started: the test fires due timers itself
/// and runs only the runtime's housekeeping (index writes, guard windows).
/// </summary>
internal sealed class LifecycleHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly CancellationTokenSource _stop = new();
    private Task _housekeeping = Task.CompletedTask;

    private LifecycleHost(ServiceProvider services) => _services = services;

    public DurableRuntime Runtime => _services.GetRequiredService<DurableRuntime>();
    public TenancyStore Tenancy => _services.GetRequiredService<TenancyStore>();
    public DocumentStore Documents => _services.GetRequiredService<DocumentStore>();
    public LinkSigner Links => _services.GetRequiredService<LinkSigner>();
    public ProgramCatalog Programs => _services.GetRequiredService<ProgramCatalog>();
    public StorageAccount Storage => _services.GetRequiredService<StorageAccount>();
    public TableClient Notifications { get; private set; } = null!;

    /// <param name="programs">When set, replaces the built-in program catalog (a firm that published a new version).</param>
    public static async Task<LifecycleHost> StartAsync(LifecycleFixture fixture, string prefix, FakeTimeProvider time,
        ConcurrentQueue<SentEmail> sent, ProgramCatalog? programs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CoachFlow:Storage:ConnectionString"] = fixture.Azurite.ConnectionString,
            ["CoachFlow:Storage:Prefix"] = prefix,
            ["CoachFlow:Smtp:Host"] = "127.0.0.1",
            ["CoachFlow:Smtp:Port"] = $"{fixture.Maildev.SmtpPort}",
            ["CoachFlow:PublicBaseUrl"] = "http://127.0.0.1:1",
        }).Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(time); // before AddCoachFlowRuntime, which adds the system clock only when none is registered
        services.AddCoachFlowRuntime(configuration);
        services.AddCoachFlowEmail(configuration);
        if (programs is not null) services.AddSingleton(programs);
        services.AddSingleton<SmtpEmailTransport>();
        services.AddSingleton<IEmailTransport>(sp => new RecordingTransport(sp.GetRequiredService<SmtpEmailTransport>(), sent, time));

        var host = new LifecycleHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false }));
        await host.Storage.EnsureCreatedAsync();
        await host.Tenancy.EnsureCreatedAsync();
        host.Notifications = host.Storage.Tables.GetTableClient($"{prefix.ToLowerInvariant()}notifications");
        await host.Notifications.CreateIfNotExistsAsync();
        host._housekeeping = host.Runtime.RunHousekeepingAsync(host._stop.Token);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.WhenIdleAsync();
        await _stop.CancelAsync();
        await _housekeeping;
        _stop.Dispose();
        await _services.DisposeAsync();
    }
}
