using System.Globalization;
using DailyPapers.Data;
using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Ingest;

/// <summary>What to harvest: a source (oai, api, rss), optionally a set or category and a date range.</summary>
public sealed record HarvestRequest(string Source, string? Set = null, DateOnly? From = null, DateOnly? Until = null, string Trigger = "cli")
{
    public static readonly string[] Sources = ["oai", "api", "rss"];
}

/// <summary>
/// The one ingestion operation: the scheduler, the CLI verb and the admin button all call <see cref="RunAsync"/>.
/// It records a <see cref="HarvestRun"/>, keeps the <see cref="HarvestState"/> checkpoint after every page,
/// and writes papers only through <see cref="PaperUpsert"/>.
/// </summary>
/// <param name="schedule">The retry schedule written into the state after a failure (the defaults when not given).</param>
public sealed class Harvester(DatabaseSettings db, PaperUpsert upsert, ArxivHttp http, ArxivApiClient api, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<HarvestSettings>? schedule = null)
{
    private readonly HarvestSettings _schedule = schedule?.Value ?? new HarvestSettings();

    /// <summary>How far back a first incremental harvest (no state yet, no --from) reaches.</summary>
    public const int InitialDays = 2;

    public async Task<HarvestRun> RunAsync(HarvestRequest request, CancellationToken ct = default)
    {
        if (!HarvestRequest.Sources.Contains(request.Source))
            throw new ArgumentException($"unknown source '{request.Source}' (expected {string.Join(", ", HarvestRequest.Sources)})");
        var set = request.Set?.Trim() ?? "";
        await using var ctx = db.CreateContext();
        var state = await ctx.Set<HarvestState>().AsTracking().FirstOrDefaultAsync(s => s.Source == request.Source && s.SetSpec == set, ct);
        if (state is null)
        {
            state = new HarvestState { Source = request.Source, SetSpec = set };
            ctx.Add(state);
        }
        var run = new HarvestRun { Source = request.Source, SetSpec = set, Trigger = request.Trigger, StartedAt = Now };
        ctx.Add(run);
        state.LastRunAt = run.StartedAt;
        await ctx.SaveChangesAsync(ct);

        var job = new Job(this, ctx, state, run);
        try
        {
            switch (request.Source)
            {
                case "oai": await HarvestOaiAsync(job, request, ct); break;
                case "api": await BackfillApiAsync(job, request, ct); break;
                case "rss": await HarvestRssAsync(job, request, ct); break;
            }
            // Only the incremental harvest is what the scheduler waits for: a back-fill or a re-harvest of one day
            // (explicit dates) must not make it skip the next announcement.
            if (request.Source != "oai" || request.From is null && request.Until is null)
            {
                state.LastSuccessAt = Now;
                state.LastError = null;
            }
            // arXiv answered: the retry backoff starts over.
            state.ConsecutiveFailures = 0;
            state.NextAttemptAt = null;
        }
        catch (Exception ex)
        {
            bool cancelled = ex is OperationCanceledException && ct.IsCancellationRequested;
            var message = cancelled ? "cancelled" : Shorten(ex.Message);
            run.Error = message;
            state.LastError = message;
            if (!cancelled)
            {
                // A stopped server is not a failing source; anything else backs the scheduler off (RetryDelay).
                state.ConsecutiveFailures++;
                state.NextAttemptAt = run.StartedAt + _schedule.RetryDelay(state.ConsecutiveFailures);
            }
            throw;
        }
        finally
        {
            run.FinishedAt = Now;
            // The checkpoint must survive the cancellation that stopped the run.
            await ctx.SaveChangesAsync(CancellationToken.None);
        }
        return run;
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private PaperUpsert Upsert => upsert;

    private static string Shorten(string s) => s.Length <= 2000 ? s : s[..1997] + "…";

    private sealed record Job(Harvester Owner, AppDbContext Ctx, HarvestState State, HarvestRun Run)
    {
        /// <summary>
        /// Writes one page's papers and deletions, and only once that write has committed moves the checkpoint
        /// (<paramref name="checkpoint"/> changes the tracked state, then it is saved). The checkpoint is never touched
        /// before the commit, so whatever saves the state afterwards (the save below, or the one in RunAsync's
        /// finally after a kill) can only record pages that are in the database. A kill between the commit and the
        /// save redoes the page on resume, which is idempotent.
        /// </summary>
        public async Task ApplyAsync(IReadOnlyList<PaperRecord> papers, IReadOnlyCollection<string> deletedIds, int rejected, Action<HarvestState> checkpoint, CancellationToken ct)
        {
            var counts = await Owner.Upsert.UpsertAsync(papers, ct);
            int deleted = 0;
            if (deletedIds.Count > 0)
            {
                var withdrawn = await Owner.WithdrawnCopiesAsync(deletedIds, ct);
                counts.Add(await Owner.Upsert.UpsertAsync(withdrawn, ct));
                deleted = withdrawn.Count;
            }
            Run.Pages++;
            Run.Read += papers.Count + deletedIds.Count + rejected;
            Run.Rejected += rejected;
            Run.Deleted += deleted;
            Run.Inserted += counts.Inserted;
            Run.Updated += counts.Updated;
            Run.Unchanged += counts.Unchanged;
            checkpoint(State);
            await Ctx.SaveChangesAsync(ct);
        }
    }

    private async Task HarvestOaiAsync(Job job, HarvestRequest request, CancellationToken ct)
    {
        var state = job.State;
        var o = http.Options;
        string? token;
        // Resume an unfinished list: from its token, or, when it was killed before its first page committed (ListFrom
        // saved, no token yet), from its own from/until again.
        bool resume = request.From is null && request.Until is null && (state.ResumptionToken is not null || state.ListFrom is not null);
        if (!resume)
        {
            // A new list: explicit dates, else incremental from the last datestamp the server gave (inclusive, so
            // a day that was still filling up is read again; the upsert makes that free).
            state.ListFrom = request.From ?? state.LastDatestamp ?? DateOnly.FromDateTime(Now).AddDays(-InitialDays);
            state.ListUntil = request.Until;
            state.ListMaxDatestamp = null;
            state.ResumptionToken = null;
            token = null;
        }
        else token = state.ResumptionToken;
        await job.Ctx.SaveChangesAsync(ct);

        bool restarted = false;
        while (true)
        {
            var url = token is null
                ? OaiUrl(o.OaiBaseUrl, ("verb", "ListRecords"), ("metadataPrefix", o.OaiMetadataPrefix), ("from", Day(state.ListFrom)), ("until", Day(state.ListUntil)), ("set", NullIfEmpty(state.SetSpec)))
                : OaiUrl(o.OaiBaseUrl, ("verb", "ListRecords"), ("resumptionToken", token));
            OaiPage page;
            try
            {
                page = OaiPmhParser.Parse(SafeXml.Load(await http.GetAsync(url, ct), url.ToString()));
            }
            catch (OaiPmhErrorException ex) when (ex.Code == "badResumptionToken" && token is not null && !restarted)
            {
                // Tokens expire; the list is restarted from its from-date, which repeats pages idempotently.
                restarted = true;
                token = null;
                continue;
            }
            var papers = page.Items.Where(i => i.Paper is not null).Select(i => i.Paper!).ToList();
            var deleted = page.Items.Where(i => i.Deleted).Select(i => i.ArxivId).ToList();
            int rejected = page.Items.Count(i => i.Rejected is not null);
            var pageMax = page.Items.Where(i => i.Datestamp != default).Select(i => (DateOnly?)i.Datestamp).Max();
            var next = page.ResumptionToken;
            await job.ApplyAsync(papers, deleted, rejected, s =>
            {
                if (pageMax is { } pm && (s.ListMaxDatestamp is null || pm > s.ListMaxDatestamp)) s.ListMaxDatestamp = pm;
                s.ResumptionToken = next;
                if (next is null)
                {
                    if (s.ListMaxDatestamp is { } max && (s.LastDatestamp is null || max > s.LastDatestamp)) s.LastDatestamp = max;
                    s.ListFrom = s.ListUntil = s.ListMaxDatestamp = null;
                }
            }, ct);
            token = next;
            if (token is null) return;
        }
    }

    private async Task BackfillApiAsync(Job job, HarvestRequest request, CancellationToken ct)
    {
        var state = job.State;
        var category = string.IsNullOrEmpty(state.SetSpec) ? throw new ArgumentException("the api source needs --set CATEGORY (e.g. cs.LG)") : state.SetSpec;
        var today = DateOnly.FromDateTime(Now);
        var from = request.From ?? state.LastDatestamp ?? today.AddDays(-InitialDays);
        var until = request.Until ?? today;
        // Resuming a killed back-fill of the same range continues at its saved start index.
        int start = request.From is null && request.Until is null && state.ResumptionToken is { } t && t.StartsWith("start=", StringComparison.Ordinal)
            && state.ListFrom == from ? int.Parse(t[6..], CultureInfo.InvariantCulture) : 0;
        state.ListFrom = from;
        state.ListUntil = until;
        var query = $"cat:{category} AND submittedDate:[{from:yyyyMMdd}0000 TO {until:yyyyMMdd}2359]";
        await foreach (var page in api.SearchPagesAsync(query, start, ct))
        {
            await job.ApplyAsync(page.Papers, [], page.Rejected, s =>
            {
                s.ResumptionToken = page.NextStart is { } next ? $"start={next}" : null;
                if (page.NextStart is null)
                {
                    s.LastDatestamp = until;
                    s.ListFrom = s.ListUntil = null;
                }
            }, ct);
        }
    }

    private async Task HarvestRssAsync(Job job, HarvestRequest request, CancellationToken ct)
    {
        var category = string.IsNullOrEmpty(job.State.SetSpec) ? throw new ArgumentException("the rss source needs --set CATEGORY (e.g. cs.LG, or cs+stat.ML)") : job.State.SetSpec;
        var url = new Uri(http.Options.RssBaseUrl.TrimEnd('/') + "/" + Uri.EscapeDataString(category).Replace("%2B", "+"));
        var feed = ArxivRss.Parse(SafeXml.Load(await http.GetAsync(url, ct), url.ToString()));
        // Only new announcements take the feed's date as their listing day; replacements and cross-lists keep theirs.
        var papers = await api.GetByIdsAsync(feed.Items.Select(i => i.Id), ct);
        var announced = feed.Items.Where(i => i.AnnounceType == "new").ToDictionary(i => i.Id.BaseId, i => i.AnnouncedOn);
        var records = papers.Select(p => announced.TryGetValue(p.ArxivId, out var day) && day is not null ? p with { AnnouncedOn = day } : p).ToList();
        var newest = feed.Items.Select(i => i.AnnouncedOn).Max();
        await job.ApplyAsync(records, [], feed.Items.Count - records.Count, s => s.LastDatestamp = newest, ct);
    }

    /// <summary>
    /// OAI-PMH "deleted" records keep their paper: it is marked withdrawn, nothing is blanked. Ids we never stored are
    /// ignored. The copy goes through the upsert like any other change, so derived indexes follow it.
    /// </summary>
    private async Task<List<PaperRecord>> WithdrawnCopiesAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        await using var ctx = db.CreateContext();
        var papers = await ctx.Papers.Where(p => ids.Contains(p.ArxivId) && !p.Withdrawn)
            .Include(p => p.Versions).Include(p => p.AuthorList).Include(p => p.CategoryList).AsSplitQuery().ToListAsync(ct);
        return papers.Select(p => new PaperRecord
        {
            ArxivId = p.ArxivId,
            Title = p.Title,
            Abstract = p.Abstract,
            Authors = p.AuthorList.OrderBy(a => a.Position).Select(a => new AuthorName(a.Name, a.LastName, a.FirstNames)).ToList(),
            Categories = p.CategoryList.OrderBy(c => c.Position).Select(c => c.Code).ToList(),
            Versions = p.Versions.OrderBy(v => v.Version).Select(v => new VersionInfo(v.Version, DateTime.SpecifyKind(v.CreatedAt, DateTimeKind.Utc), v.Size)).ToList(),
            Comments = p.Comments,
            JournalRef = p.JournalRef,
            Doi = p.Doi,
            ReportNo = p.ReportNo,
            License = p.License,
            Submitter = p.Submitter,
            UpdatedAt = DateTime.SpecifyKind(p.LastUpdatedAt, DateTimeKind.Utc),
            AnnouncedOn = p.ListingDate,
            Withdrawn = true,
        }).ToList();
    }

    private static string? Day(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    internal static Uri OaiUrl(string baseUrl, params (string Key, string? Value)[] query)
    {
        var q = string.Join('&', query.Where(kv => kv.Value is not null).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}"));
        return new Uri(baseUrl + (baseUrl.Contains('?') ? "&" : "?") + q);
    }
}
