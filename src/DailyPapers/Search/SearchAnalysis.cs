using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Util;

namespace DailyPapers.Search;

/// <summary>How text becomes index terms: English stemming for title and abstract, plain folded words for names, exact codes for categories.</summary>
public static class SearchAnalysis
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    public const string Title = "title", Abstract = "abstract", Text = "text", Authors = "authors", Category = "cat", Date = "date", PaperId = "pid", PaperKey = "pkey";

    /// <summary>Bumped whenever analysis or fields change: an index built by another schema is rebuilt from the database.</summary>
    public const string Schema = "2";

    public static Analyzer Create() => new PerFieldAnalyzerWrapper(new EnglishText(), new Dictionary<string, Analyzer>
    {
        [Authors] = new Names(),
        [Category] = new Codes(),
    });

    /// <summary>Standard tokens, possessives dropped, lower-cased, accents folded, English stop words removed, Porter stems.</summary>
    private sealed class EnglishText : Analyzer
    {
        protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        {
            var source = new StandardTokenizer(Version, reader);
            TokenStream t = new EnglishPossessiveFilter(Version, source);
            t = new LowerCaseFilter(Version, t);
            t = new ASCIIFoldingFilter(t);
            t = new StopFilter(Version, t, EnglishAnalyzer.DefaultStopSet);
            t = new PorterStemFilter(t);
            return new TokenStreamComponents(source, t);
        }
    }

    /// <summary>Author names: no stemming and no stop words ("Van", "De" are names), accents folded so "Erdos" finds "Erdős".</summary>
    private sealed class Names : Analyzer
    {
        protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        {
            var source = new StandardTokenizer(Version, reader);
            TokenStream t = new LowerCaseFilter(Version, source);
            t = new ASCIIFoldingFilter(t);
            return new TokenStreamComponents(source, t);
        }
    }

    /// <summary>Category codes such as cs.CL kept whole, case-insensitive.</summary>
    private sealed class Codes : Analyzer
    {
        protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        {
            var source = new KeywordTokenizer(reader);
            return new TokenStreamComponents(source, new LowerCaseFilter(Version, source));
        }
    }
}
