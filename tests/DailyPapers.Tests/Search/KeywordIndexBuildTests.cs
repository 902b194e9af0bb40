using System.IO.Compression;
using System.Text.Json;
using DailyPapers.Ingest;
using DailyPapers.Search;
using DailyPapers.Tests.Support;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace DailyPapers.Tests.Search;

public sealed class KeywordIndexBuildTests
{
    [Fact]
    public void ReplayedTitleAndAbstractGiveTheTermsAndPositionsOfTheJoinedText()
    {
        // The text field used to analyse "title\nabstract" as one string; it now replays the title's and the
        // abstract's terms, each analysed once. Phrase queries depend on the positions being the same.
        var analyzer = SearchAnalysis.Create();
        var texts = RealTitlesAndAbstracts(300).ToList();
        texts.AddRange([
            ("A study of the", "The results of it are in the paper"),   // stop words at the end of one and the start of the other
            ("", "Only an abstract"),
            ("Only a title", ""),
            ("", ""),
            ("the of and", "a an the"),                                 // nothing but stop words
            ("Erdős–Rényi graphs' cores", "Café naïve “quotes” — x² ∑ 𝔽 😀"),
        ]);
        foreach (var (title, summary) in texts)
        {
            var joined = Tokens(analyzer.GetTokenStream(SearchAnalysis.Text, title + "\n" + summary));
            var replayed = Tokens(AnalysedText.Replay(
                AnalysedText.Of(analyzer, SearchAnalysis.Title, title), AnalysedText.Of(analyzer, SearchAnalysis.Abstract, summary)));
            Assert.Equal(joined, replayed);
            Assert.Equal(Tokens(analyzer.GetTokenStream(SearchAnalysis.Abstract, summary)),
                Tokens(AnalysedText.Replay(AnalysedText.Of(analyzer, SearchAnalysis.Abstract, summary))));
        }
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ABulkBuildOnTwoThreadsGivesTheIndexThatFollowingGives(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(TestEnv.Sample1000);
        string[] queries = ["neural network", "author:Smith", "\"monte carlo\"", "graph cat:math", "quantum entanglement", "abstract:lattice", "title:model"];

        var dir = TestEnv.NewTempDir();
        using var followed = KeywordIndex.Open(Path.Combine(dir, "followed"));
        followed.BulkFrom = int.MaxValue; // batches of 2,000 on this thread, as a server following new papers
        using var bulk = KeywordIndex.Open(Path.Combine(dir, "bulk"));
        bulk.BulkFrom = 100;
        bulk.BulkChunkPapers = 300; // four chunks: 300, 300, 300, 100
        bulk.BuildThreads = 2;

        var chunks = new List<long>();
        Assert.Equal(1000, await followed.CatchUpAsync(db.Settings));
        Assert.Equal(1000, await bulk.CatchUpAsync(db.Settings, new Progress<(long Done, long Total)>(p => { lock (chunks) chunks.Add(p.Done); })));

        Assert.Equal(1000, bulk.DocumentCount);
        Assert.Equal(followed.AppliedSequence, bulk.AppliedSequence);
        foreach (var q in queries)
        {
            var a = followed.Search(KeywordQuery.Parse(q, followed.Analyzer, followed.Ranking)!, 1000);
            var b = bulk.Search(KeywordQuery.Parse(q, bulk.Analyzer, bulk.Ranking)!, 1000);
            Assert.Equal(a.Total, b.Total);
            var scores = b.Hits.ToDictionary(h => h.PaperId, h => h.Score);
            Assert.Equal(a.Hits.Count, scores.Count);
            Assert.All(a.Hits, h => Assert.Equal(h.Score, scores[h.PaperId], 4));
            Assert.True(a.Hits.Count > 0, q);
        }
        // Nothing more to do: a second catch-up applies nothing.
        Assert.Equal(0, await bulk.CatchUpAsync(db.Settings));

        // Both indexes reuse one set of fields a thread: check the bulk one against the records themselves, so a field
        // left over from a thread's previous paper cannot pass. Every category's paper count, and the text field's term
        // count against an analysis of "title\nabstract" done here.
        var records = await StoredRecordsAsync(db.Settings);
        Assert.Equal(1000, records.Count);
        using var reader = Lucene.Net.Index.DirectoryReader.Open(Lucene.Net.Store.FSDirectory.Open(Path.Combine(dir, "bulk")));
        var expectedCategories = records.SelectMany(r => r.Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .SelectMany(c => new[] { c.ToLowerInvariant(), c.Split('.')[0].ToLowerInvariant() }).Distinct())
            .GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        foreach (var (code, count) in expectedCategories)
            Assert.Equal(count, reader.DocFreq(new Lucene.Net.Index.Term(SearchAnalysis.Category, code)));
        var analyzer = SearchAnalysis.Create();
        long terms = records.Sum(r => (long)Tokens(analyzer.GetTokenStream(SearchAnalysis.Text, r.Title + "\n" + r.Abstract)).Count - 1);
        Assert.Equal(terms, reader.GetSumTotalTermFreq(SearchAnalysis.Text));
        long authorTerms = records.Sum(r => (long)Tokens(analyzer.GetTokenStream(SearchAnalysis.Authors, r.Authors)).Count - 1);
        Assert.Equal(authorTerms, reader.GetSumTotalTermFreq(SearchAnalysis.Authors));
        Directory.Delete(dir, true);
    }

    private static async Task<List<(string Title, string Abstract, string Authors, string Categories)>> StoredRecordsAsync(DailyPapers.Data.DatabaseSettings db)
    {
        await using var conn = db.CreateConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT \"Title\", \"Abstract\", \"Authors\", \"Categories\" FROM papers";
        var list = new List<(string, string, string, string)>();
        await using var rd = await cmd.ExecuteReaderAsync();
        while (await rd.ReadAsync()) list.Add((rd.GetString(0), rd.GetString(1), rd.GetString(2), rd.GetString(3)));
        return list;
    }

    private static List<(string Term, int Increment)> Tokens(TokenStream stream)
    {
        using (stream)
        {
            var term = stream.AddAttribute<ICharTermAttribute>();
            var increment = stream.AddAttribute<IPositionIncrementAttribute>();
            var list = new List<(string, int)>();
            stream.Reset();
            while (stream.IncrementToken()) list.Add((term.ToString(), increment.PositionIncrement));
            stream.End();
            list.Add(("<end>", increment.PositionIncrement));
            return list;
        }
    }

    private static IEnumerable<(string Title, string Abstract)> RealTitlesAndAbstracts(int n)
    {
        using var file = File.OpenRead(TestEnv.Sample1000);
        using var reader = new StreamReader(TestEnv.Sample1000.EndsWith(".gz") ? new GZipStream(file, CompressionMode.Decompress) : file);
        for (int i = 0; i < n && reader.ReadLine() is { } line; i++)
        {
            using var doc = JsonDocument.Parse(line);
            yield return (doc.RootElement.GetProperty("title").GetString()!, doc.RootElement.GetProperty("abstract").GetString()!);
        }
    }
}
