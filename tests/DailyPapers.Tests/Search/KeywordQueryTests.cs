using DailyPapers.Search;
using Lucene.Net.Search;

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

    /// <summary>Regular-expression syntax from issue 17: each threw ArgumentException (a 500) or overflowed the stack.</summary>
    [Theory]
    [InlineData("/[/")]
    [InlineData("/a{/")]
    [InlineData("/(/")]
    [InlineData("/[a-/")]
    [InlineData("title:/[/")]
    [InlineData("/\\/")]
    [InlineData("/a{1,99999}/")]
    [InlineData("/a{1,300000}/ neural")]
    [InlineData("te?t wild*card *lead ?x x~2 x^3 [a TO z] {a TO z} !x a && b || c \\")]
    public void SlashesAndOtherUnsupportedSyntaxAreTextNeverRegexpsOrWildcards(string text)
    {
        var q = KeywordQuery.Parse(text, Analyzer, KeywordRanking.Default);
        Assert.All(Leaves(q), leaf => Assert.True(leaf is TermQuery or PhraseQuery, $"{text}: {leaf.GetType().Name} {leaf}"));
    }

    [Fact]
    public void APastedAbstractWithSlashesSearchesItsWords()
    {
        const string text = "human T-lymphotropic virus type 1 associated myelopathy / tropical spastic paraparesis (HAM/TSP) patients produce";
        var q = KeywordQuery.Parse(text, Analyzer, KeywordRanking.Default)!.ToString();
        Assert.Contains("text:ham", q);
        Assert.Contains("text:tsp", q);
        Assert.Contains("text:tropic", q);
        Assert.Contains("text:myelopathi", q);
    }

    [Fact]
    public void SupportedSyntaxStillWorks()
    {
        var prefix = KeywordQuery.Parse("transform*", Analyzer, KeywordRanking.Default);
        Assert.Contains(Leaves(prefix), l => l is PrefixQuery p && p.Prefix.Text == "transform");
        var phrase = KeywordQuery.Parse("\"neural network\" -graph +title:deep", Analyzer, KeywordRanking.Default)!;
        Assert.Contains(Leaves(phrase), l => l is PhraseQuery);
        var top = Assert.IsType<BooleanQuery>(phrase);
        Assert.Contains(top.Clauses, c => c.Occur == Occur.MUST_NOT);
        Assert.Contains(top.Clauses, c => c.Occur == Occur.MUST && c.Query.ToString() == "title:deep");
        // A slash inside a phrase is part of the phrase's text.
        Assert.Contains(Leaves(KeywordQuery.Parse("\"HAM/TSP patients\"", Analyzer, KeywordRanking.Default)), l => l is PhraseQuery p && p.ToString().Contains("ham tsp"));
    }

    private static IEnumerable<Query> Leaves(Query? q) => q switch
    {
        null => [],
        BooleanQuery b => b.Clauses.SelectMany(c => Leaves(c.Query)),
        _ => [q],
    };

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
