using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Search;
using DailyPapers.Web;
using Microsoft.Data.Sqlite;

namespace DailyPapers.Bench;

/// <summary>
/// Search at arXiv scale (issue 18): a snapshot of N papers synthesised from the shared one, imported, indexed and
/// given stand-in vectors, then keyword and hybrid latency, vector memory, and a real server's start-up and RSS.
/// </summary>
/// <remarks>
/// The synthetic snapshot repeats the shared one with new ids (YYMM.NNNNN from 1501 on, 99,999 a month) and dates
/// moved into the id's month; from the second pass on each paper keeps its title, authors and categories but takes
/// the abstract of a paper 97 × pass lines earlier, so no two papers are the same text and term statistics keep the
/// snapshot's distribution. It is streamed (a ring of 4,096 abstracts is all it holds). Vectors are stand-ins: random
/// unit vectors (seeded by paper id), stored in paper_embeddings under the product's model key and text hash, so the
/// server loads them as its own and has nothing to embed; query vectors are the real model's.
/// </remarks>
internal static class ScaleBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = new List<int> { 229_380, 1_000_000 };
        string root = Path.Combine(Path.GetTempPath(), "dp-scale");
        int rounds = 3, port = 5291;
        bool keep = false, server = true, synthesiseOnly = false, reuse = false;
        var windows = new List<MaxScore.Windows>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--sizes": sizes = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList(); break;
                case "--dir": root = args[++i]; break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--port": port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--keep": keep = true; break; // keep the synthetic snapshots and data dirs
                case "--no-server": server = false; break;
                case "--windows": // keyword latency for each MaxScore.Windows given as kept-MB:split-from:parts (e.g. 96:256:2)
                    windows.AddRange(args[++i].Split(',').Select(w => w.Split(':').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray())
                        .Select(w => MaxScore.Windows.Default with { KeptPostingsBytes = (long)w[0] << 20, SplitFrom = w[1], Parts = w[2], Bits = w.Length > 3 ? w[3] : MaxScore.Windows.Default.Bits }));
                    break;
                case "--reuse": reuse = keep = true; break; // measure a data dir a --keep run left (no import, index or vectors)
                case "--synthesise-only": synthesiseOnly = keep = true; break; // write the snapshots for a later run, nothing else
                default: Console.Error.WriteLine("usage: scale [--sizes 229380,1000000,3000000] [--dir DIR] [--rounds N] [--port P] [--keep] [--reuse] [--windows MB:SPLIT:PARTS[:BITS],...] [--no-server] [--synthesise-only]"); return 2;
            }
        }
        var queries = File.ReadAllLines(Path.Combine(SharedDataFolder.Location, "queries", "search-queries-200.txt")).Where(q => q.Trim().Length > 0).ToArray();
        Directory.CreateDirectory(root);
        foreach (var n in sizes)
        {
            Console.WriteLine($"papers={n} load={Load()}");
            var file = Path.Combine(root, $"snapshot-{n}.jsonl");
            var dir = Path.Combine(root, $"data-{n}");
            try
            {
                if (reuse && File.Exists(Path.Combine(dir, "dailypapers.db")))
                {
                    await MeasureAsync(n, null, dir, queries, rounds, server ? port : 0, windows);
                    continue;
                }
                var sw = Stopwatch.StartNew();
                if (!File.Exists(file)) await SynthesiseAsync(file + ".part", n);
                if (File.Exists(file + ".part")) File.Move(file + ".part", file);
                if (synthesiseOnly) { Console.WriteLine($"  snapshot={file} synthesise_s={sw.Elapsed.TotalSeconds:F0}"); continue; }
                Console.WriteLine($"  synthesised_s={sw.Elapsed.TotalSeconds:F0} file_mb={new FileInfo(file).Length / 1048576}");
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
                Directory.CreateDirectory(dir);
                await MeasureAsync(n, file, dir, queries, rounds, server ? port : 0, windows);
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                if (!keep)
                {
                    if (Directory.Exists(dir)) Directory.Delete(dir, true);
                    File.Delete(file);
                }
            }
        }
        return 0;
    }

    /// <summary>Imports <paramref name="file"/> into a new data dir and measures it; with no file, measures the data dir as a previous run left it.</summary>
    private static async Task MeasureAsync(int n, string? file, string dir, string[] queries, int rounds, int port, List<MaxScore.Windows> windows)
    {
        var db = DatabaseSettings.Resolve(dir, null);
        await ServerApp.MigrateAsync(db);
        var sw = Stopwatch.StartNew();
        if (file is not null)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var import = await new SnapshotImport(new PaperUpsert(db)).RunAsync(file);
            Console.WriteLine($"  import_s={import.Elapsed.TotalSeconds:F1} papers={import.Read} rejected={import.Rejected} cpu_s={(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F0} load={Load()}");
            Console.WriteLine($"  database_mb={DatabaseBytes(db) / 1048576}");
        }
        else Console.WriteLine($"  reused={dir} database_with_vectors_mb={DatabaseBytes(db) / 1048576}");

        using (var engine = new SearchEngine(db, new SearchSettings()))
        {
            if (file is not null)
            {
                sw.Restart();
                await engine.Keyword.CatchUpAsync(db);
                Console.WriteLine($"  keyword_index_s={sw.Elapsed.TotalSeconds:F1} index_mb={DirectoryBytes(KeywordIndex.IndexPath(db)) / 1048576} segments={engine.Keyword.SegmentCount} load={Load()}");
                sw.Restart();
                int stored = await StoreStandInVectorsAsync(db, n);
                Console.WriteLine($"  stand_in_vectors={stored} store_s={sw.Elapsed.TotalSeconds:F0} database_with_vectors_mb={DatabaseBytes(db) / 1048576}");
            }

            // Keyword: one warm-up round, then the measured ones (the server's path: MaxScore, top 20).
            foreach (var w in windows)
            {
                engine.Keyword.Windows = w;
                var t = Time(queries, rounds, q => engine.RankNow(q, SearchMode.Keyword, null, 20));
                Console.WriteLine($"  keyword kept_mb={w.KeptPostingsBytes >> 20} split_from={w.SplitFrom} parts={w.Parts} bits={w.Bits} p50_ms={t.P50:F2} p95_ms={t.P95:F2} p99_ms={t.P99:F2} load={Load()}");
            }
            engine.Keyword.Windows = MaxScore.Windows.Default;
            var kw = Time(queries, rounds, q => engine.RankNow(q, SearchMode.Keyword, null, 20));
            Console.WriteLine($"  keyword p50_ms={kw.P50:F2} p95_ms={kw.P95:F2} p99_ms={kw.P99:F2} load={Load()}");

            sw.Restart();
            long before = GC.GetTotalMemory(true);
            int loaded = await engine.Embeddings.LoadAsync();
            engine.VectorsLoaded = true;
            long after = GC.GetTotalMemory(true);
            Console.WriteLine($"  vectors_loaded={loaded} load_s={sw.Elapsed.TotalSeconds:F1} vector_index_mb={engine.Vectors.MemoryBytes / 1048576} managed_heap_growth_mb={(after - before) / 1048576} float32_would_be_mb={(long)loaded * Embedder.Dimensions * 4 / 1048576}");
            // Hybrid with the query embedding: the engine caches query vectors by text, so the measured rounds add a
            // space (the same words, another cache key) after a warm-up round without it.
            var hy = Time(queries, 1, q => engine.RankNow(q, SearchMode.Hybrid, null, 20), q => q + " ");
            var hyCached = Time(queries, rounds, q => engine.RankNow(q, SearchMode.Hybrid, null, 20));
            Console.WriteLine($"  hybrid_with_query_embedding p50_ms={hy.P50:F2} p95_ms={hy.P95:F2} p99_ms={hy.P99:F2} load={Load()}");
            Console.WriteLine($"  hybrid_query_vector_cached p50_ms={hyCached.P50:F2} p95_ms={hyCached.P95:F2} p99_ms={hyCached.P99:F2}");
            Console.WriteLine($"  bench_process_rss_mb={Process.GetCurrentProcess().WorkingSet64 / 1048576}");
        }
        SqliteConnection.ClearAllPools();
        if (port > 0)
        {
            // Twice: the first start reads every stored vector from the database and writes the vector file beside the
            // index; the second reads that file (and the rows stored since), as every later restart does.
            foreach (var f in Directory.GetFiles(Path.Combine(dir, "search"), "vectors-*.bin")) File.Delete(f);
            await ServerAsync(dir, port, n, "first_start_from_database");
            await ServerAsync(dir, port, n, "restart_from_vector_file");
        }
    }

    /// <summary>A real server on the data dir: time until it answers, until semantic search is ready, and its RSS then.</summary>
    private static async Task ServerAsync(string dir, int port, int n, string label)
    {
        var sw = Stopwatch.StartNew();
        using var process = VoteBench.StartServer(dir, port, new Dictionary<string, string>
        {
            ["DAILYPAPERS_Harvest__Enabled"] = "false",
            ["DAILYPAPERS_Digest__SchedulerEnabled"] = "false",
        });
        try
        {
            var baseUri = new Uri($"http://127.0.0.1:{port}/");
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(5) };
            double? up = null, ready = null;
            while (sw.Elapsed < TimeSpan.FromMinutes(10) && ready is null)
            {
                try
                {
                    // Any answer means it serves (keyword search works at once); 503 until every check is ready.
                    using var answer = await http.GetAsync("/healthz/ready");
                    up ??= sw.Elapsed.TotalSeconds;
                    var body = await answer.Content.ReadAsStringAsync();
                    if (body.Contains("\"semanticReady\":true", StringComparison.Ordinal)) ready = sw.Elapsed.TotalSeconds;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                if (ready is null) await Task.Delay(100);
            }
            // A keyword and a hybrid request through HTTP once ready (the first ones warm the query paths).
            var t = Stopwatch.StartNew();
            int status;
            try { using var res = await http.GetAsync("/api/v1/papers/search?q=graph%20neural%20networks&mode=hybrid"); status = (int)res.StatusCode; }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { status = 0; }
            // The file is written just after the vectors are loaded: wait for it before the next start.
            var search = Path.Combine(dir, "search");
            for (int i = 0; i < 600 && Directory.GetFiles(search, "vectors-*.bin").Length == 0; i++) await Task.Delay(100);
            Console.WriteLine($"  {label} server_up_s={up:F1} server_semantic_ready_s={ready:F1} first_hybrid_request_ms={t.Elapsed.TotalMilliseconds:F0} status={status} server_rss_mb={Rss(process.Id) / 1024} load={Load()}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Streams <paramref name="n"/> synthetic papers (see the class remarks) to a JSON-lines file.</summary>
    internal static async Task SynthesiseAsync(string output, int n)
    {
        await using var writer = new StreamWriter(output, false, new UTF8Encoding(false), 1 << 20);
        var ring = new string[4096];
        long seen = 0;
        int written = 0;
        for (int pass = 0; written < n; pass++)
        {
            await using var file = File.OpenRead(SharedDataFolder.Snapshot);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8, false, 1 << 20);
            while (written < n && await reader.ReadLineAsync() is { } line)
            {
                var o = JsonNode.Parse(line)!.AsObject();
                var own = (string?)o["abstract"] ?? "";
                ring[seen % ring.Length] = own;
                long from = seen - 97L * pass;
                seen++;
                if (pass > 0 && from >= 0) o["abstract"] = ring[from % ring.Length];
                int month = written / 99_999, number = written % 99_999 + 1;
                var firstDay = new DateTime(2015, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(month);
                o["id"] = $"{firstDay:yyMM}.{number:D5}";
                var versions = o["versions"]!.AsArray();
                var v1 = Rfc1123((string)versions[0]!["created"]!);
                // Version 1 in the id's month (its day and time kept, the day folded into 1-28), the others as far after it as before.
                var shift = firstDay.AddDays((v1.Day - 1) % 28) + v1.TimeOfDay - v1;
                foreach (var v in versions) v!["created"] = (Rfc1123((string)v["created"]!) + shift).ToString("r", CultureInfo.InvariantCulture);
                if ((string?)o["update_date"] is { } updated)
                    o["update_date"] = (DateTime.ParseExact(updated, "yyyy-MM-dd", CultureInfo.InvariantCulture) + shift).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                await writer.WriteLineAsync(o.ToJsonString());
                written++;
            }
        }
    }

    /// <summary>A version date as the snapshot writes it ("Thu, 9 Jul 1992 00:00:00 GMT": RFC 1123 with a one-digit day).</summary>
    private static DateTime Rfc1123(string s) =>
        DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>A random unit vector for every paper, stored as the worker would store a computed one (nothing left due).</summary>
    private static async Task<int> StoreStandInVectorsAsync(DatabaseSettings db, int total)
    {
        await using var read = (SqliteConnection)db.CreateConnection();
        if (read.State != System.Data.ConnectionState.Open) await read.OpenAsync();
        await using var write = (SqliteConnection)db.CreateConnection();
        if (write.State != System.Data.ConnectionState.Open) await write.OpenAsync();
        await using var select = read.CreateCommand();
        select.CommandText = "SELECT \"Id\", \"Sequence\", \"Title\", \"Abstract\" FROM papers";
        await using var rd = await select.ExecuteReaderAsync();
        int stored = 0;
        var now = DateTime.UtcNow;
        var v = new float[Embedder.Dimensions];
        SqliteTransaction? tx = null;
        SqliteCommand? insert = null;
        while (await rd.ReadAsync())
        {
            if (tx is null)
            {
                tx = write.BeginTransaction();
                insert = write.CreateCommand();
                insert.Transaction = tx;
                insert.CommandText = "INSERT OR REPLACE INTO paper_embeddings (\"PaperId\", \"Model\", \"TextHash\", \"PaperSequence\", \"Vector\", \"ComputedAt\") VALUES (@p, @m, @h, @s, @v, @t)";
                foreach (var name in new[] { "@p", "@m", "@h", "@s", "@v", "@t" }) insert.Parameters.Add(new SqliteParameter { ParameterName = name });
                insert.Parameters["@m"].Value = Embedder.ModelName;
            }
            long id = rd.GetInt64(0);
            var rng = new Random(unchecked((int)id));
            for (int i = 0; i < v.Length; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
            float norm = MathF.Sqrt(v.Sum(x => x * x));
            for (int i = 0; i < v.Length; i++) v[i] /= norm;
            insert!.Parameters["@p"].Value = id;
            insert.Parameters["@h"].Value = Embedder.TextHash(Embedder.PaperText(rd.GetString(2), rd.GetString(3)));
            insert.Parameters["@s"].Value = rd.GetInt64(1);
            insert.Parameters["@v"].Value = Embedder.ToBytes(v);
            // Spread as the worker stores them (58 papers/s, the rate measured on this machine), ending now: with one
            // timestamp for all, a restart would take every row as stored after the vector file and read them all again.
            insert.Parameters["@t"].Value = now.AddSeconds(-(total - stored) / 58.0);
            await insert.ExecuteNonQueryAsync();
            if (++stored % 20_000 == 0)
            {
                await tx.CommitAsync();
                await tx.DisposeAsync();
                await insert.DisposeAsync();
                (tx, insert) = (null, null);
            }
        }
        if (tx is not null) { await tx.CommitAsync(); await tx.DisposeAsync(); }
        if (insert is not null) await insert.DisposeAsync();
        return stored;
    }

    private static SearchSpeedBench.Latency Time(string[] queries, int rounds, Action<string> run, Func<string, string>? measured = null)
    {
        foreach (var q in queries) run(q);
        var samples = new List<double>(queries.Length * rounds);
        var wall = Stopwatch.StartNew();
        var sw = new Stopwatch();
        for (int r = 0; r < rounds; r++)
            foreach (var q in queries)
            {
                var text = measured is null ? q : measured(q);
                sw.Restart();
                run(text);
                samples.Add(sw.Elapsed.TotalMilliseconds);
            }
        return SearchSpeedBench.Summarize(samples, wall.Elapsed.TotalSeconds);
    }

    private static long DatabaseBytes(DatabaseSettings db) =>
        new[] { "", "-wal" }.Select(s => new FileInfo(db.SqlitePath + s)).Where(f => f.Exists).Sum(f => f.Length);

    private static long DirectoryBytes(string dir) =>
        Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    /// <summary>VmRSS of a process in KB (Linux).</summary>
    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return 0;
    }

    internal static string Load() => File.Exists("/proc/loadavg") ? string.Join('/', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
