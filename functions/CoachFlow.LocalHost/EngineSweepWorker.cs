using CoachFlow.Orchestrations;
using Microsoft.Extensions.Options;

namespace CoachFlow.LocalHost;

/// <summary>
/// The local host's engine sweep: every <see cref="EngineSweepOptions.Interval"/> it runs the <see cref="EngagementSweep"/>
/// (what the Functions app's <c>EngineSweep</c> timer trigger does in Azure): engagements the read model says are running while
/// nothing in the engine runs them are started again from the read model and reported (the sweep logs what it repaired).
/// </summary>
internal sealed class EngineSweepWorker(EngagementSweep sweep, IOptions<EngineSweepOptions> options, ILogger<EngineSweepWorker> logger)
    : PeriodicWorker(options.Value.Interval, logger)
{
    protected override string Name => "engine sweep";

    protected override Task SweepAsync(CancellationToken ct) => sweep.RunAsync(ct);
}
