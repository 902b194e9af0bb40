using System.Text.Json;
using DailyPapers.Ingest;
using DailyPapers.Search;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static DailyPapers.Tests.Search.SearchTestSupport;

namespace DailyPapers.Tests.Search;

/// <summary>Issue 18: embeddings computed newest listing day first and served while only part of the collection has them.</summary>
public sealed class PartialCoverageTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TheWorkerEmbedsTheNewestListingDaysFirst(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(TestEnv.Sample1000);
        var newest = await NewestAsync(db.Settings, 12);

        var vectors = new VectorIndex();
        var work = new EmbeddingWork(db.Settings, vectors, () => Embedder.Shared);
        Assert.Equal(8, await work.RunBatchAsync(8));
        Assert.Equal(4, await work.RunBatchAsync(4));

        // Exactly the 12 newest (listing day, then id, descending): the snapshot's order (by id, oldest first) is not it.
        Assert.Equal(12, vectors.Count);
        Assert.All(newest, n => Assert.True(vectors.Contains(n.Id), $"{n.ArxivId} ({n.Day}) is among the 12 newest but has no embedding"));
        var coverage = work.Coverage;
        Assert.False(coverage.Complete);
        Assert.Equal(newest[^1].Day.AddDays(1), coverage.From);
        Assert.Equal(newest[0].Day, coverage.Newest);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SemanticAndHybridServeTheEmbeddedPartAndSayWhichDaysItCovers(string engine)
    {
        // The whole 1,000-paper sample indexed; 30 embedded by "another process" (this test), which holds the embedding
        // lock, so the server's worker follows instead of embedding the rest: coverage stays at 3 %.
        await using var server = await TestServer.StartAsync(engine, b =>
        {
            b.Configuration["Search:Embeddings"] = "true";
            b.Configuration["Search:IndexPollInterval"] = "00:00:00.200";
        });
        var db = server.Database.Settings;
        await using var held = await new EmbeddingLock(db).TryAcquireAsync(CancellationToken.None);
        Assert.NotNull(held);
        await new SnapshotImport(new PaperUpsert(db)).RunAsync(TestEnv.Sample1000);
        await WaitForAsync(server, s => s.GetProperty("indexedPapers").GetInt32() == 1000);
        var newest = await NewestAsync(db, 31);
        var work = new EmbeddingWork(db, new VectorIndex(), () => Embedder.Shared);
        Assert.Equal(30, await work.RunBatchAsync(30));
        // Every paper listed after the newest one without an embedding (the 31st) has one. The worker looks again every
        // few seconds, and one look taken while the batch above was being stored saw none of it: wait for the settled answer.
        var from = PaperSearch.Iso(newest[30].Day.AddDays(1));
        await WaitForAsync(server, s => s.GetProperty("embeddedPapers").GetInt32() == 30
            && s.GetProperty("semanticCoverage").GetProperty("from") is { ValueKind: JsonValueKind.String } f && f.GetString() == from, seconds: 300);

        var last = PaperSearch.Iso(newest[0].Day);
        var embedded = newest.Take(30).Select(n => n.ArxivId).ToHashSet();
        var target = newest[3];

        var semantic = await SearchAsync(server, "q=" + Uri.EscapeDataString(target.Title) + "&mode=semantic&page_size=5");
        Assert.Equal("semantic", semantic.GetProperty("mode").GetString());
        Assert.Equal(target.ArxivId, Ids(semantic)[0]);
        Assert.All(Ids(semantic), id => Assert.Contains(id, embedded));
        Assert.Contains($"papers listed {from} – {last} (3 %)", semantic.GetProperty("notice").GetString());
        var coverage = semantic.GetProperty("semanticCoverage");
        Assert.False(coverage.GetProperty("complete").GetBoolean());
        Assert.Equal(from, coverage.GetProperty("from").GetString());
        // "Top N by similarity", N the papers that can rank — not the page size.
        Assert.Equal("top-by-similarity", semantic.GetProperty("totalKind").GetString());
        Assert.Equal(30, semantic.GetProperty("total").GetInt32());
        Assert.Equal(6, semantic.GetProperty("pageCount").GetInt32());

        var hybrid = await SearchAsync(server, "q=" + Uri.EscapeDataString(target.Title) + "&page_size=5");
        Assert.Equal("hybrid", hybrid.GetProperty("mode").GetString());
        Assert.Equal(target.ArxivId, Ids(hybrid)[0]);
        Assert.Contains("Keyword matches cover every paper", hybrid.GetProperty("notice").GetString());
        Assert.Equal("matches", hybrid.GetProperty("totalKind").GetString());

        var page = await server.Client.GetStringAsync("search?mode=semantic&q=" + Uri.EscapeDataString(target.Title));
        Assert.Contains($"papers listed {from} – {last}", System.Net.WebUtility.HtmlDecode(page));
        Assert.Contains("top 30 by similarity", page);

        // Similar papers of an embedded paper come from the embedded part, by meaning.
        var paper = await server.Client.GetStringAsync($"papers/{target.ArxivId}");
        var similar = paper[paper.IndexOf("Similar papers", StringComparison.Ordinal)..];
        var linked = System.Text.RegularExpressions.Regex.Matches(similar, "href=\"/papers/([0-9.]+)\"").Select(m => m.Groups[1].Value).Distinct().Take(5).ToList();
        Assert.Equal(5, linked.Count);
        Assert.All(linked, id => Assert.Contains(id, embedded));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task DeviceCudaWithoutAGpuFallsBackToTheCpuAndStillEmbeds(string engine)
    {
        await using var server = await TestServer.StartAsync(engine, b =>
        {
            b.Configuration["Search:Embeddings"] = "true";
            b.Configuration["Search:Device"] = "cuda";
            b.Configuration["Search:IndexPollInterval"] = "00:00:00.200";
        });
        var path = Path.Combine(server.Database.DataDir, "two.jsonl");
        await File.WriteAllLinesAsync(path, File.ReadLines(TestEnv.Sample1000).Take(2));
        await new SnapshotImport(new PaperUpsert(server.Database.Settings)).RunAsync(path);
        await WaitForAsync(server, s => s.GetProperty("embeddedPapers").GetInt32() == 2, seconds: 300);
        var status = await StatusAsync(server);
        Assert.Equal("cpu", status.GetProperty("device").GetString());
        Assert.Contains("CUDA execution provider is not available", status.GetProperty("deviceFallback").GetString());
        Assert.True(status.GetProperty("semanticCoverage").GetProperty("complete").GetBoolean());
    }

    /// <summary>The newest papers by listing day then id, as the worker takes them.</summary>
    private static async Task<List<(long Id, string ArxivId, DateOnly Day, string Title)>> NewestAsync(DailyPapers.Data.DatabaseSettings db, int n)
    {
        await using var ctx = db.CreateContext();
        var rows = await ctx.Papers.OrderByDescending(p => p.ListingDate).ThenByDescending(p => p.Id).Take(n)
            .Select(p => new { p.Id, p.ArxivId, p.ListingDate, p.Title }).ToListAsync();
        return rows.ConvertAll(r => (r.Id, r.ArxivId, r.ListingDate, r.Title));
    }
}
