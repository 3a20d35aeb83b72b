using CoachFlow.Web.FirmDashboard;
using CoachFlow.Web.Hosting;

namespace CoachFlow.Web.Tests;

/// <summary>CSV files CoachFlow hands out never carry a formula a spreadsheet would run.</summary>
public class CsvCellsTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"Click\")", "'=HYPERLINK(\"http://evil.example\",\"Click\")")]
    [InlineData("+1 555", "'+1 555")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("Ana Souza", "Ana Souza")]
    [InlineData("", "")]
    public void Given_text_that_starts_like_a_formula_When_written_to_a_cell_Then_it_is_shown_as_text(string value, string cell) =>
        Assert.Equal(cell, CsvCells.Text(value));

    [Fact]
    public void GivenADashboardTableWithAFormulaNameAndANegativeNumber_WhenDownloaded_ThenTheNameIsEscapedAndTheNumberStaysANumber()
    {
        var table = new DashboardTable("t", "T", ["client", "progress"], [false, true], [["=cmd|' /C calc'!A0", "-1.5"]]);

        var text = new System.Text.UTF8Encoding(false).GetString(DashboardTables.Csv(table)).TrimStart('\uFEFF');

        Assert.Equal("client,progress\r\n'=cmd|' /C calc'!A0,-1.5\r\n", text);
    }
}
