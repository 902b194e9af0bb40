using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using DailyPapers.Data;
using DailyPapers.Digest;
using DailyPapers.Ingest;
using DailyPapers.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Prometheus;

namespace DailyPapers.Admin;

public enum MetricsAccess { Off, Loopback, Token }

/// <summary>Who may read /metrics (section <c>Metrics</c>).</summary>
public sealed class MetricsSettings
{
    public const string Section = "Metrics";

    /// <summary>
    /// Off (404), Loopback (only requests from this machine that did not come through a proxy: the default, for a
    /// Prometheus or agent on the same host) or Token (<c>Authorization: Bearer</c> with <see cref="Token"/>).
    /// </summary>
    public MetricsAccess Access { get; set; } = MetricsAccess.Loopback;

    public string? Token { get; set; }
}

/// <summary>
/// This app's Prometheus metrics, in a registry of its own (so two servers in one process, as in the tests, keep
/// separate counts). Requests are counted as they happen; harvest, digest, embedding, database and index figures are
/// read when /metrics is scraped, from the database (so every node reports the same totals) and this node's index.
/// </summary>
public sealed class AppMetrics
{
    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    private readonly Histogram _requestHistogram;
    private readonly Histogram.Child?[,] _requests;
    private readonly Histogram _searchDuration;
    private readonly Counter _searches;

    private readonly DatabaseSettings _db;
    private readonly IServiceProvider _services;

    public AppMetrics(DatabaseSettings db, IServiceProvider services)
    {
        _db = db;
        _services = services;
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        // From 1 ms (a cached list page) to 10 s (a cold semantic search on a busy node).
        double[] buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
        _requestHistogram = f.CreateHistogram("dailypapers_http_request_duration_seconds", "HTTP requests by route group and status class: rate from _count, duration from the buckets.",
            ["group", "code"], new HistogramConfiguration { Buckets = buckets });
        // Each group and status class gets its child on its first request (only those are exported), then keeps it:
        // a request costs an array look-up, not a label dictionary look-up.
        _requests = new Histogram.Child?[RouteGroups.All.Length, 5];
        _searchDuration = f.CreateHistogram("dailypapers_search_duration_seconds", "Search requests (page, APIs, feed) by requested mode.", ["mode"], new HistogramConfiguration { Buckets = buckets });
        _searches = f.CreateCounter("dailypapers_search_requests_total", "Search requests by requested mode and outcome (ok, client_error, server_error).", ["mode", "outcome"]);
        DotNetStats.Register(Registry);
        Registry.AddBeforeCollectCallback(CollectAsync);
        _figures = new Figures(f);
    }

    public void ObserveRequest(int group, int status, double seconds)
    {
        int c = Math.Clamp(status / 100, 1, 5) - 1;
        // A race makes two callers ask for the same child; WithLabels returns the same one to both.
        var child = _requests[group, c] ??= _requestHistogram.WithLabels(RouteGroups.All[group], $"{c + 1}xx");
        child.Observe(seconds);
    }

    public void ObserveSearch(string mode, int status, double seconds)
    {
        _searchDuration.WithLabels(mode).Observe(seconds);
        _searches.WithLabels(mode, status >= 500 ? "server_error" : status >= 400 ? "client_error" : "ok").Inc();
    }

    private readonly Figures _figures;

    /// <summary>The instruments whose values are read at scrape time.</summary>
    private sealed class Figures(IMetricFactory f)
    {
        public readonly Gauge Papers = f.CreateGauge("dailypapers_papers", "Papers stored.");
        public readonly Gauge Embedded = f.CreateGauge("dailypapers_embeddings_stored", "Papers with a stored embedding of the current model.");
        public readonly Gauge Backlog = f.CreateGauge("dailypapers_embedding_backlog", "Papers without an embedding of the current model yet.");
        public readonly Counter Computed = f.CreateCounter("dailypapers_embeddings_computed_total", "Embeddings computed by this node's background worker since it started.");
        public readonly Counter HarvestRuns = f.CreateCounter("dailypapers_harvest_runs_total", "Harvest runs recorded (all nodes), by source and outcome.", ["source", "outcome"]);
        public readonly Counter HarvestRecords = f.CreateCounter("dailypapers_harvest_records_total", "Records read by harvests (all nodes), by what became of them.", ["outcome"]);
        public readonly Gauge HarvestLastSuccess = f.CreateGauge("dailypapers_harvest_last_success_timestamp_seconds", "When the scheduled harvest of a set last succeeded (Unix time).", ["set"]);
        public readonly Gauge Behind = f.CreateGauge("dailypapers_ingest_announcements_behind", "Announcement days between a set's newest complete day and arXiv's latest (absent until reconciled; -1: no complete day).", ["set"]);
        public readonly Gauge IngestDays = f.CreateGauge("dailypapers_ingest_days", "Reconciled days in the health window, by set and status.", ["set", "status"]);
        public readonly Counter DigestEditions = f.CreateCounter("dailypapers_digest_editions_total", "Digest editions (all nodes), by status.", ["status"]);
        public readonly Counter DigestDeliveries = f.CreateCounter("dailypapers_digest_deliveries_total", "Digest deliveries (all nodes), by state: sent, rejected (bounced), skipped, pending.", ["state"]);
        public readonly Gauge DatabaseBytes = f.CreateGauge("dailypapers_database_size_bytes", "Size of the database (SQLite file and WAL, or pg_database_size).");
        public readonly Gauge IndexBytes = f.CreateGauge("dailypapers_search_index_size_bytes", "Size of this node's search index folder.");
        public readonly Gauge IndexDocuments = f.CreateGauge("dailypapers_search_index_documents", "Papers in this node's keyword index.");
        public readonly Counter CollectErrors = f.CreateCounter("dailypapers_metrics_collect_errors_total", "Scrapes whose database figures could not be read (the previous values were served).");
        public readonly Gauge IndexBehind = f.CreateGauge("dailypapers_search_index_behind", "Papers changed in the database that this node's keyword index has not applied yet.");
    }

    /// <summary>
    /// Reads the database-wide figures before each scrape. A database that cannot answer must not cost the scrape the
    /// request and process figures: the failure is counted and the last values stay.
    /// </summary>
    private async Task CollectAsync(CancellationToken ct)
    {
        try
        {
            await CollectFiguresAsync(ct);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or IOException && !ct.IsCancellationRequested)
        {
            _figures.CollectErrors.Inc();
            _services.GetService<ILogger<AppMetrics>>()?.LogWarning("metrics: reading the database figures failed: {Error}", ex.Message);
        }
    }

    private async Task CollectFiguresAsync(CancellationToken ct)
    {
        var m = _figures;
        await using var ctx = _db.CreateContext();
        var papers = await ctx.Papers.LongCountAsync(ct);
        var embedded = await ctx.Set<PaperEmbedding>().LongCountAsync(e => e.Model == Embedder.ModelName, ct);
        m.Papers.Set(papers);
        m.Embedded.Set(embedded);
        m.Backlog.Set(Math.Max(0, papers - embedded));

        var runs = await ctx.Set<HarvestRun>().GroupBy(r => new { r.Source, Failed = r.Error != null })
            .Select(g => new { g.Key.Source, g.Key.Failed, N = g.LongCount(), Inserted = g.Sum(r => (long)r.Inserted), Updated = g.Sum(r => (long)r.Updated),
                Unchanged = g.Sum(r => (long)r.Unchanged), Deleted = g.Sum(r => (long)r.Deleted), Rejected = g.Sum(r => (long)r.Rejected) }).ToListAsync(ct);
        foreach (var r in runs) m.HarvestRuns.WithLabels(r.Source, r.Failed ? "error" : "ok").IncTo(r.N);
        m.HarvestRecords.WithLabels("inserted").IncTo(runs.Sum(r => r.Inserted));
        m.HarvestRecords.WithLabels("updated").IncTo(runs.Sum(r => r.Updated));
        m.HarvestRecords.WithLabels("unchanged").IncTo(runs.Sum(r => r.Unchanged));
        m.HarvestRecords.WithLabels("deleted").IncTo(runs.Sum(r => r.Deleted));
        m.HarvestRecords.WithLabels("rejected").IncTo(runs.Sum(r => r.Rejected));
        foreach (var s in await ctx.Set<HarvestState>().Where(s => s.Source == "oai" && s.LastSuccessAt != null).ToListAsync(ct))
            m.HarvestLastSuccess.WithLabels(s.SetSpec).Set(new DateTimeOffset(DateTime.SpecifyKind(s.LastSuccessAt!.Value, DateTimeKind.Utc)).ToUnixTimeSeconds());

        if (_services.GetService<IngestHealth>() is { } health)
        {
            var summary = await health.CachedSummaryAsync(ct);
            foreach (var s in summary.Sets.Where(s => s.LastChecked is not null))
            {
                m.Behind.WithLabels(s.Set).Set(s.Behind ?? -1);
                foreach (var status in Enum.GetValues<IngestDayStatus>())
                    m.IngestDays.WithLabels(s.Set, status.ToString().ToLowerInvariant()).Set(summary.Days.Count(d => d.SetSpec == s.Set && d.Status == status));
            }
        }

        foreach (var e in await ctx.Set<DigestRun>().GroupBy(r => r.Status).Select(g => new { g.Key, N = g.LongCount() }).ToListAsync(ct))
            m.DigestEditions.WithLabels(e.Key.ToString().ToLowerInvariant()).IncTo(e.N);
        var deliveries = await ctx.Set<DigestDelivery>().GroupBy(d => d.State).Select(g => new { g.Key, N = g.LongCount() }).ToListAsync(ct);
        foreach (var state in Enum.GetValues<DeliveryState>())
            m.DigestDeliveries.WithLabels(state.ToString().ToLowerInvariant()).IncTo(deliveries.Where(d => d.Key == state).Sum(d => d.N));

        m.DatabaseBytes.Set(await DatabaseBytesAsync(ctx, _db, ct));
        m.IndexBytes.Set(FolderBytes(Path.Combine(_db.DataDir, "search")));
        if (_services.GetService<SearchEngine>() is { } engine)
        {
            m.Computed.IncTo(engine.Embeddings.Computed);
            m.IndexDocuments.Set(engine.Keyword.DocumentCount);
            var applied = engine.Keyword.AppliedSequence;
            m.IndexBehind.Set(await ctx.Papers.LongCountAsync(p => p.Sequence > applied, ct));
        }
    }

    /// <summary>The database's size on disk: the SQLite file with its WAL, or what PostgreSQL reports.</summary>
    public static async Task<long> DatabaseBytesAsync(AppDbContext ctx, DatabaseSettings db, CancellationToken ct) =>
        db.Provider == DatabaseProvider.Sqlite
            ? new[] { "", "-wal" }.Select(s => new FileInfo(db.SqlitePath + s)).Where(f => f.Exists).Sum(f => f.Length)
            : await ctx.Database.SqlQueryRaw<long>("SELECT pg_database_size(current_database()) AS \"Value\"").SingleAsync(ct);

    public static long FolderBytes(string dir) =>
        Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => { try { return f.Length; } catch (IOException) { return 0; } }) : 0;

    /// <summary>Maps GET /metrics, guarded by <see cref="MetricsSettings.Access"/>.</summary>
    public static void Map(WebApplication app)
    {
        app.MapGet("/metrics", async (HttpContext http, AppMetrics metrics, IOptions<MetricsSettings> options, CancellationToken ct) =>
        {
            var o = options.Value;
            switch (o.Access)
            {
                case MetricsAccess.Off:
                    return Results.Text("Metrics are switched off (Metrics:Access=Off).\n", "text/plain; charset=utf-8", statusCode: 404);
                case MetricsAccess.Loopback when !IsLocal(http):
                    return Results.Text("Metrics are served to this machine only (Metrics:Access=Loopback); set Metrics:Access=Token to read them from elsewhere.\n", "text/plain; charset=utf-8", statusCode: 403);
                case MetricsAccess.Token when !BearerMatches(http, o.Token!):
                    http.Response.Headers.WWWAuthenticate = "Bearer realm=\"metrics\"";
                    return Results.Text("Send the metrics token as Authorization: Bearer <Metrics:Token>.\n", "text/plain; charset=utf-8", statusCode: 401);
            }
            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            await metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, ct);
            return Results.Empty;
        }).ExcludeFromDescription();
    }

    /// <summary>A request from this machine that no proxy forwarded (a proxy on the same host would make everyone local).</summary>
    private static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)
        && !http.Request.Headers.ContainsKey("X-Forwarded-For") && !http.Request.Headers.ContainsKey("X-Original-For") && !http.Request.Headers.ContainsKey("Forwarded");

    private static bool BearerMatches(HttpContext http, string token)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim())), SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }
}

/// <summary>Coarse route groups for request metrics: few enough for Prometheus labels, fine enough to tell pages from APIs.</summary>
public static class RouteGroups
{
    public static readonly string[] All =
        ["home", "lists", "paper", "search", "feeds", "api_v1", "hf_api", "api_docs", "community", "account", "digest", "admin", "metrics", "health", "static", "error", "other"];

    private static readonly Dictionary<string, int> ByName = All.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);

    /// <summary>The group of a request path, by its first segment (and the second under /papers and /api).</summary>
    public static int Of(PathString path)
    {
        var p = path.Value ?? "/";
        if (p.Length <= 1) return ByName["home"];
        int slash = p.IndexOf('/', 1);
        var first = slash < 0 ? p[1..] : p[1..slash];
        var rest = slash < 0 ? "" : p[(slash + 1)..];
        var name = first switch
        {
            "papers" => rest.StartsWith("date", StringComparison.Ordinal) || rest.StartsWith("week", StringComparison.Ordinal)
                || rest.StartsWith("month", StringComparison.Ordinal) || rest.StartsWith("trending", StringComparison.Ordinal) ? "lists" : "paper",
            "search" => "search",
            "feeds" => "feeds",
            "api" => rest.StartsWith("v1/", StringComparison.Ordinal) || rest == "v1" ? "api_v1" : rest.StartsWith("docs", StringComparison.Ordinal) ? "api_docs" : "hf_api",
            "openapi" => "api_docs",
            "submit" or "comments" or "vote" or "moderation" or "users" => "community",
            "account" => "account",
            "subscribe" or "digest" => "digest",
            "admin" => "admin",
            "metrics" => "metrics",
            "healthz" => "health",
            "css" or "js" or "lib" or "img" or "favicon.ico" or "robots.txt" => "static",
            "status" => "error",
            _ => "other",
        };
        return ByName[name];
    }

    /// <summary>Search requests: the page, both JSON APIs and the search feeds.</summary>
    public static bool IsSearch(PathString path) =>
        path.Equals("/search", StringComparison.Ordinal) || path.Equals("/api/v1/papers/search", StringComparison.Ordinal)
        || path.Equals("/api/papers/search", StringComparison.Ordinal) || path.StartsWithSegments("/feeds/search.rss") || path.StartsWithSegments("/feeds/search.atom");
}

/// <summary>
/// Times every request for <see cref="AppMetrics"/>, and searches for <see cref="SearchStats"/> too. It runs first, so
/// it sees the final status, including error pages.
/// </summary>
public sealed class RequestMetricsMiddleware(RequestDelegate next, AppMetrics metrics, SearchStats searches, IOptions<MetricsSettings> options)
{
    /// <summary>With /metrics off nothing reads the Prometheus instruments, so requests skip them (the dashboard's search figures stay).</summary>
    private readonly bool _prometheus = options.Value.Access != MetricsAccess.Off;

    public async Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        long start = Stopwatch.GetTimestamp();
        bool failed = false;
        try
        {
            await next(http);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            // An exception that escapes the pipeline becomes a 500, whatever the status said when it was thrown.
            int status = failed ? 500 : http.Response.StatusCode;
            if (_prometheus) metrics.ObserveRequest(RouteGroups.Of(path), status, seconds);
            if (RouteGroups.IsSearch(path) && http.Request.Query["q"].ToString().Length > 0)
            {
                var mode = SearchStats.ModeOf(http.Request.Query["mode"].ToString());
                if (_prometheus) metrics.ObserveSearch(mode, status, seconds);
                searches.Record(mode, status, seconds);
            }
        }
    }
}
