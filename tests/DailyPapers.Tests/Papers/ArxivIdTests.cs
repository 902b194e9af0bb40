using DailyPapers.Papers;

namespace DailyPapers.Tests.Papers;

public class ArxivIdTests
{
    [Theory]
    [InlineData("2401.12345", "2401.12345", null)]
    [InlineData("2401.12345v2", "2401.12345", 2)]
    [InlineData("0704.0001", "0704.0001", null)]
    [InlineData("1412.9999v10", "1412.9999", 10)]
    [InlineData("1501.00001", "1501.00001", null)]
    [InlineData("arXiv:2401.12345v3", "2401.12345", 3)]
    [InlineData("ARXIV: 2401.12345", "2401.12345", null)]
    [InlineData("https://arxiv.org/abs/2401.12345v1", "2401.12345", 1)]
    [InlineData("http://arxiv.org/pdf/2401.12345v2.pdf", "2401.12345", 2)]
    [InlineData("arxiv.org/pdf/2401.12345", "2401.12345", null)]
    [InlineData("https://export.arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001", 2)]
    [InlineData("hep-th/9901001", "hep-th/9901001", null)]
    [InlineData("math.GT/0309136", "math.GT/0309136", null)]
    [InlineData("math.gt/0309136v1", "math.GT/0309136", 1)]
    [InlineData("  cs/9301111  ", "cs/9301111", null)]
    public void ParsesAndNormalisesValidForms(string input, string baseId, int? version)
    {
        Assert.True(ArxivId.TryParse(input, out var id, out var error), error);
        Assert.Equal(baseId, id.BaseId);
        Assert.Equal(version, id.Version);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("hello", "not an arXiv id")]
    [InlineData("2401.1234", "five digits")]
    [InlineData("1412.12345", "four digits")]
    [InlineData("2413.12345", "month 13")]
    [InlineData("0703.1234", "0704")]
    [InlineData("2401.12345v0", "version")]
    [InlineData("hep-th/9913001", "month 13")]
    [InlineData("hep-th/990100", "not an arXiv id")]
    [InlineData("2401.12345; DROP TABLE papers", "not an arXiv id")]
    [InlineData("https://example.org/abs/2401.12345", "not an arXiv id")]
    public void RejectsInvalidFormsWithAReason(string input, string reasonFragment)
    {
        Assert.False(ArxivId.TryParse(input, out _, out var error));
        Assert.Contains(reasonFragment, error, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<FormatException>(() => ArxivId.Parse(input));
    }

    [Theory]
    [InlineData("2401.12345v2")]
    [InlineData("hep-th/9901001")]
    [InlineData("math.GT/0309136v3")]
    [InlineData("0704.0001")]
    public void RoundTripsThroughToString(string canonical)
    {
        var id = ArxivId.Parse(canonical);
        Assert.Equal(canonical, id.ToString());
        Assert.Equal(id, ArxivId.Parse(id.ToString()));
        Assert.Equal(id.BaseId, id.WithoutVersion().ToString());
    }

    [Theory]
    [InlineData("2401.12345v2", "2024-01-01")]
    [InlineData("0704.0001", "2007-04-01")]
    [InlineData("hep-th/9901001", "1999-01-01")]
    [InlineData("math.GT/0309136", "2003-09-01")]
    [InlineData("cs/0703001", "2007-03-01")]
    public void TheMonthComesFromTheIdsNumber(string id, string month)
    {
        Assert.Equal(DateOnly.Parse(month), ArxivId.Parse(id).Month);
    }
}
