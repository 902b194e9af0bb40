using DailyPapers.Search;

namespace DailyPapers.Tests.Search;

public sealed class KeywordQueryTests
{
    private static readonly Lucene.Net.Analysis.Analyzer Analyzer = SearchAnalysis.Create();

    [Theory]
    [InlineData("\"unclosed phrase")]
    [InlineData("((( neural")]
    [InlineData("title:")]
    [InlineData("neural AND")]
    [InlineData("a~b^c]{")]
    [InlineData("ünïcödé 数学 🚀 graphs")]
    [InlineData("Note: deep learning")]
    public void HostileSyntaxStillGivesAQuery(string text)
    {
        var q = KeywordQuery.Parse(text, Analyzer, KeywordRanking.Default);
        Assert.NotNull(q);
    }

    [Theory]
    [InlineData("the of and")]
    [InlineData("   ")]
    [InlineData("!!! ???")]
    [InlineData("*")]
    public void StopWordsOrPunctuationOnlyGiveNoQuery(string text) =>
        Assert.Null(KeywordQuery.Parse(text, Analyzer, KeywordRanking.Default));

    [Fact]
    public void FieldAliasesMapToIndexFieldsAndUnknownPrefixesAreText()
    {
        Assert.Equal("authors:hinton", KeywordQuery.Parse("author:Hinton", Analyzer, KeywordRanking.Default)!.ToString());
        Assert.Equal("cat:cs.cl", KeywordQuery.Parse("cat:cs.CL", Analyzer, KeywordRanking.Default)!.ToString());
        var text = KeywordQuery.Parse("Note: graphs", Analyzer, KeywordRanking.Default)!.ToString();
        Assert.DoesNotContain("Note:", text);
        Assert.Contains("text:graph", text);
    }

    [Fact]
    public void RrfRanksPapersFoundByBothListsFirst()
    {
        var fused = Fusion.Fuse([(1, 9f), (2, 8f), (3, 7f)], [(3, .9f), (4, .8f), (1, .7f)], FusionSettings.Default with { Method = FusionMethod.Rrf });
        Assert.Equal([1L, 3L], fused.Take(2).Select(f => f.Id).Order());
    }

    [Fact]
    public void WeightedFusionFollowsTheWeight()
    {
        List<(long, float)> kw = [(1, 10f), (2, 1f)], sem = [(2, .9f), (1, .1f)];
        Assert.Equal(1, Fusion.Fuse(kw, sem, new FusionSettings(FusionMethod.Weighted, KeywordWeight: 0.8))[0].Id);
        Assert.Equal(2, Fusion.Fuse(kw, sem, new FusionSettings(FusionMethod.Weighted, KeywordWeight: 0.2))[0].Id);
    }
}
