using CoachFlow.Runtime.Harness;

namespace CoachFlow.Runtime.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class LifecycleTests(Azurite azurite)
{
    [Fact]
    public async Task Given_nothing_When_an_engagement_starts_Then_its_state_history_index_and_first_timer_are_stored()
    {
        await using var host = await TestHost.CreateAsync(azurite);

        var outcome = await host.BeginAsync("eng-1");
        await host.Runtime.WhenIdleAsync();

        Assert.Equal(new InputOutcome(InputResult.Applied, 1), outcome);
        var view = await host.Runtime.GetAsync("eng-1");
        Assert.Equal(("practice", 1, InstanceStatus.Running, "contract", "signature"), (view.Definition, view.DefinitionVersion, view.Status, view.Phase, view.WaitingFor));
        Assert.Equal(["Begun"], view.History.Select(h => h.Type));
        Assert.Equal([new TimerView("reminder", TestHost.Start + PracticeWorkflow.ReminderEvery)], view.Timers);
        Assert.Equal(["contract"], await host.Notified.ReadAsync("eng-1"));
        var listed = await host.Runtime.ListAsync("firm-a");
        Assert.Equal("eng-1", Assert.Single(listed.Items).InstanceId);
    }

    [Fact]
    public async Task Given_a_running_engagement_When_the_same_input_arrives_twice_Then_it_applies_once()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-dup");

        var first = await host.Runtime.RaiseAsync("eng-dup", new Sign("Ada Lovelace"), "sign-1");
        host.Runtime.ClearCache(); // the repeat must be caught by storage, not only by this host's memory
        var second = await host.Runtime.RaiseAsync("eng-dup", new Sign("Ada Lovelace"), "sign-1");
        await host.Runtime.WhenIdleAsync();

        Assert.Equal(InputResult.Applied, first.Result);
        Assert.Equal(InputResult.Duplicate, second.Result);
        var view = await host.Runtime.GetAsync("eng-dup");
        Assert.Equal(["Begun", "Signed"], view.History.Select(h => h.Type));
        Assert.Equal(["contract", "welcome"], await host.Notified.ReadAsync("eng-dup"));
    }

    [Fact]
    public async Task Given_the_same_start_twice_Then_the_second_is_a_duplicate_and_a_different_start_on_the_id_is_refused()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-start");
        host.Runtime.ClearCache();

        Assert.Equal(InputResult.Duplicate, (await host.BeginAsync("eng-start")).Result);
        await Assert.ThrowsAsync<InstanceAlreadyExistsException>(() =>
            host.Runtime.StartAsync("practice", "eng-start", new Begin("firm-a", "c", 1, TimeSpan.FromDays(1)), "another-begin"));
    }

    [Fact]
    public async Task Given_no_such_engagement_When_an_input_arrives_Then_a_clear_not_found_error_and_nothing_is_written()
    {
        await using var host = await TestHost.CreateAsync(azurite);

        var error = await Assert.ThrowsAsync<InstanceNotFoundException>(() => host.Runtime.RaiseAsync("nobody", new Sign("X"), "k"));

        Assert.Contains("nobody", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InstanceNotFoundException>(() => host.Runtime.GetAsync("nobody"));
    }

    [Fact]
    public async Task Given_an_unsigned_contract_When_an_answer_arrives_early_Then_it_is_kept_and_applied_once_the_contract_is_signed()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-early");

        var early = await host.Runtime.RaiseAsync("eng-early", new Answer("I want to lead a team"), "answer-1");
        host.Runtime.ClearCache();
        var again = await host.Runtime.RaiseAsync("eng-early", new Answer("I want to lead a team"), "answer-1");
        Assert.Equal(1, (await host.Runtime.GetAsync("eng-early")).PendingInputs);

        await host.Runtime.RaiseAsync("eng-early", new Sign("Grace Hopper"), "sign");

        Assert.Equal(InputResult.Deferred, early.Result);
        Assert.Equal(InputResult.Duplicate, again.Result);
        var view = await host.Runtime.GetAsync("eng-early");
        Assert.Equal(["Begun", "Signed", "Answered"], view.History.Select(h => h.Type));
        Assert.Equal(0, view.PendingInputs);
    }

    [Fact]
    public async Task Given_a_contract_phase_When_an_impossible_input_arrives_Then_it_is_rejected_naming_input_and_phase_and_nothing_changes()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-bad");

        var outcome = await host.Runtime.RaiseAsync("eng-bad", new Impossible(), "bad");

        Assert.Equal(InputResult.Rejected, outcome.Result);
        Assert.Contains("Impossible", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("contract", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await host.Runtime.GetAsync("eng-bad")).Version);
    }

    [Fact]
    public async Task Given_an_expected_version_that_is_stale_Then_the_input_is_refused()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-stale");

        await Assert.ThrowsAsync<StaleVersionException>(() => host.Runtime.RaiseAsync("eng-stale", new Sign("X"), "sign", expectedVersion: 7));
        var applied = await host.Runtime.RaiseAsync("eng-stale", new Sign("X"), "sign", expectedVersion: 1);

        Assert.Equal(InputResult.Applied, applied.Result);
    }

    [Fact]
    public async Task Given_an_unknown_definition_Then_starting_is_refused_with_its_name()
    {
        await using var host = await TestHost.CreateAsync(azurite);

        var error = await Assert.ThrowsAsync<UnknownDefinitionException>(() => host.Runtime.StartAsync("astrology", "eng-x", new Sign("X"), "k"));

        Assert.Contains("astrology", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_bad_ids_keys_and_oversize_inputs_Then_each_is_refused_and_nothing_is_written()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-size");

        await Assert.ThrowsAsync<BadInputException>(() => host.Runtime.RaiseAsync("eng/../x", new Sign("X"), "k"));
        await Assert.ThrowsAsync<BadInputException>(() => host.Runtime.RaiseAsync("eng-size", new Sign("X"), ""));
        await Assert.ThrowsAsync<BadInputException>(() => host.Runtime.RaiseAsync("eng-size", new Remember(new string('x', 300_000)), "huge"));
        await Assert.ThrowsAsync<BadInputException>(() => host.Runtime.RaiseJsonAsync("eng-size", "{\"$type\":\"Nonsense\"}", "k2"));
        await Assert.ThrowsAsync<BadInputException>(() => host.Runtime.RaiseJsonAsync("eng-size", "{not json", "k3"));

        Assert.Equal(1, (await host.Runtime.GetAsync("eng-size")).Version);
    }

    [Fact]
    public async Task Given_a_payload_too_large_for_a_table_property_Then_it_goes_to_a_blob_named_by_its_sha256_and_reads_back_intact()
    {
        await using var host = await TestHost.CreateAsync(azurite);
        await host.BeginAsync("eng-big");
        var payload = string.Concat(Enumerable.Range(0, 12_000).Select(i => (char)('a' + (i % 26)) + "é"));

        await host.Runtime.RaiseAsync("eng-big", new Remember(payload), "big");
        host.Runtime.ClearCache();

        var view = await host.Runtime.GetAsync("eng-big");
        Assert.Equal(payload, view.State.GetProperty("memory").GetString());
        var blobs = new List<string>();
        await foreach (var blob in host.Storage.Documents.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "instances/eng-big/", default))
            blobs.Add(blob.Name);
        Assert.NotEmpty(blobs);
        Assert.All(blobs, b => Assert.Matches("^instances/eng-big/payloads/[0-9a-f]{64}\\.json$", b));
    }
}
