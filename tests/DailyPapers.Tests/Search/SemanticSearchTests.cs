using DailyPapers.Tests.Support;
using static DailyPapers.Tests.Search.SearchTestSupport;

namespace DailyPapers.Tests.Search;

public sealed class SemanticSearchTests
{
    /// <summary>Describes the NILM paper without its words "energy", "disaggregation", "neural" or "network".</summary>
    private const string Paraphrase = "q=splitting+a+household%27s+electricity+meter+reading+into+individual+appliance+usage";

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SemanticAndHybridFindAPaperDescribedInOtherWordsAndSimilarPapersShow(string engine)
    {
        // 24 papers: the embedding model runs in the test, so the corpus stays small.
        await using var server = await StartWithSampleAsync(engine, embeddings: true, firstLines: 23);
        await WaitForAsync(server, s => s.GetProperty("embeddedPapers").GetInt32() == 24 && s.GetProperty("semanticReady").GetBoolean(), seconds: 600);

        var semantic = await SearchAsync(server, Paraphrase + "&mode=semantic");
        Assert.Equal("semantic", semantic.GetProperty("mode").GetString());
        Assert.Equal(NilmId, Ids(semantic)[0]);

        var hybrid = await SearchAsync(server, Paraphrase);
        Assert.Equal("hybrid", hybrid.GetProperty("mode").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, hybrid.GetProperty("notice").ValueKind);
        Assert.Equal(NilmId, Ids(hybrid)[0]);

        // Filters apply to the semantic list too.
        Assert.DoesNotContain(NilmId, Ids(await SearchAsync(server, Paraphrase + "&mode=semantic&cat=math")));

        var page = await server.Client.GetStringAsync($"papers/{NilmId}");
        Assert.Contains("Similar papers", page);
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Matches(page[page.IndexOf("Similar papers", StringComparison.Ordinal)..], "class=\"card\"").Count);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task EmbeddingsAreStoredSoARestartDoesNotRecomputeThem(string engine)
    {
        await using var server = await StartWithSampleAsync(engine, embeddings: true, firstLines: 5);
        await WaitForAsync(server, s => s.GetProperty("embeddedPapers").GetInt32() == 6, seconds: 600);

        // A second app on the same database loads the stored vectors instead of embedding again.
        var app = DailyPapers.Web.ServerApp.Create(server.Database.Settings, ["--urls", "http://127.0.0.1:0", "--environment", "Production"], b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.Configuration["Search:Embeddings"] = "true";
        });
        var search = app.Services.GetRequiredService<DailyPapers.Search.SearchEngine>();
        var loaded = await search.Embeddings.LoadAsync();
        Assert.Equal(6, loaded);
        Assert.Equal(0, await search.Embeddings.RunBatchAsync(64));
        await app.DisposeAsync();
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task VectorsStoredUnderTheOldModelKeyAreRecomputedNotMixedIn(string engine)
    {
        await using var server = await StartWithSampleAsync(engine, embeddings: false, firstLines: 2);
        var db = server.Database.Settings;
        long paperId;
        await using (var conn = db.CreateConnection())
        {
            if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT MIN(\"Id\") FROM papers";
            paperId = Convert.ToInt64(await cmd.ExecuteScalarAsync());
            // A vector from the package's own encoder, as databases made before the tokenizer change hold them.
            await InsertEmbeddingAsync(conn, paperId, "all-MiniLM-L6-v2", new float[DailyPapers.Search.Embedder.Dimensions], DateTime.UtcNow);
        }

        var vectors = new DailyPapers.Search.VectorIndex();
        var work = new DailyPapers.Search.EmbeddingWork(db, vectors, () => DailyPapers.Search.Embedder.Shared);
        Assert.Equal(0, await work.LoadAsync()); // the old row is not this model's
        Assert.Equal(3, await work.RunBatchAsync(64)); // so every paper, that one included, is embedded anew
        Assert.Equal((3L, 3L), await work.CountsAsync());
        Assert.Equal(3, vectors.Count);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ARestartReadsTheVectorFileAndFallsBackToTheTableWhenTheyDisagree(string engine)
    {
        await using var server = await StartWithSampleAsync(engine, embeddings: false, firstLines: 4);
        var db = server.Database.Settings;
        var rng = new Random(7);
        var ids = new List<long>();
        await using (var conn = db.CreateConnection())
        {
            if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT \"Id\" FROM papers ORDER BY \"Id\"";
            await using (var rd = await cmd.ExecuteReaderAsync()) while (await rd.ReadAsync()) ids.Add(rd.GetInt64(0));
            foreach (var id in ids)
            {
                var v = new float[DailyPapers.Search.Embedder.Dimensions];
                for (int i = 0; i < v.Length; i++) v[i] = (float)(rng.NextDouble() - 0.5);
                var norm = MathF.Sqrt(v.Sum(x => x * x));
                for (int i = 0; i < v.Length; i++) v[i] /= norm;
                await InsertEmbeddingAsync(conn, id, DailyPapers.Search.Embedder.ModelName, v, DateTime.UtcNow.AddHours(-1));
            }
        }
        var query = new float[DailyPapers.Search.Embedder.Dimensions];
        query[0] = 1;

        var v1 = new DailyPapers.Search.VectorIndex();
        var first = new DailyPapers.Search.EmbeddingWork(db, v1, () => DailyPapers.Search.Embedder.Shared);
        File.Delete(first.SnapshotPath);
        int n = ids.Count;
        Assert.True(n >= 3);
        Assert.Equal(n, await first.LoadAsync());
        Assert.False(first.LoadedFromSnapshot);
        Assert.True(first.SaveSnapshotIfDue(force: true));
        Assert.True(File.Exists(first.SnapshotPath));

        // A restart: the file is read, the table only for the rows since; the answers are the same.
        var v2 = new DailyPapers.Search.VectorIndex();
        var second = new DailyPapers.Search.EmbeddingWork(db, v2, () => DailyPapers.Search.Embedder.Shared);
        Assert.Equal(n, await second.LoadAsync());
        Assert.True(second.LoadedFromSnapshot);
        Assert.Equal(v1.Nearest(query, n), v2.Nearest(query, n));

        // A paper's embedding deleted behind the file's back: the counts disagree, so the table is read instead.
        await using (var conn = db.CreateConnection())
        {
            if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync();
            await using var del = conn.CreateCommand();
            del.CommandText = $"DELETE FROM paper_embeddings WHERE \"PaperId\" = {ids[0]}";
            Assert.Equal(1, await del.ExecuteNonQueryAsync());
        }
        var v3 = new DailyPapers.Search.VectorIndex();
        var third = new DailyPapers.Search.EmbeddingWork(db, v3, () => DailyPapers.Search.Embedder.Shared);
        Assert.Equal(n - 1, await third.LoadAsync());
        Assert.False(third.LoadedFromSnapshot);
        Assert.False(v3.Contains(ids[0]));

        // A file cut short (a crash, a full disk) is not used either.
        var bytes = await File.ReadAllBytesAsync(first.SnapshotPath);
        await File.WriteAllBytesAsync(first.SnapshotPath, bytes[..(bytes.Length / 2)]);
        var v4 = new DailyPapers.Search.VectorIndex();
        var fourth = new DailyPapers.Search.EmbeddingWork(db, v4, () => DailyPapers.Search.Embedder.Shared);
        Assert.Equal(n - 1, await fourth.LoadAsync());
        Assert.False(fourth.LoadedFromSnapshot);
        Assert.Equal(n - 1, v4.Count);
    }

    /// <summary>Stores one embedding row as the worker would, for the paper's current text sequence.</summary>
    private static async Task InsertEmbeddingAsync(System.Data.Common.DbConnection conn, long paperId, string model, float[] vector, DateTime computedAt)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            INSERT INTO paper_embeddings ("PaperId", "Model", "TextHash", "PaperSequence", "Vector", "ComputedAt")
            SELECT "Id", @m, 0, "Sequence", @v, @t FROM papers WHERE "Id" = @p
            """;
        DailyPapers.Search.KeywordIndex.AddParameter(cmd, "@m", model);
        DailyPapers.Search.KeywordIndex.AddParameter(cmd, "@v", DailyPapers.Search.Embedder.ToBytes(vector));
        DailyPapers.Search.KeywordIndex.AddParameter(cmd, "@t", computedAt);
        DailyPapers.Search.KeywordIndex.AddParameter(cmd, "@p", paperId);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }
}
