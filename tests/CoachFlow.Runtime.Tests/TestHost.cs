using CoachFlow.Runtime.Harness;
using Microsoft.Extensions.Time.Testing;

namespace CoachFlow.Runtime.Tests;

/// <summary>One runtime on its own tables (a fresh prefix), a fake clock, and the notification log.</summary>
public sealed class TestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _stop = new();
    private Task? _housekeeping;

    private TestHost(RuntimeOptions options, StorageAccount storage, DurableRuntime runtime, NotifyLog notified, FakeTimeProvider time)
    {
        Options = options;
        Storage = storage;
        Runtime = runtime;
        Notified = notified;
        Time = time;
    }

    public RuntimeOptions Options { get; }
    public StorageAccount Storage { get; }
    public DurableRuntime Runtime { get; }
    public NotifyLog Notified { get; }
    public FakeTimeProvider Time { get; }

    public static async Task<TestHost> CreateAsync(Azurite azurite, string? prefix = null, FakeTimeProvider? time = null, bool withV2 = false, Action<RuntimeOptions>? configure = null)
    {
        var options = new RuntimeOptions
        {
            ConnectionString = azurite.ConnectionString,
            Prefix = prefix ?? "t" + Guid.NewGuid().ToString("N")[..12],
            FirstRetryDelay = TimeSpan.FromSeconds(5),
            MaxEffectAttempts = 3,
        };
        configure?.Invoke(options);
        time ??= new FakeTimeProvider(Start);
        var storage = new StorageAccount(options);
        await storage.EnsureCreatedAsync();
        var registry = new WorkflowRegistry().Add(new PracticeWorkflow());
        if (withV2) registry.Add(new PracticeWorkflowV2());
        var runtime = new DurableRuntime(storage, registry, options, time);
        var log = await NotifyLog.CreateAsync(storage, options.Prefix);
        log.Attach(runtime);
        var host = new TestHost(options, storage, runtime, log, time);
        host._housekeeping = runtime.RunHousekeepingAsync(host._stop.Token);
        return host;
    }

    /// <summary>Begins a practice engagement: 3 sessions two weeks apart, then 2 quarterly check-ins.</summary>
    public Task<InputOutcome> BeginAsync(string id, string coach = "coach-1", int sessions = 3, int checkIns = 2, string firm = "firm-a") =>
        Runtime.StartAsync("practice", id, new Begin(firm, coach, sessions, TimeSpan.FromDays(14), checkIns), "begin");

    /// <summary>Moves the fake clock in steps, firing due timers after each, and waits for the effects.</summary>
    public async Task AdvanceAsync(TimeSpan by, TimeSpan? step = null)
    {
        var stepSize = step ?? TimeSpan.FromDays(1);
        for (var moved = TimeSpan.Zero; moved < by; moved += stepSize)
        {
            await Runtime.WhenIdleAsync(); // due-timer rows are written just after their step
            Time.Advance(stepSize < by - moved ? stepSize : by - moved);
            await Runtime.FireDueTimersAsync();
        }
        await Runtime.WhenIdleAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.WhenIdleAsync();
        await _stop.CancelAsync();
        if (_housekeeping is not null) await _housekeeping;
        _stop.Dispose();
    }
}
