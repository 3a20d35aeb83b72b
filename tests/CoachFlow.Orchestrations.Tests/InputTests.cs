using CoachFlow.Engine.Harness;
using CoachFlow.Workflows.Engagements;
using CoachFlow.Workflows.Questionnaires;

namespace CoachFlow.Orchestrations.Tests;

/// <summary>No accepted input is ever lost, and none is applied twice.</summary>
public sealed class InputTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task GivenTwentyEngagementsJustStarted_WhenTheClientSignsAtOnce_ThenEverySignatureIsApplied()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var ids = Enumerable.Range(1, 20).Select(i => $"eng-{name}-{i}").ToList();

        // The signature is raised the moment the start returns: before any part of the engagement runs.
        await Task.WhenAll(ids.Select(async id =>
        {
            await host.Engine.StartAsync(id, Examples.Start(), "start");
            Assert.Equal(SubmitResult.Accepted, (await host.Engine.SubmitAsync(id, Examples.Sign(), "sign")).Result);
        }));

        foreach (var id in ids)
        {
            var signed = await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Intake, Within, "signed");
            Assert.Single(signed.State!.Signatures);
            Assert.Equal("applied", (await host.Store.GetInputAsync(id, "sign", CancellationToken.None))!.Status);
        }
    }

    [Fact]
    public async Task GivenInputsSentAcrossEveryPartBoundary_WhenTheyArriveBeforeTheirPartRuns_ThenEachIsAppliedOnceInItsTurn()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var id = $"eng-{name}";
        var soon = DateTimeOffset.UtcNow.AddHours(2);

        // Everything up to session 1 held, sent in one go: the intake, the schedule and the agreement come
        // while the contract part still runs, and wait (deferred) until the engagement is ready for them.
        await host.Engine.StartAsync(id, Examples.Start(), "start");
        await host.Engine.SubmitAsync(id, new SubmitIntake(Examples.IntakeAnswers()), "intake");
        await host.Engine.SubmitAsync(id, new ScheduleSession(1, soon, "Europe/Berlin"), "schedule:1");
        await host.Engine.SubmitAsync(id, new CaptureSessionAgreement(1, Examples.Agreement(soon.AddDays(30))), "agreement:1");
        await host.Engine.SubmitAsync(id, new MarkSessionHeld(1), "held:1");
        await host.Engine.SubmitAsync(id, Examples.Sign(), "sign");

        var held = await host.UntilAsync(id, s => s.State?.SessionsHeld == 1, Within, "session 1 held");
        Assert.Equal(EngagementPhase.Reassessment, held.State!.Phase);
        var timeline = await host.Store.TimelineAsync(id, CancellationToken.None);
        foreach (var type in new[] { nameof(ContractSigned), nameof(IntakeCompleted), nameof(SessionScheduled), nameof(SessionAgreementCaptured), nameof(SessionHeld) })
            Assert.Single(timeline, e => e.Type == type);
        foreach (var key in new[] { "sign", "intake", "schedule:1", "agreement:1", "held:1" })
            Assert.Equal("applied", (await host.Store.GetInputAsync(id, key, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task GivenAnEngagementInIntake_WhenAHundredSavesArriveAtOnceAndEachIsSentTwice_ThenEachIsAppliedExactlyOnce()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var id = $"eng-{name}";
        await host.Engine.StartAsync(id, Examples.Start(), "start");
        await host.Engine.SubmitAsync(id, Examples.Sign(), "sign");
        await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Intake, Within, "intake");

        // Each save changes the answer, so each applied save is one IntakeSaved event; a repeat of a key is not.
        var saves = Enumerable.Range(1, 100).Select(n => (Key: $"save-{n}", Input: new SaveIntake([new QuestionnaireAnswer("values", Text: $"Draft {n}")]))).ToList();
        var results = await Task.WhenAll(saves.Concat(saves).Select(s => host.Engine.SubmitAsync(id, s.Input, s.Key)));
        Assert.Equal(100, results.Count(r => r.Result == SubmitResult.Accepted));

        foreach (var (key, _) in saves)
            Assert.NotNull(await host.Engine.WaitForOutcomeAsync(id, key, Within));
        var timeline = await host.Store.TimelineAsync(id, CancellationToken.None);
        var saved = timeline.Where(e => e.Type == nameof(IntakeSaved)).Select(e => e.Data.GetProperty("answers")[0].GetProperty("text").GetString()).ToList();
        Assert.Equal(100, saved.Count);
        Assert.Equal(100, saved.Distinct().Count());
        var last = (await host.Store.GetAsync(id, CancellationToken.None))!.State!.IntakeAnswers.Single(a => a.ItemId == "values").Text;
        Assert.Equal(saved[^1], last);
    }

    [Fact]
    public async Task GivenASignatureAlreadyApplied_WhenTheSameFormIsSubmittedAgain_ThenItIsReportedAsARepeatAndNothingChanges()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var id = $"eng-{name}";
        await host.Engine.StartAsync(id, Examples.Start(), "start");
        await host.Engine.SubmitAsync(id, Examples.Sign(), "link:n1:sign");
        await host.Engine.WaitForOutcomeAsync(id, "link:n1:sign", Within);
        var before = (await host.Store.GetAsync(id, CancellationToken.None))!.Version;

        var again = await host.Engine.SubmitAsync(id, Examples.Sign(), "link:n1:sign");

        Assert.Equal(SubmitResult.Duplicate, again.Result);
        Assert.Equal("applied", again.Earlier!.Status);
        Assert.False(await host.Engine.StartAsync(id, Examples.Start(), "start"));
        await Task.Delay(1000);
        Assert.Equal(before, (await host.Store.GetAsync(id, CancellationToken.None))!.Version);
    }

    [Fact]
    public async Task GivenAnEngagementInTheContractPart_WhenAnInputTheRulesRefuseArrives_ThenItIsRejectedWithAReasonAndTheEngagementCarriesOn()
    {
        var name = AzuriteFixture.UniqueName();
        await using var host = await EngineHost.StartAsync(azurite.ConnectionString, name, Examples.Catalog);
        var id = $"eng-{name}";
        await host.Engine.StartAsync(id, Examples.Start(), "start");

        await host.Engine.SubmitAsync(id, Examples.Sign(version: 7), "sign-wrong");
        var outcome = await host.Engine.WaitForOutcomeAsync(id, "sign-wrong", Within);

        Assert.Equal("rejected", outcome!.Status);
        Assert.Contains("version 7 is not the version on offer", outcome.Reason, StringComparison.Ordinal);
        await host.Engine.SubmitAsync(id, Examples.Sign(), "sign");
        await host.UntilAsync(id, s => s.State?.Phase == EngagementPhase.Intake, Within, "signed after all");
    }
}
