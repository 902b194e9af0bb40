using DailyPapers.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DailyPapers.Ingest;

/// <summary>When and what the background harvest fetches.</summary>
public sealed class HarvestSettings
{
    public const string Section = "Harvest";

    public bool Enabled { get; set; } = true;

    /// <summary>OAI-PMH sets to keep current (Harvest__Sets__0=cs …); empty means the default CS/ML set.</summary>
    public string[] Sets { get; set; } = [];

    /// <summary>arXiv's sets are archives, so cs and stat cover the usual CS/ML lists. (Defaults live here, not in the
    /// array initialiser, because configuration binding appends to an array instead of replacing it.)</summary>
    public IReadOnlyList<string> EffectiveSets => Sets.Length > 0 ? Sets : ["cs", "stat"];

    /// <summary>arXiv announces at 20:00 US Eastern, Sunday to Thursday; half an hour later the OAI data is there.</summary>
    public TimeOnly AfterLocalTime { get; set; } = new(20, 30);

    public string TimeZone { get; set; } = "America/New_York";

    /// <summary>How often the loop looks at what is due.</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The wait after a first failed harvest of a set, doubled with each further failure in a row. An offline instance
    /// otherwise spends 90–190 s of retries (Arxiv:MaxAttempts) every CheckEvery; with these defaults it tries after
    /// 5, 10, 20, 40 min … and then every <see cref="RetryMaxDelay"/>. Only the scheduler waits: "Run now" and the CLI try at once.
    /// </summary>
    public TimeSpan RetryFirstDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest wait between failed attempts: arXiv announces once a day, so a few tries a day are enough.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long the scheduler waits after <paramref name="failures"/> failed attempts in a row (none after none).</summary>
    public TimeSpan RetryDelay(int failures)
    {
        if (failures <= 0) return TimeSpan.Zero;
        // 2^(failures-1) in double: no overflow however long the instance has been offline.
        var ticks = RetryFirstDelay.Ticks * Math.Pow(2, Math.Min(failures - 1, 62));
        return ticks >= RetryMaxDelay.Ticks ? RetryMaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>False while a set that failed waits out its <see cref="RetryDelay"/> (<c>harvest_states.NextAttemptAt</c>).</summary>
    public static bool MayAttempt(DateTimeOffset nowUtc, DateTime? nextAttemptUtc) =>
        nextAttemptUtc is null || new DateTimeOffset(DateTime.SpecifyKind(nextAttemptUtc.Value, DateTimeKind.Utc)) <= nowUtc;

    /// <summary>
    /// Token for the harvest admin page on instances run by scripts without admin accounts (header X-Admin-Token, or
    /// entered once on the page). Signed-in admins need no token. Empty: accounts only.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>Announcement days (per set) that ingestion health reconciles against arXiv's listings, newest first.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 60)]
    public int ReconcileDays { get; set; } = 5;

    /// <summary>
    /// A set is reconciled after each harvest of it (successful or not), and otherwise at least this often, so a
    /// harvest that keeps failing still shows on the health page. Days found complete are not listed again.
    /// </summary>
    public TimeSpan ReconcileEvery { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// The UTC day arXiv stamps the newest announcement with: the slot is 20:30 US Eastern, already the next day
    /// in UTC, so Sunday–Thursday evenings give Monday–Friday.
    /// </summary>
    public DateOnly LatestAnnouncementDay(DateTimeOffset nowUtc) => DateOnly.FromDateTime(LatestSlot(nowUtc).UtcDateTime);

    /// <summary>The <paramref name="count"/> announcement days (Monday–Friday) up to <paramref name="latest"/>, newest first.</summary>
    public static List<DateOnly> AnnouncementDays(DateOnly latest, int count)
    {
        var days = new List<DateOnly>(count);
        for (var d = latest; days.Count < count; d = d.AddDays(-1))
            if (IsAnnouncementDay(d)) days.Add(d);
        return days;
    }

    public static bool IsAnnouncementDay(DateOnly d) => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    /// <summary>Announcement days after <paramref name="newest"/> up to <paramref name="latest"/>: 0 when current.</summary>
    public static int AnnouncementsBehind(DateOnly newest, DateOnly latest)
    {
        int n = 0;
        for (var d = newest.AddDays(1); d <= latest; d = d.AddDays(1))
            if (IsAnnouncementDay(d)) n++;
        return n;
    }

    /// <summary>The first announcement slot after <paramref name="nowUtc"/>.</summary>
    public DateTimeOffset NextSlot(DateTimeOffset nowUtc) => Slot(nowUtc, +1);

    /// <summary>The newest announcement slot at or before <paramref name="nowUtc"/>.</summary>
    public DateTimeOffset LatestSlot(DateTimeOffset nowUtc) => Slot(nowUtc, -1);

    /// <summary>Walks day by day from today in <paramref name="step"/>'s direction to the first Sunday–Thursday slot past <paramref name="nowUtc"/>.</summary>
    private DateTimeOffset Slot(DateTimeOffset nowUtc, int step)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(nowUtc, tz).DateTime);
        // A week holds five slots, so eight days always reach one.
        for (int days = 0; days < 8; days++)
        {
            var day = today.AddDays(days * step);
            if (day.DayOfWeek is DayOfWeek.Friday or DayOfWeek.Saturday) continue;
            var slotLocal = day.ToDateTime(AfterLocalTime);
            var slot = new DateTimeOffset(slotLocal, tz.GetUtcOffset(slotLocal));
            if (step > 0 ? slot > nowUtc : slot <= nowUtc) return slot.ToUniversalTime();
        }
        throw new InvalidOperationException("no announcement slot within a week");
    }

    /// <summary>Due when no harvest of this set has succeeded since the latest announcement slot.</summary>
    public bool IsDue(DateTimeOffset nowUtc, DateTime? lastSuccessUtc) =>
        lastSuccessUtc is null || new DateTimeOffset(DateTime.SpecifyKind(lastSuccessUtc.Value, DateTimeKind.Utc)) < LatestSlot(nowUtc);
}

/// <summary>
/// The background loop: what is due lives in <c>harvest_states</c>; <see cref="HarvestRunner"/> makes sure only one
/// harvest runs at a time across app nodes (and against the admin button).
/// </summary>
public sealed class HarvestScheduler(HarvestRunner runner, IOptions<HarvestSettings> options, DatabaseSettings db, TimeProvider time, ILogger<HarvestScheduler> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogError(ex, "scheduled harvest failed");
            }
            await Task.Delay(o.CheckEvery, time, stoppingToken);
        }
    }

    /// <summary>One look at what is due: harvests the due sets unless another node is harvesting.</summary>
    /// <returns>The runs; empty when nothing was due; null when another harvest held the lock.</returns>
    public async Task<IReadOnlyList<HarvestRun>?> RunDueOnceAsync(CancellationToken ct)
    {
        var due = await DueSetsAsync(ct);
        if (due.Count == 0) return [];
        var runs = await runner.TryRunAsync(due, "scheduler", ct);
        if (runs is null) log.LogInformation("harvest due for {Sets}, but another harvest is running", string.Join(", ", due));
        return runs;
    }

    public async Task<List<string>> DueSetsAsync(CancellationToken ct)
    {
        var o = options.Value;
        await using var ctx = db.CreateContext();
        var states = await ctx.Set<HarvestState>().Where(s => s.Source == "oai").ToDictionaryAsync(s => s.SetSpec, ct);
        var now = time.GetUtcNow();
        return o.EffectiveSets.Where(set => states.GetValueOrDefault(set) is var s
            && o.IsDue(now, s?.LastSuccessAt) && HarvestSettings.MayAttempt(now, s?.NextAttemptAt)).ToList();
    }
}

/// <summary>
/// Runs OAI harvests of whole sets under the <see cref="HarvestLock"/>: the scheduler and the admin page's "Run now"
/// both come through here, so they never overlap each other or another node's harvest.
/// </summary>
public sealed class HarvestRunner(Harvester harvester, HarvestLock gate, ILogger<HarvestRunner> log, IHostApplicationLifetime? lifetime = null)
{
    private Task _background = Task.CompletedTask;

    /// <summary>The harvest last started by <see cref="TryStartAsync"/> (tests wait on it).</summary>
    public Task Background => Volatile.Read(ref _background);

    /// <summary>Harvests <paramref name="sets"/> now; null (and nothing fetched) when another harvest holds the lock.</summary>
    public async Task<IReadOnlyList<HarvestRun>?> TryRunAsync(IReadOnlyList<string> sets, string trigger, CancellationToken ct)
    {
        await using var held = await gate.TryAcquireAsync(ct);
        if (held is null) return null;
        return await RunSetsAsync(sets, trigger, ct);
    }

    /// <summary>Takes the lock and harvests <paramref name="sets"/> in the background until done or the app stops; false when another harvest is running.</summary>
    public Task<bool> TryStartAsync(IReadOnlyList<string> sets, string trigger, CancellationToken ct) =>
        TryStartAsync(stop => RunSetsAsync(sets, trigger, stop), trigger, ct);

    /// <summary>
    /// "Re-harvest this day": the harvest core operation for one set and one datestamp day (from = until = the day),
    /// then that day's reconciliation again, in the background under the lock; false when another harvest is running.
    /// </summary>
    public Task<bool> TryStartDayAsync(string set, DateOnly day, IngestHealth health, string trigger, CancellationToken ct) =>
        TryStartAsync(async stop =>
        {
            var run = await harvester.RunAsync(new HarvestRequest("oai", set, day, day, trigger), stop);
            var check = await health.CheckDayAsync(set, day, stop);
            log.LogInformation("re-harvested {Set} {Day:yyyy-MM-dd}: {Inserted} new; now {Status}, {Stored} of {Listed}", set, day, run.Inserted, check.Status, check.Stored, check.Listed);
        }, trigger, ct);

    /// <summary>Reconciles <paramref name="sets"/> over the health window now, in the background under the lock; false when a harvest is running.</summary>
    public Task<bool> TryStartReconcileAsync(IReadOnlyList<string> sets, IngestHealth health, string trigger, CancellationToken ct) =>
        TryStartAsync(stop => health.ReconcileAsync(sets, null, stop), trigger, ct);

    private async Task<bool> TryStartAsync(Func<CancellationToken, Task> work, string trigger, CancellationToken ct)
    {
        var held = await gate.TryAcquireAsync(ct);
        if (held is null) return false;
        var stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        Volatile.Write(ref _background, Task.Run(async () =>
        {
            await using (held)
            {
                try
                {
                    await work(stopping);
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    log.LogError(ex, "harvest started by {Trigger} failed", trigger);
                }
            }
        }, CancellationToken.None));
        return true;
    }

    private async Task<IReadOnlyList<HarvestRun>> RunSetsAsync(IReadOnlyList<string> sets, string trigger, CancellationToken ct)
    {
        var runs = new List<HarvestRun>();
        foreach (var set in sets)
        {
            try
            {
                var run = await harvester.RunAsync(new HarvestRequest("oai", set, Trigger: trigger), ct);
                runs.Add(run);
                log.LogInformation("harvested {Set}: {Inserted} new, {Updated} updated", set, run.Inserted, run.Updated);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // The run row and the state carry the error for the admin page; the next set still gets its turn.
                log.LogWarning("harvest of {Set} failed: {Error}", set, ex.Message);
            }
        }
        return runs;
    }
}
