using System.Diagnostics;
using System.Text.RegularExpressions;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Search;
using DailyPapers.Web;
using Microsoft.Data.Sqlite;

namespace DailyPapers.Bench;

/// <summary>
/// Search latency over the full snapshot: keyword (Lucene, as the server ranks) beside SQLite FTS5 on the same
/// papers and queries, one and two clients; then hybrid including the query embedding.
/// </summary>
internal static partial class SearchSpeedBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? keep = null;
        int rounds = 3;
        bool mergeCompare = false; // keyword only: as indexed, then merged into one segment, side by side
        bool keywordOnly = false;
        var windowSweep = new List<string>(); // "bits,boundsFrom": MaxScore window settings to compare, keyword only
        var boostSweep = new List<string>(); // "title,abstract,text,authors" field boosts to compare (same index), keyword only
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--keep") keep = args[++i];
            else if (args[i] == "--merge-compare") mergeCompare = true;
            else if (args[i] == "--keyword-only") keywordOnly = true;
            else if (args[i] == "--windows") windowSweep.Add(args[++i]);
            else if (args[i] == "--boosts") boostSweep.Add(args[++i]);
            else if (args[i] == "--rounds") rounds = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
        }
        var queries = File.ReadAllLines(Path.Combine(SharedDataFolder.Location, "queries", "search-queries-200.txt")).Where(q => q.Trim().Length > 0).ToArray();
        var dir = keep ?? Path.Combine(Path.GetTempPath(), "dp-bench-search-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var db = DatabaseSettings.Resolve(dir, null);
        await ServerApp.MigrateAsync(db);
        await using (var conn = db.CreateConnection())
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT COUNT(*) FROM papers";
            if (Convert.ToInt64(await cmd.ExecuteScalarAsync()) == 0)
            {
                var s = await new SnapshotImport(new PaperUpsert(db)).RunAsync(SharedDataFolder.Snapshot);
                Console.Error.WriteLine($"imported {s.Read} papers in {s.Elapsed.TotalSeconds:F0}s");
            }
        }
        using var engine = new SearchEngine(db, new SearchSettings());
        var sw = Stopwatch.StartNew();
        int indexed = await engine.Keyword.CatchUpAsync(db);
        if (indexed > 0) Console.Error.WriteLine($"indexed {indexed} papers in {sw.Elapsed.TotalSeconds:F0}s");
        Console.WriteLine($"papers={engine.Keyword.DocumentCount} queries={queries.Length}");

        // SQLite FTS5 baseline: porter stemming, bm25 with the title weighted 2x, implicit AND of the words.
        await using var fts = (SqliteConnection)db.CreateConnection();
        await using (var cmd = fts.CreateCommand())
        {
            cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'bench_fts'";
            if (Convert.ToInt64(await cmd.ExecuteScalarAsync()) == 0)
            {
                sw.Restart();
                cmd.CommandText = "CREATE VIRTUAL TABLE bench_fts USING fts5(\"Title\", \"Abstract\", \"Authors\", content='papers', content_rowid='Id', tokenize='porter unicode61'); INSERT INTO bench_fts(bench_fts) VALUES('rebuild');";
                await cmd.ExecuteNonQueryAsync();
                Console.Error.WriteLine($"built FTS5 in {sw.Elapsed.TotalSeconds:F0}s");
            }
        }
        var ftsQueries = queries.Select(q => string.Join(" ", Words().Matches(q).Select(m => "\"" + m.Value + "\""))).ToArray();

        Func<int, Action<string>> lucene = _ => q => engine.RankNow(q, SearchMode.Keyword, null, 20);
        Func<int, Action<string>> sqlite = _ =>
        {
            var c = SqlitePragmas.Open(db.ConnectionString);
            var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT rowid FROM bench_fts WHERE bench_fts MATCH @q ORDER BY bm25(bench_fts, 2.0, 1.0, 1.0) LIMIT 20";
            var p = cmd.Parameters.Add("@q", SqliteType.Text);
            return q =>
            {
                p.Value = q;
                using var rd = cmd.ExecuteReader();
                while (rd.Read()) { }
            };
        };

        if (args.Contains("--profile-loop")) // keyword queries only, round after round for 40 s: run it under perf
        {
            var until = Stopwatch.StartNew();
            while (until.Elapsed.TotalSeconds < 40) foreach (var q in queries) lucene(0)(q);
            return 0;
        }
        if (mergeCompare)
        {
            int before = engine.Keyword.SegmentCount;
            var asIs = Measure(queries, lucene, 1, rounds);
            sw.Restart();
            await engine.Keyword.MergeAsync();
            Console.Error.WriteLine($"merged {before} segments into {engine.Keyword.SegmentCount} in {sw.Elapsed.TotalSeconds:F0}s");
            var merged = Measure(queries, lucene, 1, rounds);
            Print($"keyword_lucene_{before}_segments", 1, asIs);
            Print($"keyword_lucene_{engine.Keyword.SegmentCount}_segment", 1, merged);
            return 0;
        }
        if (windowSweep.Count > 0)
        {
            foreach (var w in windowSweep)
            {
                var parts = w.Split(',');
                engine.Keyword.Windows = new MaxScore.Windows(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                Print($"keyword_maxscore_windows_{parts[0]}_{parts[1]}", 1, Measure(queries, lucene, 1, rounds));
            }
            return 0;
        }
        if (boostSweep.Count > 0)
        {
            // Each variant parses the query with its own field boosts.
            var variants = boostSweep.ToDictionary(b => b, b =>
            {
                var f = b.Split(',').Select(x => float.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                return engine.Keyword.Ranking with { TitleBoost = f[0], AbstractBoost = f[1], TextBoost = f[2], AuthorsBoost = f[3] };
            });
            void Run(KeywordRanking ranking, string q)
            {
                var query = KeywordQuery.Parse(q, engine.Keyword.Analyzer, ranking);
                if (query is not null) engine.Keyword.Search(query, 20, null);
            }
            foreach (var q in queries) foreach (var r in variants.Values) Run(r, q);
            foreach (var (variant, l) in Interleaved(queries, boostSweep, rounds, (variant, q) => Run(variants[variant], q)))
                Print($"keyword_maxscore_boosts_{variant.Replace(',', '_')}_interleaved", 1, l);
            return 0;
        }
        // First sight of each term: its score bounds are read from its postings (then kept while the segment lives).
        // Nothing above has searched the index yet, so this is the first time the engine sees these queries' terms.
        var cold = Measure(queries, lucene, 1, 1, warmUp: false);
        // The product's path (MaxScore over the Lucene postings) beside Lucene's own exhaustive BooleanQuery search
        // on a reader of the same index (same scores and results, MaxScoreTests) and the FTS5 baseline, in one run.
        using var reader = Lucene.Net.Index.DirectoryReader.Open(Lucene.Net.Store.FSDirectory.Open(engine.Keyword.Path));
        var exhaustiveSearcher = new Lucene.Net.Search.IndexSearcher(reader) { Similarity = engine.Keyword.Similarity };
        Func<int, Action<string>> exhaustive = _ => q =>
        {
            if (KeywordQuery.Parse(q, engine.Keyword.Analyzer, engine.Keyword.Ranking) is { } query) exhaustiveSearcher.Search(query, 20);
        };
        var ex1 = Measure(queries, exhaustive, 1, rounds);
        var kw1 = Measure(queries, lucene, 1, rounds);
        engine.Keyword.Windows = new MaxScore.Windows(BoundsFrom: int.MaxValue);
        var noWin = Measure(queries, lucene, 1, rounds);
        engine.Keyword.Windows = MaxScore.Windows.Default;
        var kw2 = Measure(queries, lucene, 2, rounds);
        var kw100 = Measure(queries, _ => q => engine.RankNow(q, SearchMode.Keyword, null, 100), 1, rounds);
        var ft1 = Measure(ftsQueries, sqlite, 1, rounds);
        var ft2 = Measure(ftsQueries, sqlite, 2, rounds);
        Print("keyword_lucene_exhaustive", 1, ex1);
        Print("keyword_maxscore_first_sight_of_terms", 1, cold);
        Print("keyword_maxscore", 1, kw1); Print("keyword_maxscore", 2, kw2);
        Print("keyword_maxscore_without_window_bounds", 1, noWin);
        Print("keyword_maxscore_top100", 1, kw100);
        Print("sqlite_fts5", 1, ft1); Print("sqlite_fts5", 2, ft2);
        Console.WriteLine($"ratio_fts5_over_keyword p50={ft1.P50 / kw1.P50:F2} p95={ft1.P95 / kw1.P95:F2} p99={ft1.P99 / kw1.P99:F2} qps_2_clients={kw2.Qps / ft2.Qps:F2}");
        Console.WriteLine($"rss_mb={Process.GetCurrentProcess().WorkingSet64 / 1048576}");
        Console.WriteLine($"ratio_exhaustive_over_maxscore p50={ex1.P50 / kw1.P50:F2} p95={ex1.P95 / kw1.P95:F2} p99={ex1.P99 / kw1.P99:F2}");
        if (args.Contains("--slowest"))
        {
            foreach (var q in queries) lucene(0)(q);
            var timed = queries.Select(q =>
            {
                var t = Stopwatch.StartNew();
                for (int r = 0; r < 5; r++) engine.RankNow(q, SearchMode.Keyword, null, 20);
                return (q, ms: t.Elapsed.TotalMilliseconds / 5);
            }).OrderByDescending(x => x.ms).Take(12);
            var parse = Stopwatch.StartNew();
            for (int r = 0; r < 10; r++) foreach (var q in queries) KeywordQuery.Parse(q, engine.Keyword.Analyzer, engine.Keyword.Ranking);
            Console.WriteLine($"parse_ms_per_query={parse.Elapsed.TotalMilliseconds / (10 * queries.Length):F3}");
            foreach (var (q, ms) in timed) Console.WriteLine($"slow ms={ms:F2} terms={MaxScore.Flatten(KeywordQuery.Parse(q, engine.Keyword.Analyzer, engine.Keyword.Ranking)!)?.Count} q={q}");
        }
        if (keywordOnly) return 0;

        // Hybrid: real embeddings where stored, stand-in random unit vectors for the rest (relevance never uses these).
        int real = await engine.Embeddings.LoadAsync();
        var rng = new Random(42);
        var ids = new List<long>();
        await using (var conn = db.CreateConnection())
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT \"Id\" FROM papers";
            await using var rd = await cmd.ExecuteReaderAsync();
            while (await rd.ReadAsync()) ids.Add(rd.GetInt64(0));
        }
        var v = new float[Embedder.Dimensions];
        foreach (var id in ids)
        {
            if (engine.Vectors.TryGet(id, out _)) continue;
            for (int i = 0; i < v.Length; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            for (int i = 0; i < v.Length; i++) v[i] /= norm;
            engine.Vectors.Upsert(id, v);
        }
        engine.VectorsLoaded = true;
        Console.WriteLine($"vectors={engine.Vectors.Count} real_embeddings={real} stand_in={engine.Vectors.Count - real}");
        // The engine caches query embeddings by text: the measured round adds a space (the same words, another cache
        // key) so every measured query embeds, after a warm-up round without it.
        var hy1 = Measure(queries, c => q => engine.RankNow(c >= 0 ? q + " " : q, SearchMode.Hybrid, null, 20), 1, 1);
        Print("hybrid_with_query_embedding", 1, hy1);
        Console.WriteLine($"rss_mb={Process.GetCurrentProcess().WorkingSet64 / 1048576}");
        // The query session (the product's int8 weights, two threads) beside float weights and one thread, in turn on the same queries.
        var emb = Measure(queries, _ => q => Embedder.ForQueries.Embed(Embedder.Truncate(q)), 1, 1);
        using (var float2 = new Embedder(intraOpThreads: 2, weights: EmbedderWeights.Float))
        {
            var embFloat = Measure(queries, _ => q => float2.Embed(Embedder.Truncate(q)), 1, 1);
            Print("query_embedding_only (product session)", 1, emb);
            Print("query_embedding_only_float_weights", 1, embFloat);
        }
        var emb1 = Measure(queries, _ => q => Embedder.Shared.Embed(Embedder.Truncate(q)), 1, 1);
        Print("query_embedding_only_one_thread (worker session)", 1, emb1);
        var scan = Measure(queries, _ => { var qv = Embedder.Shared.Embed("warm"); return q => engine.Vectors.Nearest(qv, 100); }, 1, 1);
        Print("vector_scan_only", 1, scan);
        var binary = Measure(queries, _ => { var qv = Embedder.Shared.Embed("warm"); return q => engine.Vectors.BinaryCandidateIds(qv, VectorIndex.BinaryShortlist); }, 1, 1);
        Print("vector_binary_pass_only", 1, binary);
        return 0;
    }

    internal sealed record Latency(double P50, double P95, double P99, double Qps);

    private static Latency Measure(string[] queries, Func<int, Action<string>> makeClient, int clients, int rounds, bool warmUp = true)
    {
        if (warmUp)
        {
            var warm = makeClient(-1);
            foreach (var q in queries) warm(q);
        }
        var samples = new List<double>[clients];
        var wall = Stopwatch.StartNew();
        Parallel.For(0, clients, new ParallelOptions { MaxDegreeOfParallelism = clients }, c =>
        {
            var run = makeClient(c);
            var list = samples[c] = new List<double>(queries.Length * rounds);
            var sw = new Stopwatch();
            for (int r = 0; r < rounds; r++)
                foreach (var q in queries)
                {
                    sw.Restart();
                    run(q);
                    list.Add(sw.Elapsed.TotalMilliseconds);
                }
        });
        return Summarize(samples.SelectMany(s => s), wall.Elapsed.TotalSeconds);
    }

    /// <summary>Percentiles of latency samples (ms), and queries per second over <paramref name="seconds"/>.</summary>
    internal static Latency Summarize(IEnumerable<double> samples, double seconds)
    {
        var all = samples.Order().ToArray();
        double P(double p) => all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)];
        return new Latency(P(0.50), P(0.95), P(0.99), all.Length / seconds);
    }

    /// <summary>
    /// One client; the settings take turns query by query (in reverse order every other round), so drift of the machine
    /// falls on all of them alike. Queries per second count the timed calls only.
    /// </summary>
    private static Dictionary<string, Latency> Interleaved(string[] queries, List<string> settings, int rounds, Action<string, string> run)
    {
        var samples = settings.ToDictionary(v => v, _ => new List<double>());
        var clock = new Stopwatch();
        for (int r = 0; r < rounds; r++)
            foreach (var q in queries)
                foreach (var setting in r % 2 == 0 ? settings : Enumerable.Reverse(settings))
                {
                    clock.Restart();
                    run(setting, q);
                    samples[setting].Add(clock.Elapsed.TotalMilliseconds);
                }
        return samples.ToDictionary(kv => kv.Key, kv => Summarize(kv.Value, kv.Value.Sum() / 1000));
    }

    private static void Print(string name, int clients, Latency l) =>
        Console.WriteLine($"engine={name} clients={clients} p50_ms={l.P50:F2} p95_ms={l.P95:F2} p99_ms={l.P99:F2} queries_per_s={l.Qps:F0}");

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Words();
}
