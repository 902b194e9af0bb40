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

    [Fact]
    public async Task ASecondReindexProcessIsRefusedClearlyInsteadOfCorruptingTheIndex()
    {
        // Lucene's write lock only keeps out writers in the same process: a second process opened the index too and
        // one of them crashed ("read past EOF", a missing segment file).
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(TestEnv.Sample1000);
        using (var running = new SearchEngine(db.Settings, new SearchSettings { Embeddings = false }))
        {
            await running.Keyword.CatchUpAsync(db.Settings); // this process holds the index, as a first reindex or a server does
            var second = await CliProcess.DailyPapersAsync(db.DataDir, "reindex", "--data-dir", db.DataDir);
            Assert.Equal(1, second.ExitCode);
            Assert.Contains("in use by another process", second.Err);
            Assert.DoesNotContain("Unhandled exception", second.Err);
            Assert.Equal(1000, running.Keyword.DocumentCount);
        }
        // Once the first has finished, a reindex runs.
        var after = await CliProcess.DailyPapersAsync(db.DataDir, "reindex", "--data-dir", db.DataDir);
        Assert.Equal(0, after.ExitCode);
        Assert.Equal("1000", after.Value("indexed"));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ReindexEmbeddingsRunsBesideARunningServerAndCudaFallsBackToTheCpu(string engine)
    {
        await using var server = await SearchTestSupport.StartWithSampleAsync(engine, embeddings: false, firstLines: 4);
        var db = server.Database;
        // The server holds the keyword index; reindex --embeddings leaves it alone and embeds. There is no GPU (nor the
        // CUDA provider) here: --device cuda says so and runs on the CPU.
        var run = await CliProcess.DailyPapersAsync(db.DataDir, "reindex", "--embeddings", "--device", "cuda", "--data-dir", db.DataDir, "--database", db.Settings.ConnectionString);
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("computing embeddings only", run.Err);
        Assert.Contains("the CUDA execution provider is not available", run.Err);
        Assert.Equal("cpu", run.Value("device"));
        Assert.Equal("5 of 5", run.Value("embedded"));
        Assert.DoesNotContain("indexed:", run.Out);
        Assert.Equal(5, server.App.Services.GetRequiredService<SearchEngine>().Keyword.DocumentCount);
    }

    private static async Task<List<List<long>>> ResultsAsync(SearchEngine e)
    {
        var results = new List<List<long>>();
        foreach (var q in Queries) results.Add((await e.RankAsync(q, SearchMode.Keyword, null, 20)).Hits.Select(h => h.Id).ToList());
        return results;
    }
}
