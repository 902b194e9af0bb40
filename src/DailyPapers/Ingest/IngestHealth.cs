using System.Globalization;
using DailyPapers.Data;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Ingest;

/// <summary>Where one set stands: its newest complete day and how many announcements that is behind.</summary>
/// <param name="Behind">Announcement days after the newest complete one, up to the latest; null when no recent day is complete.</param>
public sealed record SetHealth(string Set, DateOnly? NewestComplete, int? Behind, int ShortDays, int FailedDays, DateTime? LastChecked);

/// <summary>Ingestion health of every configured set over the reconciled window.</summary>
public sealed record IngestSummary(DateOnly LatestAnnouncement, IReadOnlyList<SetHealth> Sets, IReadOnlyList<IngestDay> Days)
{
    /// <summary>Nothing reconciled yet (a new instance, or the harvest switched off): there is nothing to judge.</summary>
    public bool Checked => Days.Count > 0;

    /// <summary>The largest lag of a reconciled set; null when a reconciled set has no complete day in the window.</summary>
    public int? Behind
    {
        get
        {
            int max = 0;
            foreach (var s in Sets.Where(s => s.LastChecked is not null))
            {
                if (s.Behind is not { } b) return null;
                max = Math.Max(max, b);
            }
            return max;
        }
    }

    /// <summary>More than one announcement behind: the newest day may still be on its way, the one before should not be.</summary>
    public bool IsBehind => Checked && (Behind is null || Behind > 1);

    /// <summary>A short or failed day anywhere in the window.</summary>
    public bool HasGaps => Sets.Any(s => s.ShortDays + s.FailedDays > 0);
}

/// <summary>
/// Reconciles what was stored against what arXiv listed: for each set and announcement day, one OAI-PMH
/// ListIdentifiers listing (paged by resumption token, through the shared polite <see cref="ArxivHttp"/>) is compared
/// with the papers table. A day is complete, short (both counts kept) or failed (the error kept). It only reads
/// papers; it writes nothing but its own <c>ingest_days</c> rows.
/// </summary>
public sealed class IngestHealth(DatabaseSettings db, ArxivHttp http, HarvestSettings schedule, TimeProvider time)
{
    /// <summary>How many missing ids a short day keeps for the admin page.</summary>
    public const int MissingShown = 20;

    /// <summary>Ids per look-up in the papers table (well under SQLite's and PostgreSQL's parameter limits).</summary>
    private const int LookupBatch = 500;

    public HarvestSettings Schedule => schedule;

    public DateOnly LatestAnnouncementDay => schedule.LatestAnnouncementDay(time.GetUtcNow());

    /// <summary>The window reconciled by default: the configured number of announcement days up to the latest, newest first.</summary>
    public List<DateOnly> Window => HarvestSettings.AnnouncementDays(LatestAnnouncementDay, schedule.ReconcileDays);

    /// <summary>
    /// Reconciles <paramref name="sets"/> over <paramref name="days"/> (default: the window, leaving out days already
    /// found complete at least two days after they were announced, which no longer change). Stops at the first day arXiv
    /// could not be reached for (recorded as failed): the others would only wait out the same retries.
    /// </summary>
    public async Task<List<IngestDay>> ReconcileAsync(IReadOnlyList<string> sets, IReadOnlyList<DateOnly>? days = null, CancellationToken ct = default)
    {
        var checkedDays = new List<IngestDay>();
        var window = days ?? Window;
        foreach (var set in sets)
        {
            var settled = new HashSet<DateOnly>();
            if (days is null)
            {
                await using var ctx = db.CreateContext();
                var rows = await ctx.Set<IngestDay>().Where(d => d.SetSpec == set && window.Contains(d.Day) && d.Status == IngestDayStatus.Complete).ToListAsync(ct);
                settled = rows.Where(r => r.CheckedAt >= r.Day.AddDays(2).ToDateTime(TimeOnly.MinValue)).Select(r => r.Day).ToHashSet();
            }
            foreach (var day in window.Where(d => !settled.Contains(d)))
            {
                var result = await CheckDayAsync(set, day, ct);
                checkedDays.Add(result);
                if (result.Status == IngestDayStatus.Failed && result.Error?.StartsWith(UnreachablePrefix, StringComparison.Ordinal) == true) return checkedDays;
            }
        }
        return checkedDays;
    }

    private const string UnreachablePrefix = "arXiv unreachable: ";

    /// <summary>Lists one day of one set at arXiv and records how much of it is stored.</summary>
    public async Task<IngestDay> CheckDayAsync(string set, DateOnly day, CancellationToken ct = default)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        int pages = 0;
        string? error = null;
        try
        {
            var o = http.Options;
            var dayText = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            string? token = null;
            do
            {
                var url = token is null
                    ? Harvester.OaiUrl(o.OaiBaseUrl, ("verb", "ListIdentifiers"), ("metadataPrefix", o.OaiMetadataPrefix), ("from", dayText), ("until", dayText), ("set", set.Length == 0 ? null : set))
                    : Harvester.OaiUrl(o.OaiBaseUrl, ("verb", "ListIdentifiers"), ("resumptionToken", token));
                var page = OaiPmhParser.ParseIdentifiers(SafeXml.Load(await http.GetAsync(url, ct), url.ToString()));
                pages++;
                // Deleted records are kept here as withdrawn papers, but arXiv no longer lists them as announced.
                foreach (var h in page.Headers)
                    if (!h.Deleted && (h.Datestamp == day || h.Datestamp == default)) listed.Add(h.ArxivId);
                token = page.ResumptionToken;
            }
            while (token is not null);
        }
        catch (ArxivHttpException ex)
        {
            error = UnreachablePrefix + ex.Message;
        }
        catch (Exception ex) when (ex is ArxivFormatException or OaiPmhErrorException)
        {
            error = ex.Message;
        }

        await using var ctx = db.CreateContext();
        var row = await ctx.Set<IngestDay>().AsTracking().FirstOrDefaultAsync(d => d.SetSpec == set && d.Day == day, ct);
        if (row is null)
        {
            row = new IngestDay { SetSpec = set, Day = day };
            ctx.Add(row);
        }
        row.CheckedAt = time.GetUtcNow().UtcDateTime;
        row.Pages = pages;
        if (error is not null)
        {
            // The counts of the last successful check stay: they are still the best known figures.
            row.Status = IngestDayStatus.Failed;
            row.Error = error.Length <= 2000 ? error : error[..1997] + "…";
        }
        else
        {
            var stored = new HashSet<string>(StringComparer.Ordinal);
            foreach (var batch in listed.Chunk(LookupBatch))
                stored.UnionWith(await ctx.Papers.Where(p => batch.Contains(p.ArxivId)).Select(p => p.ArxivId).ToListAsync(ct));
            var missing = listed.Where(id => !stored.Contains(id)).Order(StringComparer.Ordinal).ToList();
            row.Listed = listed.Count;
            row.Stored = stored.Count;
            row.Status = missing.Count == 0 ? IngestDayStatus.Complete : IngestDayStatus.Short;
            row.Missing = missing.Count == 0 ? null : string.Join(' ', missing.Take(MissingShown));
            row.Error = null;
        }
        await ctx.SaveChangesAsync(ct);
        _cached = null;
        return row;
    }

    private volatile Tuple<IngestSummary, DateTimeOffset>? _cached;

    /// <summary>How long the banner's summary is reused: it is asked for on every page an admin opens.</summary>
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    /// <summary><see cref="SummaryAsync"/>, reused for <see cref="CacheFor"/> (this node's own checks refresh it at once).</summary>
    public async Task<IngestSummary> CachedSummaryAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        if (_cached is { } c && now - c.Item2 < CacheFor) return c.Item1;
        var summary = await SummaryAsync(ct);
        _cached = Tuple.Create(summary, now);
        return summary;
    }

    /// <summary>The health of every configured set over the window, from the recorded reconciliations (no request to arXiv).</summary>
    public async Task<IngestSummary> SummaryAsync(CancellationToken ct = default)
    {
        var latest = LatestAnnouncementDay;
        var window = Window;
        var oldest = window[^1];
        await using var ctx = db.CreateContext();
        var sets = schedule.EffectiveSets;
        var days = await ctx.Set<IngestDay>().Where(d => d.Day >= oldest && d.Day <= latest && sets.Contains(d.SetSpec))
            .OrderByDescending(d => d.Day).ThenBy(d => d.SetSpec).ToListAsync(ct);
        var health = sets.Select(set =>
        {
            var mine = days.Where(d => d.SetSpec == set).ToList();
            var newest = mine.Where(d => d.Status == IngestDayStatus.Complete).Select(d => (DateOnly?)d.Day).Max();
            return new SetHealth(set, newest, newest is { } n ? HarvestSettings.AnnouncementsBehind(n, latest) : null,
                mine.Count(d => d.Status == IngestDayStatus.Short), mine.Count(d => d.Status == IngestDayStatus.Failed),
                mine.Select(d => (DateTime?)d.CheckedAt).Max());
        }).ToList();
        return new IngestSummary(latest, health, days);
    }

    /// <summary>Sets due for a reconciliation: never checked, harvested since their last check, or not checked for <see cref="HarvestSettings.ReconcileEvery"/>.</summary>
    public async Task<List<string>> DueSetsAsync(CancellationToken ct = default)
    {
        await using var ctx = db.CreateContext();
        var sets = schedule.EffectiveSets;
        // A harvest that keeps failing retries every few minutes; its sets are then checked every ReconcileEvery, not after each try.
        var lastHarvest = await ctx.Set<HarvestState>().Where(s => s.Source == "oai" && sets.Contains(s.SetSpec)).ToDictionaryAsync(s => s.SetSpec, s => s.LastSuccessAt, ct);
        var lastCheck = await ctx.Set<IngestDay>().Where(d => sets.Contains(d.SetSpec)).GroupBy(d => d.SetSpec)
            .Select(g => new { Set = g.Key, At = g.Max(d => d.CheckedAt) }).ToDictionaryAsync(x => x.Set, x => x.At, ct);
        var now = time.GetUtcNow().UtcDateTime;
        return sets.Where(s => !lastCheck.TryGetValue(s, out var at)
            || lastHarvest.GetValueOrDefault(s) is { } harvested && harvested > at
            || now - at >= schedule.ReconcileEvery).ToList();
    }
}

/// <summary>
/// Reconciles the sets that are due (after each harvest, and every <see cref="HarvestSettings.ReconcileEvery"/>)
/// under the harvest lock, so it never runs beside a harvest, here or on another node.
/// </summary>
public sealed class IngestHealthScheduler(IngestHealth health, HarvestLock gate, HarvestSettings options, TimeProvider time, ILogger<IngestHealthScheduler> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogError(ex, "ingestion health check failed");
            }
            await Task.Delay(options.CheckEvery, time, stoppingToken);
        }
    }

    /// <returns>The days checked; null when a harvest held the lock.</returns>
    public async Task<List<IngestDay>?> RunDueOnceAsync(CancellationToken ct)
    {
        var due = await health.DueSetsAsync(ct);
        if (due.Count == 0) return [];
        await using var held = await gate.TryAcquireAsync(ct);
        if (held is null) return null;
        var days = await health.ReconcileAsync(due, null, ct);
        foreach (var d in days.Where(d => d.Status != IngestDayStatus.Complete))
            log.LogWarning("ingestion of {Set} on {Day:yyyy-MM-dd} is {Status}: {Stored} of {Listed} stored {Error}", d.SetSpec, d.Day, d.Status, d.Stored, d.Listed, d.Error);
        return days;
    }
}
