using System.Text.RegularExpressions;
using CoachFlow.Testing;
using CoachFlow.Web.Hosting;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Cli.Tests;

/// <summary>One Azurite for the admin command tests; each test uses its own tables.</summary>
public sealed class AdminFixture : IAsyncLifetime
{
    public AzuriteProcess Azurite { get; private set; } = null!;

    public async Task InitializeAsync() => Azurite = await AzuriteProcess.StartAsync();

    public async Task DisposeAsync() => await Azurite.DisposeAsync();
}

/// <summary><c>./coachflow admin …</c>: the command line, run as a process against Azurite.</summary>
public sealed partial class AdminCommandTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    private readonly AzuriteProcess _azurite = fixture.Azurite;
    private readonly string _prefix = Cli.UniquePrefix();

    [Fact]
    public async Task GivenANewFirm_WhenItsAdminAddsACoachAndASponsor_ThenEachGetsAWorkingTokenWithTheirRole()
    {
        var firm = await AdminAsync("create-firm", "--name", "Acme Coaching", "--admin-name", "Ada Admin", "--admin-email", "ada@acme.example");
        var firmId = Value(firm.Output, "firm");

        var coach = await AdminAsync("add-user", "--firm", firmId, "--name", "Cleo Coach", "--email", "cleo@acme.example");
        var sponsor = await AdminAsync("add-user", "--firm", firmId, "--name", "Sam Sponsor", "--email", "sam@acme.example", "--role", "sponsor");

        var tenancy = await TenancyAsync();
        var (coachCaller, _) = await tenancy.AuthenticateAsync(Value(coach.Output, "token"));
        var (sponsorCaller, _) = await tenancy.AuthenticateAsync(Value(sponsor.Output, "token"));
        Assert.Equal((firmId, "Cleo Coach", Role.Coach), (coachCaller!.FirmId, coachCaller.Coach.Name, coachCaller.Role));
        Assert.Equal((firmId, "Sam Sponsor", Role.Sponsor), (sponsorCaller!.FirmId, sponsorCaller.Coach.Name, sponsorCaller.Role));
        Assert.Equal(Value(sponsor.Output, "sponsor"), sponsorCaller.Coach.CoachId);
    }

    [Theory]
    [InlineData("firm-nope", "cleo@acme.example", "coach", "There is no firm 'firm-nope'.")]
    [InlineData("../firm", "cleo@acme.example", "coach", "There is no firm '../firm'.")]
    [InlineData(null, "not-an-address", "coach", "is not an email address")]
    [InlineData(null, "cleo@acme.example", "owner", "owner")]
    public async Task Given_bad_arguments_When_adding_a_user_Then_it_exits_non_zero_with_a_reason_and_adds_nobody(string? firmId, string email, string role, string reason)
    {
        var firm = await AdminAsync("create-firm", "--name", "Acme Coaching", "--admin-name", "Ada Admin", "--admin-email", "ada@acme.example");
        var realFirm = Value(firm.Output, "firm");

        var result = await AdminAsync(expectSuccess: false, "add-user", "--firm", firmId ?? realFirm, "--name", "Cleo Coach", "--email", email, "--role", role);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(reason, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("token:", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAFirm_WhenItsRetentionIsSetAndTurnedOff_ThenTheFirmKeepsEngagementsThatLongAndBadValuesChangeNothing()
    {
        var firmId = Value((await AdminAsync("create-firm", "--name", "Acme Coaching", "--admin-name", "Ada Admin", "--admin-email", "ada@acme.example")).Output, "firm");
        var tenancy = await TenancyAsync();

        var set = await AdminAsync("set-retention", "--firm", firmId, "--months", "24");
        Assert.Contains("retention: 24 months", set.Output, StringComparison.Ordinal);
        Assert.Equal(24, (await tenancy.GetFirmAsync(firmId))!.RetentionMonths);
        Assert.Contains(await tenancy.FirmsWithRetentionAsync(), f => f.FirmId == firmId);

        foreach (var bad in new[] { "0", "241", "soon", "-3" })
        {
            var refused = await AdminAsync(expectSuccess: false, "set-retention", "--firm", firmId, "--months", bad);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("month", refused.Output, StringComparison.Ordinal);
        }
        Assert.NotEqual(0, (await AdminAsync(expectSuccess: false, "set-retention", "--firm", "firm-nope", "--months", "12")).ExitCode);
        Assert.Equal(24, (await tenancy.GetFirmAsync(firmId))!.RetentionMonths);

        Assert.Contains("retention: off", (await AdminAsync("set-retention", "--firm", firmId, "--months", "off")).Output, StringComparison.Ordinal);
        Assert.Null((await tenancy.GetFirmAsync(firmId))!.RetentionMonths);
        Assert.DoesNotContain(await tenancy.FirmsWithRetentionAsync(), f => f.FirmId == firmId);
    }

    [Fact]
    public async Task GivenAFirmWithNoSenderOfItsOwn_WhenSetSenderSetsOne_ThenTheFirmSendsFromItAndAnAddressThatIsNotOneChangesNothing()
    {
        var firmId = Value((await AdminAsync("create-firm", "--name", "Acme Coaching", "--admin-name", "Ada Admin", "--admin-email", "ada@acme.example")).Output, "firm");
        var tenancy = await TenancyAsync();
        Assert.Equal(CoachFlow.Web.Email.EmailOptions.DevelopmentSender, (await tenancy.GetFirmAsync(firmId))!.SenderEmail); // the deployment's default (none configured here)

        var set = await AdminAsync("set-sender", "--firm", firmId, "--name", "Acme Coaching Team", "--email", "hello@acme.example");
        Assert.Contains("sender: Acme Coaching Team <hello@acme.example>", set.Output, StringComparison.Ordinal);
        var firm = (await tenancy.GetFirmAsync(firmId))!;
        Assert.Equal(("Acme Coaching Team", "hello@acme.example"), (firm.SenderName, firm.SenderEmail));

        var refused = await AdminAsync(expectSuccess: false, "set-sender", "--firm", firmId, "--name", "Acme", "--email", "not-an-address");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("is not an email address", refused.Output, StringComparison.Ordinal);
        Assert.Equal("hello@acme.example", (await tenancy.GetFirmAsync(firmId))!.SenderEmail);
    }

    private Task<(int ExitCode, string Output)> AdminAsync(params string[] args) => AdminAsync(expectSuccess: true, args);

    private async Task<(int ExitCode, string Output)> AdminAsync(bool expectSuccess, params string[] args)
    {
        var (exitCode, output) = await Cli.RunAsync(new Dictionary<string, string>
        {
            ["CoachFlow__Storage__ConnectionString"] = _azurite.ConnectionString,
            ["CoachFlow__Storage__Prefix"] = _prefix,
        }, ["admin", .. args]);
        if (expectSuccess) Assert.True(exitCode == 0, $"admin {string.Join(' ', args)} failed: {output}");
        return (exitCode, output);
    }

    private async Task<TenancyStore> TenancyAsync()
    {
        var tenancy = new TenancyStore(new StorageAccount(new StorageOptions { ConnectionString = _azurite.ConnectionString, Prefix = _prefix }), TimeProvider.System);
        await tenancy.EnsureCreatedAsync();
        return tenancy;
    }

    private static string Value(string output, string key) =>
        LineRegex().Matches(output).FirstOrDefault(m => m.Groups[1].Value == key)?.Groups[2].Value.Trim()
        ?? throw new Xunit.Sdk.XunitException($"No '{key}:' line in: {output}");

    [GeneratedRegex(@"^([a-z-]+): (.+)$", RegexOptions.Multiline)]
    private static partial Regex LineRegex();
}
