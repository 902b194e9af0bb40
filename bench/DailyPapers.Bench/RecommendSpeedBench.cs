using System.Diagnostics;
using System.Globalization;
using DailyPapers.Recommend;
using DailyPapers.Search;

namespace DailyPapers.Bench;

/// <summary>
/// Speed of the recommender (issue 16): one member's fit and ranking of a day's candidates (p50/p95 over members), and
/// a whole day's For-you lists for many members, in parallel on every core with the candidate features loaded once.
/// Candidates are the snapshot's newest papers (1,500 by default, about a day of all of arXiv), members' positives drawn
/// from the 20,000 papers before them. Embeddings are random unit vectors: the work does not depend on their values
/// (fixed iteration counts), and computing 20,000 real ones would take an hour here.
/// Usage: recommend-speed [--snapshot PATH] [--candidates N] [--members N] [--positives N] [--seed S] [--set Option=value …]
/// </summary>
internal static class RecommendSpeedBench
{
    public static int Run(string[] args)
    {
        string? snapshot = null;
        int candidates = 1500, members = 10_000, positives = 0, seed = 1, single = 200;
        var options = DailyPapers.Recommend.RecommenderOptions.Default;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--snapshot": snapshot = Next(); break;
                case "--candidates": candidates = Int(); break;
                case "--members": members = Int(); break;
                case "--positives": positives = Int(); break;
                case "--single": single = Int(); break;
                case "--seed": seed = Int(); break;
                case "--set": options = RecommendMethods.With(options, Next()); break;
                default: Console.Error.WriteLine($"recommend-speed: unknown option {args[i]}"); return 2;
            }
        }
        var papers = RecommendData.LoadSnapshot(snapshot ?? SharedDataFolder.Snapshot).OrderBy(p => p.Submitted).ToList();
        var rng = new Random(seed);
        float[] RandomUnit()
        {
            var v = new float[Embedder.Dimensions];
            for (int k = 0; k < v.Length; k++) v[k] = (float)(rng.NextDouble() * 2 - 1);
            System.Numerics.Tensors.TensorPrimitives.Divide(v, System.Numerics.Tensors.TensorPrimitives.Norm(v), v);
            return v;
        }
        PaperInput Input(SnapPaper p) => new(p.Index, p.Title, p.Abstract, p.Categories, RandomUnit());
        var day = papers[^candidates..].Select(Input).ToList();
        var pool = papers[^(candidates + 20_000)..^candidates].Select(Input).ToList();

        // The size of a member's feedback: given, or drawn from a spread of libraries (a third cold start).
        int[] spread = [0, 2, 4, 8, 16, 32, 64, 128, 256];
        var sizes = Enumerable.Range(0, members).Select(_ => positives > 0 ? positives : spread[rng.Next(spread.Length)]).ToArray();
        var memberPositives = sizes.Select(n => Enumerable.Range(0, n).Select(_ => pool[rng.Next(pool.Count)]).ToList()).ToArray();
        var memberNegatives = sizes.Select(n => Enumerable.Range(0, n / 8).Select(_ => day[rng.Next(day.Count)]).ToList()).ToArray();
        string Load() => File.ReadAllText("/proc/loadavg").Trim();

        var sw = Stopwatch.StartNew();
        var set = CandidateSet.FromPapers(day, options);
        double loadMs = sw.Elapsed.TotalMilliseconds;
        Console.WriteLine($"candidates={set.PaperIds.Count} candidate_features_ms={loadMs:F0} load={Load()}");

        // One member at a time (warm-up first), each with the given number of positives (default 50: a library).
        int singleSize = positives > 0 ? positives : 50;
        var one = Enumerable.Range(0, single).Select(_ => Enumerable.Range(0, singleSize).Select(_ => pool[rng.Next(pool.Count)]).ToList()).ToList();
        foreach (var m in one.Take(20)) Recommender.Rank(set, m, [], null, options);
        var times = new List<double>();
        var cpu = new List<double>();
        var proc = Process.GetCurrentProcess();
        foreach (var m in one)
        {
            proc.Refresh();
            var c0 = proc.TotalProcessorTime;
            var t = Stopwatch.StartNew();
            Recommender.Rank(set, m, [], null, options);
            times.Add(t.Elapsed.TotalMilliseconds);
            proc.Refresh();
            cpu.Add((proc.TotalProcessorTime - c0).TotalMilliseconds);
        }
        times.Sort();
        cpu.Sort();
        // CPU time as well as wall time: on a loaded machine the wall time measures the neighbours.
        Console.WriteLine($"single_member positives={singleSize} candidates={set.PaperIds.Count} members={single} p50_ms={times[times.Count / 2]:F1} p95_ms={times[(int)(times.Count * 0.95)]:F1} cpu_p50_ms={cpu[cpu.Count / 2]:F1} cpu_p95_ms={cpu[(int)(cpu.Count * 0.95)]:F1} load={Load()}");

        sw.Restart();
        proc.Refresh();
        var cpuStart = proc.TotalProcessorTime;
        set = CandidateSet.FromPapers(day, options);
        int done = 0;
        Parallel.For(0, members, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            Recommender.Rank(set, memberPositives[i], memberNegatives[i], null, options);
            Interlocked.Increment(ref done);
        });
        proc.Refresh();
        double cpuSeconds = (proc.TotalProcessorTime - cpuStart).TotalSeconds;
        Console.WriteLine($"day members={done} cpu_s={cpuSeconds:F1} cpu_s_per_core={cpuSeconds / Environment.ProcessorCount:F1} positives_mix={(positives > 0 ? positives.ToString(CultureInfo.InvariantCulture) : string.Join('/', spread))} cores={Environment.ProcessorCount} total_s={sw.Elapsed.TotalSeconds:F1} per_member_ms={sw.Elapsed.TotalMilliseconds / members:F2} load={Load()}");
        return 0;
    }
}
