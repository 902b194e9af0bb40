using System.Diagnostics;
using System.IO.Compression;
using DailyPapers.Ingest;
using DailyPapers.Papers;

namespace DailyPapers.Bench;

/// <summary>Runs TexText over every title and abstract of a snapshot: how many change, and how long it takes.</summary>
internal static class TexBench
{
    public static int Run(string[] args)
    {
        var path = args.FirstOrDefault(a => !a.StartsWith("--")) ?? SharedDataFolder.Snapshot;
        var titles = new List<string>();
        var abstracts = new List<string>();
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress)))
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                if (KaggleSnapshot.Parse(System.Text.Encoding.UTF8.GetBytes(line), out _) is not { } r) continue;
                titles.Add(r.Title);
                abstracts.Add(r.Abstract);
            }
        }
        Console.WriteLine($"papers={titles.Count}");
        Measure("titles   ToText", titles, TexText.ToText);
        Measure("titles   ToHtml", titles, TexText.ToHtml);
        Measure("abstracts ToText", abstracts, TexText.ToText);
        Measure("abstracts ToHtml", abstracts, TexText.ToHtml);

        // Hostile 10 kB inputs: the scan must stay linear (the unit tests check the output, not the time).
        foreach (var (label, text) in new[]
        {
            ("10k {", new string('{', 10_000)), ("5k \\'", string.Concat(Enumerable.Repeat(@"\'", 5_000))),
            ("5k ${ (unclosed math)", string.Concat(Enumerable.Repeat("${", 5_000))),
            ("1.7k \\emph{ + x", string.Concat(Enumerable.Repeat(@"\emph{", 1_666)) + "x"),
            ("10k $", new string('$', 10_000)), ("5k \\$ then $x$", string.Concat(Enumerable.Repeat(@"\$", 5_000)) + "$x$"),
        })
        {
            const int runs = 200;
            TexText.ToHtml(text);
            var sw = Stopwatch.StartNew();
            for (int r = 0; r < runs; r++) TexText.ToHtml(text);
            Console.WriteLine($"pathological {label} ({text.Length} chars) ToHtml: us/call={sw.Elapsed.TotalMicroseconds / runs:F0}");
        }
        return 0;
    }

    private static void Measure(string label, List<string> texts, Func<string, string> convert)
    {
        long chars = texts.Sum(t => (long)t.Length);
        GC.Collect();
        // Five passes, the median (and the best) reported: the machine is shared, and the first pass still meets tier-0 code.
        var times = new List<TimeSpan>();
        int changed = 0;
        long allocated = 0;
        for (int pass = 0; pass < 5; pass++)
        {
            changed = 0;
            allocated = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            foreach (var t in texts)
                if (!ReferenceEquals(convert(t), t)) changed++; // unchanged input comes back as the same instance
            times.Add(sw.Elapsed);
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        }
        var median = times.Order().ElementAt(times.Count / 2);
        var best = times.Min();
        // "changed" counts strings that went through the scanner; some of those convert to equal text (an apostrophe in HTML, say)
        int differ = texts.Count(t => convert(t) != t);
        Console.WriteLine($"{label}: n={texts.Count} scanned={changed} differ={differ} ms={median.TotalMilliseconds:F0} best_ms={best.TotalMilliseconds:F0} " +
                          $"MB/s={chars / 1e6 / median.TotalSeconds:F0} ns/item={median.TotalNanoseconds / texts.Count:F0} " +
                          $"allocMB={allocated / 1e6:F0}");
    }
}
