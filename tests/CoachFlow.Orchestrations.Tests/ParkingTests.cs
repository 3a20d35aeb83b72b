using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using CoachFlow.Engine.Harness;
using CoachFlow.Orchestrations.ReadModel;
using CoachFlow.Workflows.Engagements;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>
/// Storage that fails a step's writes on the wire while <see cref="Down"/>: every entity-group transaction (how a step is
/// written) is answered 503 before it leaves the process. Point reads, the inbox and the flag go through.
/// </summary>
internal sealed class StepWritesDown : HttpPipelinePolicy
{
    private int _refused;

    public volatile bool Down;

    /// <summary>How many step writes were refused.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Refuse(message)) throw new Azure.RequestFailedException(503, "Step writes are down (test fault).");
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Refuse(message)) throw new Azure.RequestFailedException(503, "Step writes are down (test fault).");
        return ProcessNextAsync(message, pipeline);
    }

    private bool Refuse(HttpMessage message)
    {
        if (!Down || !message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal)) return false;
        Interlocked.Increment(ref _refused);
        return true;
    }
}

/// <summary>No engagement dies silently: a step whose activity keeps failing is parked, and a read model that drifted is never written past.</summary>
public sealed class ParkingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    /// <summary>Two quick attempts per activity; a parked step waits for a redrive (its own retry is far away).</summary>
    private static readonly EngineSettings Short = new EngineSettings(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2))
    {
        ActivityAttempts = 2, ActivityFirstRetryDelay = TimeSpan.FromMilliseconds(200), ActivityMaxRetryDelay = TimeSpan.FromMilliseconds(500),
        ParkedRetryDelay = TimeSpan.FromHours(6),
    };

    private static async Task<string> InIntakeAsync(EngineHost host)
    {
        var id = $"eng-{host.Name}";
        await host.Engine.StartAsync(id, Examples.Start(), "start");
        await host.Engine.SubmitAsync(id, Examples.Sign(), "sign");
        await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Intake, Within, "intake");
        return id;
    }

    [Fact]
    public async Task GivenStepWritesFailingPastTheRetryWindow_WhenInputsArriveAndARedriveFollowsTheFix_ThenTheStepIsParkedFlaggedAndEveryInputIsDecidedOnce()
    {
        var fault = new StepWritesDown();
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog, Short, tablePolicy: fault);
        var id = await InIntakeAsync(host);

        fault.Down = true;
        await host.Engine.SubmitAsync(id, new PauseEngagement(Party.Coach, "Client on leave"), "pause");

        // Past the retry window the step is parked: flagged in the snapshot and the firm's listing, the orchestration still running.
        var parked = await host.UntilAsync(id, s => s.StepParked is not null, Within, "step parked");
        Assert.Contains("RecordStep failed 2 times", parked.StepParked, StringComparison.Ordinal);
        Assert.Equal(EngagementPhase.Intake, parked.State!.Phase);
        await host.UntilIndexAsync(id, listed: true, Within, "flagged step-parked", flag: EngagementStore.StepParkedFlag);
        Assert.True(fault.Refused >= 2, $"the fault refused {fault.Refused} step writes");
        var part = await host.Client.GetInstanceAsync(Names.PartInstanceId(id, "intake"));
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Running, part!.RuntimeStatus);

        // Inputs sent meanwhile are kept, not decided.
        await host.Engine.SubmitAsync(id, new ChangeCoach("coach-bo"), "coach:bo");
        await host.Engine.SubmitAsync(id, new ResumeEngagement(), "resume");
        Assert.Equal("accepted", (await host.Store.GetInputAsync(id, "coach:bo", CancellationToken.None))!.Status);
        Assert.Equal("accepted", (await host.Store.GetInputAsync(id, "resume", CancellationToken.None))!.Status);

        // The storage is fixed; a firm admin redrives.
        fault.Down = false;
        await host.Engine.RedriveAsync(id);

        var carried = await host.UntilAsync(id, s => s.CoachId == "coach-bo" && s.State?.Phase == EngagementPhase.Intake && s.StepParked is null, Within, "carried on");
        foreach (var key in new[] { "pause", "coach:bo", "resume" })
            Assert.Equal("applied", (await host.Engine.WaitForOutcomeAsync(id, key, Within))!.Status);
        var timeline = await host.Store.TimelineAsync(id, CancellationToken.None);
        Assert.Single(timeline, e => e.Type == nameof(EngagementPaused));
        Assert.Single(timeline, e => e.Type == nameof(EngagementResumed));
        Assert.Equal(timeline.Count, carried.Version);
        var effects = await EffectsAsync(host, id, "email:engagement-resumed/");
        Assert.Single(await host.Effects.ForAsync(id), e => e.What.StartsWith("email:engagement-paused/", StringComparison.Ordinal));
        Assert.Single(effects);
        await host.UntilIndexAsync(id, listed: false, Within, "flag cleared", flag: EngagementStore.StepParkedFlag);
    }

    [Fact]
    public async Task GivenAReadModelThatDriftedFromTheOrchestration_WhenTheNextStepIsRecorded_ThenNothingIsWrittenPastItNoEmailGoesAndTheEngagementIsParked()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog, Short);
        var id = await InIntakeAsync(host);
        var before = (await host.Store.GetAsync(id, CancellationToken.None))!;

        // What a deploy that changed a rule's output leaves behind: the stored state is not the one the orchestration replays to.
        // The step's own activity may still be touching the row (its effects run after it): write on the row's latest ETag.
        var drifted = before.State! with { ClientName = before.State!.ClientName + " (as another rule saw it)" };
        for (var attempt = 1; ; attempt++)
        {
            var row = (await host.Store.Engagements.GetEntityAsync<TableEntity>(id, "state")).Value;
            TableText.Write(row, "State", JsonSerializer.Serialize(drifted, EngagementCodec.Json));
            row["StateHash"] = Activities.StateHash.Of(drifted);
            try
            {
                await host.Store.Engagements.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
                break;
            }
            catch (Azure.RequestFailedException e) when (e.Status == 412 && attempt < 20)
            {
                await Task.Delay(100);
            }
        }

        await host.Engine.SubmitAsync(id, new PauseEngagement(Party.Coach, "Client on leave"), "pause");

        var parked = await host.UntilAsync(id, s => s.StepParked is not null, Within, "parked as diverged");
        Assert.StartsWith("diverged:", parked.StepParked, StringComparison.Ordinal);
        Assert.Equal(before.Version, parked.Version);
        Assert.Equal(EngagementPhase.Intake, parked.State!.Phase);
        Assert.Equal("accepted", (await host.Store.GetInputAsync(id, "pause", CancellationToken.None))!.Status);
        Assert.Equal(before.Version, (await host.Store.TimelineAsync(id, CancellationToken.None)).Count);
        // No effect of a step past the stored version ran (the signing step's own effects may still have been running above).
        Assert.DoesNotContain(await host.Effects.ForAsync(id), e => StepOf(e.EffectId) > before.Version);
        await host.UntilIndexAsync(id, listed: true, Within, "flagged step-parked", flag: EngagementStore.StepParkedFlag);
    }

    /// <summary>The version of the step an effect belongs to: effect ids are <c>{engagement}/{step version}/{n}</c>.</summary>
    private static int StepOf(string effectId) => int.Parse(effectId.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits until at least one effect starting with <paramref name="prefix"/> ran (it runs in the activity after the step), then returns them.</summary>
    private static async Task<List<(string EffectId, string What)>> EffectsAsync(EngineHost host, string id, string prefix)
    {
        var deadline = DateTime.UtcNow + Within;
        List<(string EffectId, string What)> found = [];
        while (DateTime.UtcNow < deadline)
        {
            found = [.. (await host.Effects.ForAsync(id)).Where(e => e.What.StartsWith(prefix, StringComparison.Ordinal))];
            if (found.Count > 0) return found;
            await Task.Delay(100);
        }
        return found;
    }
}
