using System.Diagnostics;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Web;

namespace DailyPapers.Bench;

/// <summary>Imports the full snapshot into a fresh database, then again, and prints both timings.</summary>
internal static class ImportBench
{
    /// <summary>CPU seconds, allocated bytes and GC pauses since the last call: where a run's time went.</summary>
    private static string Costs(ref long alloc, ref TimeSpan pause, ref TimeSpan cpu)
    {
        var (a, p, c) = (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), Process.GetCurrentProcess().TotalProcessorTime);
        var text = $"cpu_s={(c - cpu).TotalSeconds:F1} allocated_mb={(a - alloc) / 1048576} gc_pause_s={(p - pause).TotalSeconds:F2} gcs={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}";
        (alloc, pause, cpu) = (a, p, c);
        return text;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        string? database = null;
        string path = SharedDataFolder.Snapshot;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--database") database = args[++i];
            else if (args[i] == "--file") path = args[++i];
        }
        var dir = Path.Combine(Path.GetTempPath(), "dp-bench-import-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            var db = DatabaseSettings.Resolve(dir, database);
            await ServerApp.MigrateAsync(db);
            var import = new SnapshotImport(new PaperUpsert(db));
            var (alloc, pause, cpu) = (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), Process.GetCurrentProcess().TotalProcessorTime);
            var first = await import.RunAsync(path);
            Console.WriteLine($"engine={db.Provider} run=first papers={first.Read} inserted={first.Counts.Inserted} seconds={first.Elapsed.TotalSeconds:F2} write_s={first.WriteTime.TotalSeconds:F2} index_s={first.IndexTime.TotalSeconds:F2} flush_s={first.FlushTime.TotalSeconds:F2} papers_per_s={first.PapersPerSecond:F0} {Costs(ref alloc, ref pause, ref cpu)}");
            var second = await import.RunAsync(path);
            Console.WriteLine($"engine={db.Provider} run=repeat papers={second.Read} unchanged={second.Counts.Unchanged} seconds={second.Elapsed.TotalSeconds:F2} papers_per_s={second.PapersPerSecond:F0} {Costs(ref alloc, ref pause, ref cpu)}");
            Console.WriteLine($"peak_working_set_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1048576}");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}
