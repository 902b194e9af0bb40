using System.Globalization;
using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Digest;
using DailyPapers.Ingest;
using DailyPapers.Search;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Admin;

/// <summary>A figure for the dashboard's "at a glance" list.</summary>
public sealed record Glance(string Name, string Value, string? Note = null, bool Warn = false);

/// <summary>Everything the /admin dashboard shows, read in one go.</summary>
public sealed record DashboardView(IReadOnlyList<Glance> Glance, IReadOnlyList<ChartData> Charts);

/// <summary>
/// Reads the dashboard's figures: a few aggregate queries over indexed columns and small tables, plus this node's
/// in-memory search statistics. Each chart is a <see cref="ChartData"/>, drawn and tabulated from the same object.
/// </summary>
public sealed class Dashboard(AppDbContext db, DatabaseSettings settings, IngestHealth health, SearchEngine search, SearchStats searches, TimeProvider time)
{
    /// <summary>Days per daily chart: two weeks of announcements and community activity.</summary>
    public const int Days = 14;

    /// <summary>Harvest runs and digest editions shown, newest last.</summary>
    public const int Runs = 30;

    public async Task<DashboardView> BuildAsync(CancellationToken ct)
    {
        var summary = await health.SummaryAsync(ct);
        var charts = new List<ChartData>
        {
            await PapersPerDayAsync(summary, ct),
        };
        charts.AddRange(await HarvestRunsAsync(ct));
        charts.Add(await EmbeddingsAsync(ct));
        charts.Add(await DigestsAsync(ct));
        charts.Add(await CommunityAsync(ct));
        charts.AddRange(Searches());
        return new DashboardView(await GlanceAsync(summary, ct), charts);
    }

    private static string Day(DateOnly d) => d.ToString("MM-dd", CultureInfo.InvariantCulture);

    private async Task<List<Glance>> GlanceAsync(IngestSummary summary, CancellationToken ct)
    {
        var papers = await db.Papers.LongCountAsync(ct);
        var embedded = await db.Set<PaperEmbedding>().LongCountAsync(e => e.Model == Embedder.ModelName, ct);
        var latest = await db.Papers.MaxAsync(p => (DateOnly?)p.ListingDate, ct);
        var lastRun = await db.Set<HarvestRun>().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        var applied = search.Keyword.AppliedSequence;
        var behindIndex = await db.Papers.LongCountAsync(p => p.Sequence > applied, ct);
        string ingestion = !summary.Checked ? "not reconciled yet"
            : summary.Behind is { } b ? (b == 0 ? "current" : $"{b} announcement{(b == 1 ? "" : "s")} behind")
            : "no complete day in the window";
        return
        [
            new("Papers", papers.ToString("N0", CultureInfo.InvariantCulture), latest is { } l ? $"newest listing day {l:yyyy-MM-dd}" : null),
            new("Ingestion", ingestion, $"arXiv's latest announcement {summary.LatestAnnouncement:yyyy-MM-dd}", summary.IsBehind),
            new("Last harvest", lastRun is null ? "none yet" : lastRun.Error is null ? "ok" : "failed",
                lastRun is null ? null : $"{lastRun.StartedAt:yyyy-MM-dd HH:mm} UTC, {lastRun.SetSpec}", lastRun?.Error is not null),
            new("Embeddings", papers == 0 ? "–" : $"{100.0 * embedded / papers:0.#} %", $"{embedded:N0} of {papers:N0}; backlog {Math.Max(0, papers - embedded):N0}"),
            new("Search index", behindIndex == 0 ? "caught up" : $"{behindIndex:N0} papers behind", $"{search.Keyword.DocumentCount:N0} papers indexed", behindIndex > 0),
            new("Database", Bytes(await AppMetrics.DatabaseBytesAsync(db, settings, ct)), settings.Provider == DatabaseProvider.Sqlite ? "SQLite" : "PostgreSQL"),
            new("Index on disk", Bytes(AppMetrics.FolderBytes(Path.Combine(settings.DataDir, "search")))),
        ];
    }

    public static string Bytes(long b) => b switch
    {
        >= 1L << 30 => $"{b / (double)(1L << 30):0.0} GB",
        >= 1L << 20 => $"{b / (double)(1L << 20):0.0} MB",
        >= 1L << 10 => $"{b / 1024.0:0} KB",
        _ => $"{b} B",
    };

    /// <summary>
    /// Papers per listing day by how they came (arXiv harvest or import, or a member's submission), beside the count
    /// arXiv listed for that day and each set. Days: the latest listing days with papers and the reconciled days.
    /// </summary>
    private async Task<ChartData> PapersPerDayAsync(IngestSummary summary, CancellationToken ct)
    {
        var newest = await db.Papers.MaxAsync(p => (DateOnly?)p.ListingDate, ct);
        var days = new SortedSet<DateOnly>(summary.Days.Select(d => d.Day));
        var perDay = new Dictionary<DateOnly, int>();
        var submitted = new Dictionary<DateOnly, int>();
        if (newest is { } nd)
        {
            // Four weeks back is enough to find the latest 14 listing days (arXiv lists five days a week).
            var from = nd.AddDays(-4 * 7 + 1);
            perDay = (await db.Papers.Where(p => p.ListingDate >= from).GroupBy(p => p.ListingDate).Select(g => new { g.Key, N = g.Count() }).ToListAsync(ct))
                .ToDictionary(x => x.Key, x => x.N);
            submitted = (await db.Set<Submission>().Join(db.Papers, s => s.PaperId, p => p.Id, (s, p) => p.ListingDate).Where(d => d >= from)
                .GroupBy(d => d).Select(g => new { g.Key, N = g.Count() }).ToListAsync(ct)).ToDictionary(x => x.Key, x => x.N);
            days.UnionWith(perDay.Keys);
        }
        var shown = days.Reverse().Take(Days).Reverse().ToList();
        // Reconciled counts of these days, in the health window or not (a re-harvest may have checked an older day).
        var listed = await db.Set<IngestDay>().Where(d => shown.Contains(d.Day)).ToListAsync(ct);
        var series = new List<ChartSeries>
        {
            new("from arXiv (harvest, import)", shown.Select(d => (double?)(perDay.GetValueOrDefault(d) - submitted.GetValueOrDefault(d))).ToList()),
            new("submitted by members", shown.Select(d => (double?)submitted.GetValueOrDefault(d)).ToList()),
        };
        foreach (var set in health.Schedule.EffectiveSets)
            series.Add(new($"arXiv listed ({set})", shown.Select(d => listed.FirstOrDefault(x => x.SetSpec == set && x.Day == d)?.Listed is { } n ? (double?)n : null).ToList(), SeriesKind.Line));
        return new ChartData("papers", "Papers per listing day", "Stacked bars: papers on each day's list by source; lines: what arXiv listed that day for each harvested set.",
            "Day", shown.Select(Day).ToList(), series, Stacked: true);
    }

    private async Task<List<ChartData>> HarvestRunsAsync(CancellationToken ct)
    {
        var runs = await db.Set<HarvestRun>().OrderByDescending(r => r.Id).Take(Runs).ToListAsync(ct);
        runs.Reverse();
        var labels = runs.Select(r => r.StartedAt.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + (r.SetSpec.Length == 0 ? r.Source : r.SetSpec)).ToList();
        double? Seconds(HarvestRun r) => r.FinishedAt is { } f ? Math.Round((f - r.StartedAt).TotalSeconds, 1) : null;
        return
        [
            new ChartData("harvest-duration", "Harvest runs: duration", "Seconds per run, succeeded and failed runs apart.", "Run",
                labels, [new("succeeded (s)", runs.Select(r => r.Error is null ? Seconds(r) : null).ToList()), new("failed (s)", runs.Select(r => r.Error is not null ? Seconds(r) : null).ToList())],
                Stacked: true, Unit: " s", Decimals: 1),
            new ChartData("harvest-pages", "Harvest runs: pages and records", "Listing pages per run (bars) and papers new or updated (line).", "Run",
                labels, [new("pages", runs.Select(r => (double?)r.Pages).ToList()), new("errors", runs.Select(r => (double?)(r.Error is null ? 0 : 1)).ToList()),
                    new("new or updated papers", runs.Select(r => (double?)(r.Inserted + r.Updated)).ToList(), SeriesKind.Line)]),
        ];
    }

    /// <summary>Embedding coverage over the samples of the last week, thinned to at most 56 points (one per three hours).</summary>
    private async Task<ChartData> EmbeddingsAsync(CancellationToken ct)
    {
        var since = time.GetUtcNow().UtcDateTime.AddDays(-7);
        var samples = await db.Set<OpsSample>().Where(s => s.TakenAt >= since).OrderBy(s => s.TakenAt).ToListAsync(ct);
        int step = Math.Max(1, (int)Math.Ceiling(samples.Count / 56.0));
        var shown = samples.Where((_, i) => i % step == 0 || i == samples.Count - 1).ToList();
        return new ChartData("embeddings", "Embeddings: backlog and coverage", "Papers waiting for an embedding (bars) and papers embedded (line), sampled every 30 minutes.", "Sampled (UTC)",
            shown.Select(s => s.TakenAt.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture)).ToList(),
            [new("backlog", shown.Select(s => (double?)Math.Max(0, s.Papers - s.Embedded)).ToList()), new("embedded", shown.Select(s => (double?)s.Embedded).ToList(), SeriesKind.Line),
             new("papers", shown.Select(s => (double?)s.Papers).ToList(), SeriesKind.Line)]);
    }

    private async Task<ChartData> DigestsAsync(CancellationToken ct)
    {
        var editions = await db.Set<DigestRun>().OrderByDescending(r => r.Id).Take(Runs).ToListAsync(ct);
        editions.Reverse();
        var ids = editions.Select(e => e.Id).ToList();
        var counts = await db.Set<DigestDelivery>().Where(d => ids.Contains(d.RunId)).GroupBy(d => new { d.RunId, d.State })
            .Select(g => new { g.Key.RunId, g.Key.State, N = g.Count() }).ToListAsync(ct);
        double? Of(long run, DeliveryState s) => counts.FirstOrDefault(c => c.RunId == run && c.State == s)?.N ?? 0;
        return new ChartData("digest", "Digest editions", "Recipients per edition: sent, still pending, and bounced (rejected by the mail server).", "Edition",
            editions.Select(e => e.Key).ToList(),
            [new("sent", editions.Select(e => Of(e.Id, DeliveryState.Sent)).ToList()), new("pending", editions.Select(e => Of(e.Id, DeliveryState.Pending)).ToList()),
             new("bounced", editions.Select(e => Of(e.Id, DeliveryState.Rejected)).ToList())],
            Stacked: true);
    }

    /// <summary>Votes, comments, sign-ups and submissions per UTC day over the last two weeks.</summary>
    private async Task<ChartData> CommunityAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var days = Enumerable.Range(0, Days).Select(i => today.AddDays(i - Days + 1)).ToList();
        var since = days[0].ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        // Only the timestamps of two weeks come back; they are counted per day here, the same way on both engines.
        static Dictionary<DateOnly, int> PerDay(List<DateTime> times) => times.GroupBy(t => DateOnly.FromDateTime(t)).ToDictionary(g => g.Key, g => g.Count());
        var votes = PerDay(await db.Set<Vote>().Where(v => v.CreatedAt >= since).Select(v => v.CreatedAt).ToListAsync(ct));
        var comments = PerDay(await db.Set<Comment>().Where(c => c.CreatedAt >= since).Select(c => c.CreatedAt).ToListAsync(ct));
        var signups = PerDay(await db.Users.Where(u => u.CreatedAt >= since).Select(u => u.CreatedAt).ToListAsync(ct));
        var submissions = PerDay(await db.Set<Submission>().Where(s => s.CreatedAt >= since).Select(s => s.CreatedAt).ToListAsync(ct));
        List<double?> Row(Dictionary<DateOnly, int> m) => days.Select(d => (double?)m.GetValueOrDefault(d)).ToList();
        return new ChartData("community", "Community per day", "Votes, comments, sign-ups and submissions per UTC day.", "Day", days.Select(Day).ToList(),
            [new("votes", Row(votes)), new("comments", Row(comments)), new("sign-ups", Row(signups)), new("submissions", Row(submissions))]);
    }

    /// <summary>This node's searches since it started (at most two weeks): requests per mode, p95 latency, errors.</summary>
    private List<ChartData> Searches()
    {
        var all = searches.Days();
        var days = all.Select(d => d.Day).Distinct().Order().ToList();
        var modes = SearchStats.Modes.Where(m => all.Any(d => d.Mode == m)).ToList();
        SearchDay? At(DateOnly d, string m) => all.FirstOrDefault(x => x.Day == d && x.Mode == m);
        var labels = days.Select(Day).ToList();
        return
        [
            new ChartData("search-requests", "Search requests (this node)", "Requests per day by the mode asked for, and the 4xx and 5xx answers among them.", "Day", labels,
                [.. modes.Select(m => new ChartSeries(m, days.Select(d => (double?)(At(d, m)?.Requests ?? 0)).ToList())),
                 new("4xx", days.Select(d => (double?)all.Where(x => x.Day == d).Sum(x => x.ClientErrors)).ToList(), SeriesKind.Line),
                 new("5xx", days.Select(d => (double?)all.Where(x => x.Day == d).Sum(x => x.ServerErrors)).ToList(), SeriesKind.Line)],
                Stacked: true),
            new ChartData("search-latency", "Search latency p95 (this node)", "95th percentile of the time to answer a search, per day and mode, in milliseconds (to within 10 %).", "Day", labels,
                modes.Select(m => new ChartSeries(m, days.Select(d => At(d, m)?.P95Ms).ToList(), SeriesKind.Line)).ToList(), Unit: " ms", Decimals: 1),
        ];
    }
}
