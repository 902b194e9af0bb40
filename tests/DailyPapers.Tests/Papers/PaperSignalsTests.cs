using DailyPapers.Papers;

namespace DailyPapers.Tests.Papers;

public sealed class PaperSignalsTests
{
    [Theory]
    // Stars by order of magnitude: 2 points per tenfold from 10 stars, capped at 8.
    [InlineData(null, 0)]
    [InlineData(0, 0)]
    [InlineData(9, 0)]
    [InlineData(10, 2)]
    [InlineData(99, 2)]
    [InlineData(100, 4)]
    [InlineData(2_577, 6)]
    [InlineData(10_000, 8)]
    [InlineData(1_000_000, 8)]
    public void StarPointsCountOrdersOfMagnitude(int? stars, int expected) =>
        Assert.Equal(expected, PaperSignals.StarPoints(stars));

    [Theory]
    // Kimi K3 of 2026-04-01 as imported: 0 local votes, 181 HF upvotes, 0 comments, 2,577 stars, listed by HF:
    // 0 + 181 + 0.25·0 + 6 + 1 = 188
    [InlineData(0, 181, 0, 0, 2_577, false, true, false, 188)]
    // 3 local votes + 250 HF, 4 local comments + 8 HF comments, no repo, HF-listed: 3 + 250 + 0.25·12 + 0 + 1 = 257
    [InlineData(3, 250, 4, 8, null, false, true, false, 257)]
    // A harvested paper nobody touched: 0
    [InlineData(0, 0, 0, 0, null, false, false, false, 0)]
    // Submitted here and featured, one comment: 0.25 + 1 + 3 = 4.25
    [InlineData(0, 0, 1, 0, null, true, false, true, 4.25)]
    // Submitted here and listed by HF counts the submission bonus once: 2 + 1 = 3
    [InlineData(2, 0, 0, 0, 5, true, true, false, 3)]
    public void ScoreMatchesHandComputedValues(int up, int hfUp, int comments, int hfComments, int? stars, bool submitted, bool curated, bool featured, double expected)
    {
        Assert.Equal(expected, PaperSignals.Score(up, hfUp, comments, hfComments, stars, submitted, curated, featured), 6);
        // The expression the database evaluates is the same formula.
        var paper = new Paper
        {
            ArxivId = "2604.00001", Title = "t", Abstract = "a", Authors = "x", Categories = "", PrimaryCategory = "",
            Upvotes = up, HfUpvotes = hfUp, CommentCount = comments, HfComments = hfComments, GithubStars = stars,
            Submitted = submitted, CuratedSource = curated, Featured = featured,
        };
        Assert.Equal(expected, PaperSignals.ScoreOf.Compile()(paper), 6);
        Assert.Equal(expected > 0, PaperSignals.IsCurated.Compile()(paper));
    }

    [Fact]
    public void ViewsParseAndRefuseAnythingElse()
    {
        Assert.True(ListViews.TryParse(null, out var v) && v == ListView.Curated);
        Assert.True(ListViews.TryParse("curated", out v) && v == ListView.Curated);
        Assert.True(ListViews.TryParse("all", out v) && v == ListView.All);
        Assert.False(ListViews.TryParse("ALL'--", out _));
    }
}
