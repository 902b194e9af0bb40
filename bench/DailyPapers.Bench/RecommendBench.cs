using System.Diagnostics;
using System.Globalization;
using DailyPapers.Recommend;

namespace DailyPapers.Bench;

/// <summary>
/// Offline benchmark of the recommender (issue 16) with the authorship proxy (see <see cref="RecommendData"/>): one line
/// per method, <c>method=… ndcg@10=… recall@50=… users=…</c>, for each cutoff.
/// Usage: recommend --snapshot PATH --cutoff YYYY-MM-DD[,YYYY-MM-DD…] [--authors N] [--seed S] [--history N]
///        [--embeddings FILE] [--embed-only] [--methods a,b,…] [--set Option=value …] [--background-days N]
/// </summary>
internal static class RecommendBench
{
    public static int Run(string[] args)
    {
        string? snapshot = null; string embeddings = "/tmp/dp-recommender-embeddings.bin";
        var cutoffs = new List<DateOnly>();
        int authors = 200, seed = 1, maxHistory = 50, backgroundDays = 0;
        bool embedOnly = false;
        string[]? methods = null;
        var sweep = new List<(string Label, RecommenderOptions Options)>();
        var options = RecommenderOptions.Default;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--snapshot": snapshot = Next(); break;
                    case "--cutoff": cutoffs.AddRange(Next().Split(',').Select(RecommendData.Day)); break;
                    case "--authors": authors = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--history": maxHistory = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--embeddings": embeddings = Next(); break;
                    case "--background-days": backgroundDays = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--embed-only": embedOnly = true; break;
                    case "--methods": methods = Next().Split(','); break;
                    case "--set": options = RecommendMethods.With(options, Next()); break;
                    case "--sweep":
                        // "A=1,B=2;A=3": one product run per variant, each on top of --set.
                        foreach (var variant in Next().Split(';', StringSplitOptions.RemoveEmptyEntries))
                            sweep.Add((variant, variant.Split(',').Aggregate(RecommenderOptions.Default, RecommendMethods.With)));
                        break;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
            if (cutoffs.Count == 0) throw new ArgumentException("--cutoff YYYY-MM-DD is required");
            snapshot ??= SharedDataFolder.Snapshot;
            if (!File.Exists(snapshot)) throw new ArgumentException($"snapshot not found: {snapshot}");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"recommend: {e.Message}");
            Console.Error.WriteLine("usage: recommend --snapshot PATH --cutoff YYYY-MM-DD[,…] [--authors N] [--seed S] [--history N] [--embeddings FILE] [--embed-only] [--methods a,b] [--set Option=value]");
            return 2;
        }

        var sw = Stopwatch.StartNew();
        var papers = RecommendData.LoadSnapshot(snapshot);
        Console.Error.WriteLine($"snapshot: {papers.Count} papers in {sw.Elapsed.TotalSeconds:F0} s");
        var cache = new EmbeddingCache(embeddings).Load();
        var setups = cutoffs.Select(c =>
        {
            var candidates = RecommendData.Candidates(papers, c);
            var readers = RecommendData.Readers(papers, candidates, c, authors, seed, maxHistory);
            Console.Error.WriteLine($"cutoff={c:yyyy-MM-dd} candidates={candidates.Count} readers={readers.Count} history_papers={readers.Sum(r => r.History.Count)} targets={readers.Sum(r => r.Targets.Count)}");
            return (Cutoff: c, Candidates: candidates, Readers: readers);
        }).ToList();
        cache.Fill(setups.SelectMany(s => s.Candidates.Concat(s.Readers.SelectMany(r => r.History))).ToList());
        if (embedOnly) return 0;

        foreach (var (cutoff, candidates, readers) in setups)
        {
            Console.WriteLine($"# cutoff={cutoff:yyyy-MM-dd} candidates={candidates.Count} authors={readers.Count} history<= {maxHistory} seed={seed} load={File.ReadAllText("/proc/loadavg").Trim()}");
            // The product's IDF background: the papers listed in the days before the cutoff (never the candidates' own future).
            var background = backgroundDays <= 0 ? null : DocumentFrequencies.From(papers
                .Where(p => p.Listing < cutoff && p.Listing >= cutoff.AddDays(-backgroundDays)).Select(p => (p.Title, p.Abstract)), options.MaxNGram);
            var run = new RecommendMethods(candidates, readers, cache, seed, options, background);
            foreach (var m in methods ?? RecommendMethods.All)
            {
                var t = Stopwatch.StartNew();
                var (ndcg, recall, users) = run.Evaluate(m);
                Console.WriteLine($"method={m} ndcg@10={ndcg:F4} recall@50={recall:F4} users={users} seconds={t.Elapsed.TotalSeconds:F1}");
            }
            foreach (var (label, variant) in sweep)
            {
                var t = Stopwatch.StartNew();
                var (ndcg, recall, users) = new RecommendMethods(candidates, readers, cache, seed, label.Split(',').Aggregate(options, RecommendMethods.With), background).Evaluate("product");
                Console.WriteLine($"method=product[{label}] ndcg@10={ndcg:F4} recall@50={recall:F4} users={users} seconds={t.Elapsed.TotalSeconds:F1}");
            }
        }
        return 0;
    }
}
