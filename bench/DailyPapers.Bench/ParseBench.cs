using System.Diagnostics;
using System.IO.Compression;
using DailyPapers.Ingest;

namespace DailyPapers.Bench;

/// <summary>Times reading and parsing a snapshot without touching a database.</summary>
internal static class ParseBench
{
    public static int Run(string[] args)
    {
        var path = args.FirstOrDefault(a => !a.StartsWith("--")) ?? SharedDataFolder.Snapshot;
        var sw = Stopwatch.StartNew();
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        long n = 0, ok = 0;
        double tRead = 0, tParse = 0, tHash = 0;
        string? line;
        var t = Stopwatch.StartNew();
        while ((line = reader.ReadLine()) is not null)
        {
            tRead += t.Elapsed.TotalMilliseconds; t.Restart();
            n++;
            var bytes = System.Text.Encoding.UTF8.GetBytes(line);
            if (args.Contains("--deserialize-only")) { KaggleSnapshot.ReadLine(bytes); tParse += t.Elapsed.TotalMilliseconds; t.Restart(); continue; }
            var r = KaggleSnapshot.Parse(bytes, out _);
            tParse += t.Elapsed.TotalMilliseconds; t.Restart();
            if (r is not null) { ok++; r.ComputeHash(); }
            tHash += t.Elapsed.TotalMilliseconds; t.Restart();
        }
        Console.WriteLine($"lines={n} parsed={ok} seconds={sw.Elapsed.TotalSeconds:F2} read_ms={tRead:F0} parse_ms={tParse:F0} hash_ms={tHash:F0}");
        return 0;
    }
}
