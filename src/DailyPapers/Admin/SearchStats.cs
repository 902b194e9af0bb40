namespace DailyPapers.Admin;

/// <summary>One day of one search mode on this node: requests, errors and a latency histogram for percentiles.</summary>
public sealed record SearchDay(DateOnly Day, string Mode, long Requests, long ClientErrors, long ServerErrors, double? P95Ms);

/// <summary>
/// Search requests per UTC day and mode, kept in memory on this node for the dashboard (the same requests are in
/// /metrics for long-term storage). Latencies go into log-spaced buckets, so a percentile is read to within 10 %.
/// </summary>
public sealed class SearchStats(TimeProvider time)
{
    public static readonly string[] Modes = ["hybrid", "keyword", "semantic", "invalid"];

    /// <summary>Days kept: two weeks, as the dashboard shows.</summary>
    public const int DaysKept = 14;

    /// <summary>Bucket i holds latencies up to 0.1 ms · 1.1^i; 120 buckets reach 9 s, the last takes anything slower.</summary>
    private const int Buckets = 121;
    private const double FirstBucketMs = 0.1, Ratio = 1.1;

    private sealed class Tally
    {
        public long Requests, ClientErrors, ServerErrors;
        public readonly long[] Latency = new long[Buckets];
    }

    private readonly object _lock = new();
    private readonly SortedDictionary<DateOnly, Tally[]> _days = new();

    public static string ModeOf(string? mode) => mode?.Trim().ToLowerInvariant() switch
    {
        null or "" or "hybrid" => "hybrid",
        "keyword" => "keyword",
        "semantic" => "semantic",
        _ => "invalid",
    };

    public void Record(string mode, int status, double seconds)
    {
        int m = Array.IndexOf(Modes, mode);
        if (m < 0) m = Modes.Length - 1;
        var day = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        double ms = seconds * 1000;
        int bucket = ms <= FirstBucketMs ? 0 : Math.Min(Buckets - 1, (int)Math.Ceiling(Math.Log(ms / FirstBucketMs, Ratio)));
        lock (_lock)
        {
            if (!_days.TryGetValue(day, out var tallies))
            {
                tallies = Modes.Select(_ => new Tally()).ToArray();
                _days[day] = tallies;
                while (_days.Count > DaysKept) _days.Remove(_days.Keys.First());
            }
            var t = tallies[m];
            t.Requests++;
            if (status >= 500) t.ServerErrors++;
            else if (status >= 400) t.ClientErrors++;
            t.Latency[bucket]++;
        }
    }

    /// <summary>Every recorded day and mode with at least one request, oldest first.</summary>
    public List<SearchDay> Days()
    {
        var result = new List<SearchDay>();
        lock (_lock)
        {
            foreach (var (day, tallies) in _days)
                for (int m = 0; m < Modes.Length; m++)
                    if (tallies[m].Requests > 0)
                        result.Add(new SearchDay(day, Modes[m], tallies[m].Requests, tallies[m].ClientErrors, tallies[m].ServerErrors, Percentile(tallies[m].Latency, 0.95)));
        }
        return result;
    }

    /// <summary>The upper bound of the bucket holding the given share of requests.</summary>
    private static double? Percentile(long[] latency, double q)
    {
        long total = latency.Sum();
        if (total == 0) return null;
        long rank = (long)Math.Ceiling(q * total), seen = 0;
        for (int i = 0; i < latency.Length; i++)
        {
            seen += latency[i];
            if (seen >= rank) return Math.Round(FirstBucketMs * Math.Pow(Ratio, i), 2);
        }
        return null;
    }
}
