using CoachFlow.Runtime.Harness;

namespace CoachFlow.Runtime.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class VersioningTests(Azurite azurite)
{
    [Fact]
    public async Task Given_engagements_started_on_v1_When_v2_is_deployed_Then_they_finish_on_v1_rules_new_ones_use_v2_and_migrate_moves_one()
    {
        string prefix;
        await using (var v1Host = await TestHost.CreateAsync(azurite))
        {
            prefix = v1Host.Options.Prefix;
            await v1Host.BeginAsync("eng-old-1");
            await v1Host.BeginAsync("eng-old-2");
        }

        // The deployment: a new host that knows v1 and v2.
        await using var host = await TestHost.CreateAsync(azurite, prefix, withV2: true);
        await host.BeginAsync("eng-new");
        await host.Runtime.MigrateAsync("eng-old-2", toVersion: 2);
        foreach (var id in new[] { "eng-old-1", "eng-old-2", "eng-new" })
            await host.Runtime.RaiseAsync(id, new Sign("Ada"), "sign");
        await host.Runtime.WhenIdleAsync();

        Assert.Equal(1, (await host.Runtime.GetAsync("eng-old-1")).DefinitionVersion);
        Assert.Equal(["contract", "welcome"], await host.Notified.ReadAsync("eng-old-1"));
        Assert.Equal(2, (await host.Runtime.GetAsync("eng-new")).DefinitionVersion);
        Assert.Equal(["contract", "welcome", "reading-list"], await host.Notified.ReadAsync("eng-new"));
        var migrated = await host.Runtime.GetAsync("eng-old-2");
        Assert.Equal(2, migrated.DefinitionVersion);
        Assert.Equal(["Begun", "$migrated", "Signed"], migrated.History.Select(h => h.Type));
        Assert.Equal(["contract", "welcome", "reading-list"], await host.Notified.ReadAsync("eng-old-2"));
    }

    [Fact]
    public async Task Given_a_host_that_lacks_the_pinned_version_Then_reading_the_engagement_says_which_definition_is_missing()
    {
        string prefix;
        await using (var v2Host = await TestHost.CreateAsync(azurite, withV2: true))
        {
            prefix = v2Host.Options.Prefix;
            await v2Host.BeginAsync("eng-v2");
        }
        await using var v1Only = await TestHost.CreateAsync(azurite, prefix);

        var error = await Assert.ThrowsAsync<UnknownDefinitionException>(() => v1Only.Runtime.RaiseAsync("eng-v2", new Sign("Ada"), "sign"));

        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
    }
}
