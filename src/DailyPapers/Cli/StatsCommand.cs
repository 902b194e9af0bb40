using System.CommandLine;
using System.Globalization;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Web;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Cli;

internal static class StatsCommand
{
    public static Command Create()
    {
        var health = new Option<bool>("--health")
        {
            Description = "Also print ingestion health (each configured set's newest complete day and lag, then the day-by-day reconciliation with arXiv) "
                + "and exit 4 when more than one announcement behind, 5 when never reconciled, 6 when an older day is short or failed",
        };
        var reconcile = new Option<bool>("--reconcile")
        {
            Description = "With --health: first reconcile the days not yet complete against arXiv (one ListIdentifiers listing per day, politely spaced)",
        };
        var cmd = new Command("stats", "Print figures about the database, one 'name: value' line each.") { health, reconcile };
        cmd.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            await ServerApp.MigrateAsync(db, ct);
            await using var ctx = db.CreateContext();
            foreach (var (name, value) in await CollectAsync(ctx, db, ct))
                Console.WriteLine($"{name}: {value}");
            if (!p.GetValue(health))
            {
                if (p.GetValue(reconcile)) throw new CliException("--reconcile goes with --health");
                return 0;
            }
            return await HealthAsync(db, p.GetValue(reconcile), ct);
        });
        return cmd;
    }

    /// <summary>Exit codes of <c>stats --health</c>, for cron and monitoring.</summary>
    public const int Current = 0, Behind = 4, NotReconciled = 5, Gaps = 6;

    private static async Task<int> HealthAsync(DatabaseSettings db, bool reconcile, CancellationToken ct)
    {
        var schedule = HarvestCommand.LoadSection<HarvestSettings>(HarvestSettings.Section);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(schedule.TimeZone, out _)) throw new CliException($"Harvest:TimeZone '{schedule.TimeZone}' is not a known time zone");
        using var http = new ArxivHttp(HarvestCommand.LoadOptions());
        var health = new IngestHealth(db, http, schedule, TimeProvider.System);
        if (reconcile)
        {
            // Under the harvest lock, like the server's own checks: never beside a harvest.
            await using var held = await new HarvestLock(db).TryAcquireAsync(ct)
                ?? throw new CliException("a harvest is running (the scheduler, the admin page or a harvest command); try again when it has finished");
            await health.ReconcileAsync(schedule.EffectiveSets, null, ct);
        }
        var summary = await health.SummaryAsync(ct);
        await using var ctx = db.CreateContext();
        var sets = schedule.EffectiveSets;
        var states = await ctx.Set<HarvestState>().Where(s => s.Source == "oai" && sets.Contains(s.SetSpec)).ToDictionaryAsync(s => s.SetSpec, ct);
        static string When(DateTime? t) => t?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "-";
        Console.WriteLine($"ingest_latest_announcement: {summary.LatestAnnouncement:yyyy-MM-dd}");
        foreach (var s in summary.Sets)
        {
            var state = states.GetValueOrDefault(s.Set);
            Console.WriteLine($"ingest_{s.Set}_newest_complete: {s.NewestComplete?.ToString("yyyy-MM-dd") ?? "-"}");
            Console.WriteLine($"ingest_{s.Set}_announcements_behind: {(s.LastChecked is null ? "-" : s.Behind?.ToString(CultureInfo.InvariantCulture) ?? "window")}");
            Console.WriteLine($"ingest_{s.Set}_short_days: {s.ShortDays}");
            Console.WriteLine($"ingest_{s.Set}_failed_days: {s.FailedDays}");
            Console.WriteLine($"ingest_{s.Set}_last_checked: {When(s.LastChecked)}");
            Console.WriteLine($"harvest_{s.Set}_last_success: {When(state?.LastSuccessAt)}");
            Console.WriteLine($"harvest_{s.Set}_last_error: {state?.LastError ?? "-"}");
        }
        int code = !summary.Checked ? NotReconciled : summary.IsBehind ? Behind : summary.HasGaps ? Gaps : Current;
        Console.WriteLine($"ingest_status: {code switch { NotReconciled => "not-reconciled", Behind => "behind", Gaps => "gaps", _ => "current" }}");
        Console.WriteLine();
        Console.WriteLine($"{"day",-10}  {"set",-14}  {"status",-9}  {"listed",7}  {"stored",7}  {"checked",-20}  missing or error");
        foreach (var day in health.Window)
            foreach (var set in sets)
            {
                var d = summary.Days.FirstOrDefault(x => x.SetSpec == set && x.Day == day);
                var status = d?.Status.ToString().ToLowerInvariant() ?? "unchecked";
                Console.WriteLine($"{day:yyyy-MM-dd}  {set,-14}  {status,-9}  {d?.Listed?.ToString(CultureInfo.InvariantCulture) ?? "-",7}  {d?.Stored?.ToString(CultureInfo.InvariantCulture) ?? "-",7}  {When(d?.CheckedAt),-20}  {d?.Error ?? d?.Missing ?? ""}".TrimEnd());
            }
        return code;
    }

    public static async Task<List<(string Name, string Value)>> CollectAsync(AppDbContext ctx, DatabaseSettings db, CancellationToken ct)
    {
        var papers = await ctx.Papers.CountAsync(ct);
        var days = await ctx.Papers.Select(x => x.ListingDate).Distinct().CountAsync(ct);
        var categories = await ctx.PaperCategories.Select(c => c.Code).Distinct().CountAsync(ct);
        var authors = await ctx.PaperAuthors.CountAsync(ct);
        var first = await ctx.Papers.MinAsync(x => (DateOnly?)x.ListingDate, ct);
        var last = await ctx.Papers.MaxAsync(x => (DateOnly?)x.ListingDate, ct);
        var withdrawn = await ctx.Papers.CountAsync(x => x.Withdrawn, ct);
        long size = db.Provider == DatabaseProvider.Sqlite
            ? new[] { "", "-wal" }.Select(s => new FileInfo(db.SqlitePath + s)).Where(f => f.Exists).Sum(f => f.Length)
            : await ctx.Database.SqlQueryRaw<long>("SELECT pg_database_size(current_database()) AS \"Value\"").SingleAsync(ct);
        return
        [
            ("database", db.Describe()),
            ("papers", papers.ToString()),
            ("authorships", authors.ToString()),
            ("days", days.ToString()),
            ("first_day", first?.ToString("yyyy-MM-dd") ?? "-"),
            ("last_day", last?.ToString("yyyy-MM-dd") ?? "-"),
            ("categories", categories.ToString()),
            ("withdrawn", withdrawn.ToString()),
            ("database_bytes", size.ToString()),
        ];
    }
}
