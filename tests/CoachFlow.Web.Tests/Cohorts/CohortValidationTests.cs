using System.Text;
using CoachFlow.Orchestrations;
using CoachFlow.Web.Cohorts;
using CoachFlow.Web.Engagements;
using CoachFlow.Web.Tenancy;

namespace CoachFlow.Web.Tests.Cohorts;

/// <summary>Reading a cohort file and checking each of its rows, without storage: every kind of bad row, and the file-level refusals.</summary>
public sealed class CohortValidationTests
{
    private const string Firm = "firm-a";
    private const string Cohort = "cohort-0123456789abcdef";
    private static readonly Coach Admin = new(Firm, "admin-1", "Ada Admin", "ada@a.example", Role.FirmAdmin);
    private static readonly Coach Cleo = new(Firm, "coach-cleo", "Cleo Coach", "Cleo@a.example", Role.Coach);
    private static readonly Coach Sam = new(Firm, "sponsor-sam", "Sam Sponsor", "sam@a.example", Role.Sponsor);

    private static CohortDirectory Directory(IReadOnlyDictionary<string, string?>? running = null, IReadOnlySet<string>? started = null) =>
        new([Admin, Cleo, Sam], new HashSet<string> { "bo@b.example", "coach-of-b" }, running ?? new Dictionary<string, string?>(), started ?? new HashSet<string>());

    private static CohortValidationResult Check(string csv, CohortDirectory? directory = null) =>
        CohortValidation.Validate(Firm, "career-6", CohortCsv.Parse(Encoding.UTF8.GetBytes(csv)).Rows, directory ?? Directory());

    [Theory]
    [InlineData("  ,jo@client.test,cleo@a.example", "missing-name")]
    [InlineData("Jo Client,jo-at-client.test,cleo@a.example", "invalid-email")]
    [InlineData("Jo Client,,cleo@a.example", "invalid-email")]
    [InlineData("Jo Client,jo@client.test,nobody@a.example", "unknown-coach")]
    [InlineData("Jo Client,jo@client.test,coach-nobody", "unknown-coach")]
    [InlineData("Jo Client,jo@client.test,bo@b.example", "coach-of-another-firm")]
    [InlineData("Jo Client,jo@client.test,coach-of-b", "coach-of-another-firm")]
    [InlineData("Jo Client,jo@client.test,", "missing-coach")]
    [InlineData("Jo Client,jo@client.test,sam@a.example", "not-a-coach")]
    [InlineData("Jo Client,jo@client.test,cleo@a.example,nobody@a.example", "unknown-sponsor")]
    [InlineData("Jo Client,jo@client.test,cleo@a.example,coach-cleo", "unknown-sponsor")]
    [InlineData("Jo Client,jo@client.test,cleo@a.example,,,Mars/Olympus", "bad-time-zone")]
    [InlineData("Jo Client,jo@client.test,cleo@a.example,,,W. Europe Standard Time", "bad-time-zone")]
    [InlineData("Jo Client,jo@client.test,cleo@a.example,,a|b|c|d|e|f|g|h|i|j|k", "bad-goals")]
    public void GivenARowWithOneProblem_WhenTheFileIsChecked_ThenThatRowIsRejectedByLineWithItsReasonAndTheGoodRowIsValid(string bad, string code)
    {
        var result = Check($"client name,client email,coach,sponsor,overall goals,time zone\nAl Good,al@client.test,coach-cleo\n{bad}\n");

        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(3, rejected.Line);
        Assert.Equal([code], rejected.Codes);
        Assert.False(string.IsNullOrWhiteSpace(rejected.Reason));
        Assert.Equal("al@client.test", Assert.Single(result.Valid).Email);
    }

    [Fact]
    public void GivenTheSameEmailTwice_WhenChecked_ThenTheRepeatIsRejectedNamingTheFirstLine()
    {
        var result = Check("name,email,coach\nAl,al@client.test,coach-cleo\nBea,bea@client.test,coach-cleo\nAl again,AL@client.test,coach-cleo\n");

        var rejected = Assert.Single(result.Rejected);
        Assert.Equal((4, "duplicate-email"), (rejected.Line, rejected.Codes.Single()));
        Assert.Contains("line 2", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAClientInARunningEngagementOnTheProgram_WhenChecked_ThenRejectedUnlessThisCohortStartedIt()
    {
        var running = new Dictionary<string, string?>
        {
            [EngagementService.ClientIdOf(Firm, "busy@client.test")] = null,
            [EngagementService.ClientIdOf(Firm, "mine@client.test")] = Cohort,
        };
        var started = new HashSet<string> { EngagementService.ClientIdOf(Firm, "mine@client.test") };

        var result = Check("name,email,coach\nBusy,busy@client.test,coach-cleo\nMine,mine@client.test,coach-cleo\n", Directory(running, started));

        var rejected = Assert.Single(result.Rejected);
        Assert.Equal((2, "already-active"), (rejected.Line, rejected.Codes.Single()));
        var mine = Assert.Single(result.Valid);
        Assert.True(mine.AlreadyStarted);
    }

    [Fact]
    public void GivenAValidRow_WhenChecked_ThenItCarriesTheCoachSponsorGoalsAndTimeZoneAsStartsNeedThem()
    {
        var row = Assert.Single(Check("Client Name;E-mail;Coach Email;Sponsor;Overall Goals;Time zone\r\nJo Client;jo@client.test;cleo@a.example;sam@a.example;Lead the EMEA team | Five informational interviews;Europe/Paris\r\n").Valid);

        Assert.Equal(("Jo Client", "jo@client.test", "coach-cleo", "sponsor-sam", "Europe/Paris"), (row.Name, row.Email, row.CoachId, row.SponsorId, row.TimeZone));
        Assert.Equal(["Lead the EMEA team", "Five informational interviews"], row.Goals);
        Assert.False(row.AlreadyStarted);
    }

    [Fact]
    public void GivenAUtf8FileWithBomSemicolonsQuotedLineBreaksAndBlankLines_WhenRead_ThenRowsKeepTheirLineNumbers()
    {
        var csv = "\uFEFFname;email;coach;notes\n\"Jo; Client\";jo@client.test;coach-cleo;\"two\nlines\"\n\nBea;bea@client.test;coach-cleo;x\n;;;\n";
        var file = CohortCsv.Parse(Encoding.UTF8.GetBytes(csv)); // the string starts with U+FEFF: its UTF-8 bytes are the BOM

        Assert.Equal(';', file.Delimiter);
        Assert.Equal(["notes"], file.IgnoredColumns);
        Assert.Equal([(2, "Jo; Client"), (5, "Bea")], file.Rows.Select(r => (r.Line, r.Name)));
    }

    [Fact]
    public void GivenAnUnclosedQuote_WhenChecked_ThenThatRowIsMalformed()
    {
        var result = Check("name,email,coach\nAl,al@client.test,coach-cleo\nBe\"a,bea@client.test,coach-cleo\n");

        Assert.Contains(result.Rejected, r => r.Line == 3 && r.Codes.Contains("malformed-row"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n  \n", "empty")]
    [InlineData("client email,coach\njo@client.test,coach-cleo\n", "no client name column")]
    [InlineData("Jo Client,jo@client.test,coach-cleo\n", "header row")]
    [InlineData("{\"clientName\": \"Jo\"}", "header row")]
    [InlineData("name,email,coach,client name\n", "twice")]
    public void GivenAFileWithoutAUsableHeader_WhenRead_ThenItIsRefusedWithAReason(string csv, string reason)
    {
        var error = Assert.Throws<BadInputException>(() => CohortCsv.Parse(Encoding.UTF8.GetBytes(csv)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenBytesThatAreNotUtf8_WhenRead_ThenTheFileIsRefusedSayingHowToSaveIt()
    {
        var latin1 = Encoding.Latin1.GetBytes("name,email,coach\nJosé,jose@client.test,coach-cleo\n");
        var error = Assert.Throws<BadInputException>(() => CohortCsv.Parse(latin1));
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenMoreThanTenThousandRows_WhenRead_ThenTheFileIsRefused_AndTenThousandAreRead()
    {
        static byte[] File(int rows) => Encoding.UTF8.GetBytes("name,email,coach\n" + string.Concat(Enumerable.Range(1, rows).Select(i => $"C{i},c{i}@client.test,coach-cleo\n")));

        Assert.Equal(10_000, CohortCsv.Parse(File(10_000)).Rows.Count);
        var error = Assert.Throws<BadInputException>(() => CohortCsv.Parse(File(10_001)));
        Assert.Contains("10,000", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Spring leaders", "  spring   LEADERS ")]
    [InlineData("Équipe Nord", "équipe nord")]
    public void GivenTheSameNameWrittenDifferently_WhenAnIdIsMade_ThenItIsTheSameCohort(string name, string again) =>
        Assert.Equal(CohortService.CohortIdOf(Firm, name), CohortService.CohortIdOf(Firm, again));

    [Fact]
    public void GivenTheSameNameInTwoFirms_WhenIdsAreMade_ThenTheyDiffer() =>
        Assert.NotEqual(CohortService.CohortIdOf("firm-a", "Spring leaders"), CohortService.CohortIdOf("firm-b", "Spring leaders"));
}
