using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Search;
using DailyPapers.Web;

namespace DailyPapers.Bench;

/// <summary>
/// nDCG@10 and recall@100 of the product's own search pipeline on a BEIR-layout collection: the corpus is
/// upserted into a temporary database and indexed and embedded by the same classes the server runs.
/// </summary>
internal static class RelevanceBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? beir = null, smart = null, keep = null, dump = null;
        var modes = new List<SearchMode> { SearchMode.Hybrid };
        Embedder? model = null;
        var ranking = KeywordRanking.Default;
        List<float> k1s = [ranking.K1], bs = [ranking.B], titleBoosts = [ranking.TitleBoost], textBoosts = [ranking.TextBoost], absBoosts = [ranking.AbstractBoost];
        var fusion = FusionSettings.Default;
        var weights = new List<double>();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => args[++i];
            List<float> Fs() => Next().Split(',').Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToList();
            switch (args[i])
            {
                case "--beir": beir = Next(); break;
                case "--smart": smart = Next(); break;
                case "--keep": keep = Next(); break; // reuse a data dir (and its embeddings) between runs
                case "--dump": dump = Next(); break; // write every query's full keyword and semantic scores (JSON lines) instead of evaluating
                // Other weights than the product's for papers and queries (use a fresh data dir: the stored vectors' key is the product's).
                case "--float": model = new Embedder(intraOpThreads: 1, weights: EmbedderWeights.Float, concurrentCalls: 2); break;
                case "--mode":
                    var m = Next();
                    modes = m == "all" ? [SearchMode.Keyword, SearchMode.Semantic, SearchMode.Hybrid] : [PaperSearch.ParseMode(m)];
                    break;
                case "--k1": k1s = Fs(); break;
                case "--b": bs = Fs(); break;
                case "--title-boost": titleBoosts = Fs(); break;
                case "--text-boost": textBoosts = Fs(); break;
                case "--abstract-boost": absBoosts = Fs(); break;
                case "--no-rescore": fusion = fusion with { RescoreKeywordHits = false }; break;
                case "--fusion": fusion = fusion with { Method = Enum.Parse<FusionMethod>(Next(), true) }; break;
                case "--kw-weight": weights = Next().Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList(); break;
                case "--depth": fusion = fusion with { Depth = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--rrf-k": fusion = fusion with { RrfK = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (beir is null && smart is null) { Console.Error.WriteLine("usage: relevance --beir DIR [--mode all|hybrid|keyword|semantic] [--keep DATADIR] [--dump FILE] [--k1 X --b X --title-boost X --fusion rrf|weighted --kw-weight W[,W…] --depth N]"); return 2; }

        var collection = beir is not null ? BeirCollection.Load(beir) : BeirCollection.LoadSmart(smart!);
        var dir = keep ?? Path.Combine(Path.GetTempPath(), "dp-bench-rel-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            var db = DatabaseSettings.Resolve(dir, null);
            await ServerApp.MigrateAsync(db);
            var sw = Stopwatch.StartNew();
            var counts = new UpsertCounts();
            var upsert = new PaperUpsert(db);
            foreach (var chunk in collection.Records().Chunk(SnapshotImport.BatchSize)) counts.Add(await upsert.UpsertAsync(chunk));
            Console.Error.WriteLine($"corpus: {collection.Docs.Count} docs, inserted {counts.Inserted}, unchanged {counts.Unchanged} ({sw.Elapsed.TotalSeconds:F1}s)");

            var rankings = (from k1 in k1s from b in bs from t in titleBoosts from x in textBoosts from a in absBoosts select ranking with { K1 = k1, B = b, TitleBoost = t, TextBoost = x, AbstractBoost = a }).ToList();
            var engine = new SearchEngine(db, new SearchSettings(), rankings[0], model: model) { Fusion = fusion };
            await engine.Keyword.CatchUpAsync(db);
            if (modes.Any(m => m != SearchMode.Keyword))
            {
                await engine.Embeddings.LoadAsync();
                sw.Restart();
                int before = engine.Vectors.Count;
                await engine.Embeddings.RunToCompletionAsync(64, new Progress<(long Done, long Total)>(p => Console.Error.Write($"\rembedding {p.Done}/{p.Total}   ")));
                int computed = engine.Vectors.Count - before;
                if (computed > 0) Console.Error.WriteLine($"\nembedded {computed} docs in {sw.Elapsed.TotalSeconds:F0}s ({computed / sw.Elapsed.TotalSeconds:F1} docs/s)");
                engine.VectorsLoaded = true;
            }
            var idMap = await PaperIdsAsync(db);
            if (dump is not null)
            {
                Dump(engine, collection, idMap, dump);
                engine.Dispose();
                return 0;
            }

            foreach (var r in rankings)
            foreach (var w in weights.Count == 0 ? [fusion.KeywordWeight] : weights)
            {
                if (engine.Keyword.Ranking != r)
                {
                    // Same index, other scoring: BM25 parameters and field boosts apply at query time.
                    var vectors = engine.Vectors;
                    engine.Dispose();
                    engine = new SearchEngine(db, new SearchSettings(), r, vectors, model) { VectorsLoaded = true };
                }
                engine.Fusion = fusion with { KeywordWeight = w };
                foreach (var mode in modes)
                {
                    if (weights.Count > 1 && mode != SearchMode.Hybrid && w != weights[0]) continue;
                    var (ndcg, recall, n) = Evaluate(engine, collection, idMap, mode);
                    var extra = (rankings.Count > 1 ? $" k1={r.K1} b={r.B} title_boost={r.TitleBoost} abstract_boost={r.AbstractBoost} text_boost={r.TextBoost}" : "") + (weights.Count > 0 && mode == SearchMode.Hybrid ? $" kw_weight={w:F2}" : "");
                    Console.WriteLine($"mode={mode.ToString().ToLowerInvariant()} ndcg@10={ndcg:F4} recall@100={recall:F4} queries={n}{extra}");
                }
            }
            engine.Dispose();
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (keep is null) Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// Each judged query's judgments and every paper's BM25 and cosine as ranked by the product: the material for
    /// fusion studies that would otherwise re-run the pipeline per setting (docs/benchmarks.md, fifth session).
    /// </summary>
    private static void Dump(SearchEngine engine, BeirCollection c, Dictionary<long, string> ids, string path)
    {
        using var w = new StreamWriter(path);
        int all = c.Docs.Count;
        foreach (var (qid, text) in c.Queries)
        {
            if (!c.Qrels.TryGetValue(qid, out var rel) || rel.Values.All(v => v <= 0)) continue;
            List<(long Id, double Score)> kw = [];
            try { kw = engine.RankNow(text, SearchMode.Keyword, null, all).Hits; } catch (SearchRequestException) { } // only stop words: no keyword list
            var sem = engine.RankNow(text, SearchMode.Semantic, null, all).Hits;
            w.WriteLine(JsonSerializer.Serialize(new
            {
                qid,
                rel = rel.Where(kv => kv.Value > 0).ToDictionary(),
                kw = kw.Select(h => new object[] { ids[h.Id], Math.Round(h.Score, 5) }),
                sem = sem.Select(h => new object[] { ids[h.Id], Math.Round(h.Score, 5) }),
            }));
        }
    }

    private static async Task<Dictionary<long, string>> PaperIdsAsync(DatabaseSettings db)
    {
        var map = new Dictionary<long, string>();
        await using var conn = db.CreateConnection();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT \"Id\", \"ArxivId\" FROM papers";
        await using var rd = await cmd.ExecuteReaderAsync();
        while (await rd.ReadAsync()) map[rd.GetInt64(0)] = rd.GetString(1)[BeirCollection.IdPrefix.Length..];
        return map;
    }

    private static (double Ndcg, double Recall, int Queries) Evaluate(SearchEngine engine, BeirCollection c, Dictionary<long, string> ids, SearchMode mode)
    {
        double ndcgSum = 0, recallSum = 0;
        int n = 0;
        foreach (var (qid, text) in c.Queries)
        {
            if (!c.Qrels.TryGetValue(qid, out var rel) || rel.Values.All(v => v <= 0)) continue;
            List<string> ranked;
            try
            {
                ranked = engine.RankNow(text, mode, null, 100).Hits.Select(h => ids[h.Id]).Take(100).ToList();
            }
            catch (SearchRequestException)
            {
                ranked = [];
            }
            n++;
            ndcgSum += Metrics.NdcgAt(ranked, rel, 10);
            recallSum += Metrics.RecallAt(ranked, rel, 100);
        }
        return (n == 0 ? 0 : ndcgSum / n, n == 0 ? 0 : recallSum / n, n);
    }
}

/// <summary>Standard IR measures as BEIR computes them (linear gains, log2 discounts).</summary>
internal static class Metrics
{
    public static double NdcgAt(IReadOnlyList<string> ranked, Dictionary<string, int> rel, int k)
    {
        double dcg = 0;
        for (int i = 0; i < Math.Min(k, ranked.Count); i++)
            if (rel.TryGetValue(ranked[i], out var g) && g > 0) dcg += g / Math.Log2(i + 2);
        var ideal = rel.Values.Where(g => g > 0).OrderByDescending(g => g).Take(k).Select((g, i) => g / Math.Log2(i + 2)).Sum();
        return ideal == 0 ? 0 : dcg / ideal;
    }

    public static double RecallAt(IReadOnlyList<string> ranked, Dictionary<string, int> rel, int k)
    {
        int relevant = rel.Values.Count(g => g > 0);
        if (relevant == 0) return 0;
        return (double)ranked.Take(k).Count(d => rel.TryGetValue(d, out var g) && g > 0) / relevant;
    }
}

/// <summary>A test collection in BEIR layout: corpus.jsonl, queries.jsonl, qrels.tsv (or qrels/test.tsv).</summary>
internal sealed class BeirCollection
{
    public const string IdPrefix = "beir-";
    public List<(string Id, string Title, string Text)> Docs { get; } = [];
    public List<(string Id, string Text)> Queries { get; } = [];
    public Dictionary<string, Dictionary<string, int>> Qrels { get; } = [];

    public static BeirCollection Load(string dir)
    {
        var c = new BeirCollection();
        foreach (var line in File.ReadLines(Path.Combine(dir, "corpus.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var j = JsonDocument.Parse(line);
            var r = j.RootElement;
            c.Docs.Add((Str(r, "_id"), Str(r, "title"), Str(r, "text")));
        }
        foreach (var line in File.ReadLines(Path.Combine(dir, "queries.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var j = JsonDocument.Parse(line);
            c.Queries.Add((Str(j.RootElement, "_id"), Str(j.RootElement, "text")));
        }
        var qrels = Path.Combine(dir, "qrels.tsv");
        if (!File.Exists(qrels)) qrels = Path.Combine(dir, "qrels", "test.tsv");
        foreach (var line in File.ReadLines(qrels))
        {
            var f = line.Split('\t');
            if (f.Length < 3 || !int.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var score)) continue; // header
            if (!c.Qrels.TryGetValue(f[0], out var d)) c.Qrels[f[0]] = d = [];
            d[f[1]] = score;
        }
        return c;
    }

    private static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v)
        ? v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.ToString()
        : "";

    /// <summary>The documents as papers, so they go through the one upsert path like any import.</summary>
    public IEnumerable<PaperRecord> Records() => Docs.Select(d => new PaperRecord
    {
        ArxivId = IdPrefix + d.Id,
        Title = d.Title,
        Abstract = d.Text,
        Authors = [],
        Categories = ["beir"],
        Versions = [new VersionInfo(1, new DateTime(2000, 1, 3, 0, 0, 0, DateTimeKind.Utc), null)],
    });

    /// <summary>
    /// A classic collection in SMART format (CISI, Cranfield): .I id, .T title, .W text. Cranfield's qrels number
    /// queries by position and grade 1 (complete answer) … 4 (minimal interest), 5 or -1 none: gain = 5 - grade.
    /// </summary>
    public static BeirCollection LoadSmart(string dir)
    {
        var files = Directory.GetFiles(dir);
        string Find(params string[] names) => files.First(f => names.Any(n => Path.GetFileName(f).EndsWith(n, StringComparison.OrdinalIgnoreCase)));
        var c = new BeirCollection();
        bool cranfield = files.Any(f => Path.GetFileName(f) == "cranqrel");
        foreach (var (id, fields) in ReadSmart(Find(".ALL", ".all.1400")))
            c.Docs.Add((id, fields.GetValueOrDefault('T', ""), fields.GetValueOrDefault('W', "")));
        int position = 0;
        foreach (var (id, fields) in ReadSmart(Find(".QRY", "cran.qry")))
            c.Queries.Add((cranfield ? (++position).ToString(CultureInfo.InvariantCulture) : id, fields.GetValueOrDefault('W', "")));
        foreach (var line in File.ReadLines(Find(".REL", "cranqrel")))
        {
            var f = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2) continue;
            int gain = 1;
            if (cranfield)
            {
                int grade = int.Parse(f[2], CultureInfo.InvariantCulture);
                if (grade is < 1 or > 4) continue;
                gain = 5 - grade;
            }
            if (!c.Qrels.TryGetValue(f[0], out var d)) c.Qrels[f[0]] = d = [];
            d[f[1]] = gain;
        }
        return c;
    }

    private static IEnumerable<(string Id, Dictionary<char, string> Fields)> ReadSmart(string path)
    {
        string? id = null;
        char field = ' ';
        var fields = new Dictionary<char, string>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(".I ", StringComparison.Ordinal))
            {
                if (id is not null) yield return (id, fields);
                id = line[3..].Trim();
                fields = [];
                field = ' ';
            }
            else if (line.Length >= 2 && line[0] == '.' && char.IsUpper(line[1]) && line.TrimEnd().Length == 2) field = line[1];
            else if (field != ' ') fields[field] = fields.TryGetValue(field, out var t) ? t + " " + line.Trim() : line.Trim();
        }
        if (id is not null) yield return (id, fields);
    }
}
