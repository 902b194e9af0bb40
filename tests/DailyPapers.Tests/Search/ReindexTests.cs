using DailyPapers.Cli;
using DailyPapers.Ingest;
using DailyPapers.Search;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Search;

public sealed class ReindexTests
{
    private static readonly string[] Queries = ["neural network", "author:Smith", "\"monte carlo\"", "graph cat:math", "quantum entanglement"];

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ReindexVerbRebuildsAnIndexThatGivesTheSameResults(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(TestEnv.Sample1000);

        List<List<long>> before;
        using (var followed = new SearchEngine(db.Settings, new SearchSettings { Embeddings = false }))
        {
            await followed.Keyword.CatchUpAsync(db.Settings);
            Assert.Equal(1000, followed.Keyword.DocumentCount);
            before = await ResultsAsync(followed);
        }

        var exit = await CliApp.RunAsync(["reindex", "--data-dir", db.DataDir, "--database", db.Settings.ConnectionString]);
        Assert.Equal(0, exit);

        using var rebuilt = new SearchEngine(db.Settings, new SearchSettings { Embeddings = false });
        Assert.Equal(1000, rebuilt.Keyword.DocumentCount);
        Assert.Equal(before, await ResultsAsync(rebuilt));
        Assert.All(before, r => Assert.NotEmpty(r));
    }

    [Fact]
    public async Task ReindexRefusesClearlyWhileTheIndexIsInUse()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        using var running = new SearchEngine(db.Settings, new SearchSettings { Embeddings = false });
        _ = running.Keyword.DocumentCount; // holds the index's write lock, as a running server does
        var err = new StringWriter();
        var original = Console.Error;
        Console.SetError(err);
        try
        {
            Assert.NotEqual(0, await CliApp.RunAsync(["reindex", "--data-dir", db.DataDir]));
        }
        finally { Console.SetError(original); }
        Assert.Contains("in use by another process", err.ToString());
    }

    private static async Task<List<List<long>>> ResultsAsync(SearchEngine e)
    {
        var results = new List<List<long>>();
        foreach (var q in Queries) results.Add((await e.RankAsync(q, SearchMode.Keyword, null, 20)).Hits.Select(h => h.Id).ToList());
        return results;
    }
}
