using DailyPapers.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DailyPapers.Ingest;

/// <summary>When and what the background harvest fetches.</summary>
public sealed class HarvestScheduleOptions
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

    /// <summary>The newest announcement slot at or before <paramref name="nowUtc"/>.</summary>
    public DateTimeOffset LatestSlot(DateTimeOffset nowUtc)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        var local = TimeZoneInfo.ConvertTime(nowUtc, tz);
        for (int back = 0; back < 8; back++)
        {
            var day = DateOnly.FromDateTime(local.DateTime).AddDays(-back);
            if (day.DayOfWeek is DayOfWeek.Friday or DayOfWeek.Saturday) continue;
            var slotLocal = day.ToDateTime(AfterLocalTime);
            var slot = new DateTimeOffset(slotLocal, tz.GetUtcOffset(slotLocal));
            if (slot <= nowUtc) return slot.ToUniversalTime();
        }
        throw new InvalidOperationException("no announcement slot in the past week");
    }

    /// <summary>Due when no harvest of this set has succeeded since the latest announcement slot.</summary>
    public bool IsDue(DateTimeOffset nowUtc, DateTime? lastSuccessUtc) =>
        lastSuccessUtc is null || new DateTimeOffset(DateTime.SpecifyKind(lastSuccessUtc.Value, DateTimeKind.Utc)) < LatestSlot(nowUtc);
}

/// <summary>
/// The background loop: what is due lives in <c>harvest_states</c>; on PostgreSQL a session advisory lock makes sure
/// only one app node harvests at a time (SQLite is single-node by nature).
/// </summary>
public sealed class HarvestScheduler(IServiceProvider services, IOptions<HarvestScheduleOptions> options, DatabaseSettings db, TimeProvider time, ILogger<HarvestScheduler> log) : BackgroundService
{
    /// <summary>Arbitrary but fixed advisory-lock key for "the harvest".</summary>
    private const long LockKey = 7210003;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueAsync(o, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogError(ex, "scheduled harvest failed");
            }
            await Task.Delay(o.CheckEvery, time, stoppingToken);
        }
    }

    private async Task RunDueAsync(HarvestScheduleOptions o, CancellationToken ct)
    {
        await using var ctx = db.CreateContext();
        var states = await ctx.Set<HarvestState>().Where(s => s.Source == "oai").ToDictionaryAsync(s => s.SetSpec, s => s.LastSuccessAt, ct);
        var due = o.EffectiveSets.Where(s => o.IsDue(time.GetUtcNow(), states.GetValueOrDefault(s))).ToList();
        if (due.Count == 0) return;

        NpgsqlConnection? lockConnection = null;
        try
        {
            if (db.Provider == DatabaseProvider.Postgres)
            {
                lockConnection = new NpgsqlConnection(db.ConnectionString);
                await lockConnection.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", lockConnection);
                if (!(bool)(await cmd.ExecuteScalarAsync(ct))!) return; // another node is harvesting
            }
            var harvester = services.GetRequiredService<Harvester>();
            foreach (var set in due)
            {
                try
                {
                    var run = await harvester.RunAsync(new HarvestRequest("oai", set, Trigger: "scheduler"), ct);
                    log.LogInformation("harvested {Set}: {Inserted} new, {Updated} updated", set, run.Inserted, run.Updated);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    log.LogWarning("harvest of {Set} failed: {Error}", set, ex.Message);
                }
            }
        }
        finally
        {
            // Closing the session releases the advisory lock.
            if (lockConnection is not null) await lockConnection.DisposeAsync();
        }
    }
}
