using System.Diagnostics;
using System.Globalization;

namespace DailyPapers.Bench;

/// <summary>
/// One URL requested again and again, one request at a time, after a warm-up: the latency a single admin sees.
/// Prints p50, p95, p99 and the slowest, in milliseconds.
///   bench http-latency URL [--requests N] [--warmup N] [--header "Name: value"]
/// </summary>
public static class HttpLatencyBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-')) { Console.Error.WriteLine("usage: bench http-latency URL [--requests 200] [--warmup 20] [--header \"Name: value\"]"); return 2; }
        var url = args[0];
        int requests = 200, warmup = 20;
        var headers = new List<(string, string)>();
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--requests": requests = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--header":
                    var h = args[++i];
                    int colon = h.IndexOf(':');
                    headers.Add((h[..colon].Trim(), h[(colon + 1)..].Trim()));
                    break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        using var http = new HttpClient();
        foreach (var (k, v) in headers) http.DefaultRequestHeaders.Add(k, v);
        long bytes = 0;
        async Task<double> OnceAsync()
        {
            long start = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(url);
            var body = await response.Content.ReadAsByteArrayAsync();
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}");
            bytes = body.Length;
            return ms;
        }
        for (int i = 0; i < warmup; i++) await OnceAsync();
        var times = new List<double>(requests);
        for (int i = 0; i < requests; i++) times.Add(await OnceAsync());
        times.Sort();
        double P(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"url={url} requests={requests} bytes={bytes} p50_ms={P(0.50):F1} p95_ms={P(0.95):F1} p99_ms={P(0.99):F1} max_ms={times[^1]:F1}"));
        return 0;
    }
}
