using System.Diagnostics;
using DailyPapers.Data;
using DailyPapers.Search;

namespace DailyPapers.Bench;

/// <summary>
/// Builds the keyword index of a data dir's papers from scratch into a temporary folder (the data dir's own index is
/// left alone) with a given number of threads, and prints wall time, CPU time and papers a second.
/// </summary>
internal static class IndexBuildBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? dataDir = null;
        var threads = new List<int>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--data-dir") dataDir = args[++i];
            else if (args[i] == "--threads") threads.AddRange(args[++i].Split(',').Select(int.Parse));
        }
        if (dataDir is null)
        {
            Console.Error.WriteLine("usage: bench index-build --data-dir DIR [--threads 1,2]");
            return 2;
        }
        if (threads.Count == 0) threads.Add(Environment.ProcessorCount);
        var db = DatabaseSettings.Resolve(dataDir, null);
        foreach (var n in threads)
        {
            var path = Path.Combine(Path.GetTempPath(), "dp-index-build-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                using var index = KeywordIndex.Open(path);
                index.BuildThreads = n;
                var sw = Stopwatch.StartNew();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                int papers = await index.CatchUpAsync(db);
                var cpuS = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                Console.WriteLine($"threads={n} papers={papers} build_s={sw.Elapsed.TotalSeconds:F1} cpu_s={cpuS:F1} papers_per_s={papers / sw.Elapsed.TotalSeconds:F0} segments={index.SegmentCount} load={ScaleBench.Load()}");
            }
            finally
            {
                if (Directory.Exists(path)) Directory.Delete(path, true);
                File.Delete(path + ".lock");
            }
        }
        return 0;
    }
}
