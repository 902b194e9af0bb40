using DailyPapers.Cli;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using DailyPapers.Web;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Cli;

/// <summary><c>dailypapers stats --health</c> as cron would run it: the day-by-day reconciliation, and an exit code that says whether ingestion is behind.</summary>
public sealed class StatsHealthTests
{
    private static readonly Dictionary<string, string> OneSet = new() { ["DAILYPAPERS_Harvest__Sets__0"] = "cs" };

    private static async Task<(string Dir, List<DateOnly> Window)> DataDirAsync()
    {
        var dir = TestEnv.NewTempDir();
        await ServerApp.MigrateAsync(DatabaseSettings.Resolve(dir, null));
        var o = new HarvestSettings();
        return (dir, HarvestSettings.AnnouncementDays(o.LatestAnnouncementDay(DateTimeOffset.UtcNow), o.ReconcileDays));
    }

    private static async Task RecordAsync(string dir, params (DateOnly Day, IngestDayStatus Status, int Listed, int Stored)[] days)
    {
        await using var ctx = DatabaseSettings.Resolve(dir, null).CreateContext();
        await ctx.Set<IngestDay>().ExecuteDeleteAsync();
        ctx.AddRange(days.Select(d => new IngestDay { SetSpec = "cs", Day = d.Day, Status = d.Status, Listed = d.Listed, Stored = d.Stored, CheckedAt = DateTime.UtcNow,
            Missing = d.Stored < d.Listed ? "1912.00001" : null }));
        await ctx.SaveChangesAsync();
    }

    [Fact]
    public async Task HealthPrintsEachDayAndItsExitCodeSaysWhetherIngestionIsBehind()
    {
        var (dir, window) = await DataDirAsync();

        var never = await CliTests.DailyPapersAsync(dir, OneSet, "stats", "--health");
        Assert.Equal(StatsCommand.NotReconciled, never.ExitCode);
        Assert.Contains("ingest_status: not-reconciled", never.Out);
        Assert.Contains("papers: 0", never.Out); // the ordinary figures come first

        await RecordAsync(dir, [.. window.Select(d => (d, IngestDayStatus.Complete, 120, 120))]);
        var current = await CliTests.DailyPapersAsync(dir, OneSet, "stats", "--health");
        Assert.True(current.ExitCode == StatsCommand.Current, current.Out + current.Err);
        Assert.Contains($"ingest_cs_newest_complete: {window[0]:yyyy-MM-dd}", current.Out);
        Assert.Contains("ingest_cs_announcements_behind: 0", current.Out);
        Assert.Contains($"{window[1]:yyyy-MM-dd}  cs              complete       120      120", current.Out);

        // The newest day not in yet: one announcement behind is still on its way.
        await RecordAsync(dir, [.. window.Skip(1).Select(d => (d, IngestDayStatus.Complete, 120, 120))]);
        Assert.Equal(StatsCommand.Current, (await CliTests.DailyPapersAsync(dir, OneSet, "stats", "--health")).ExitCode);

        // Two announcements missing, the newer one short: behind.
        await RecordAsync(dir, [(window[1], IngestDayStatus.Short, 120, 119), .. window.Skip(2).Select(d => (d, IngestDayStatus.Complete, 120, 120))]);
        var behind = await CliTests.DailyPapersAsync(dir, OneSet, "stats", "--health");
        Assert.Equal(StatsCommand.Behind, behind.ExitCode);
        Assert.Contains("ingest_cs_announcements_behind: 2", behind.Out);
        Assert.Contains("ingest_status: behind", behind.Out);
        Assert.Contains($"{window[1]:yyyy-MM-dd}  cs              short          120      119", behind.Out);
        Assert.Contains($"{window[0]:yyyy-MM-dd}  cs              unchecked", behind.Out);

        // Current, but an older day has a gap.
        await RecordAsync(dir, [.. window.Select((d, i) => (d, i == 3 ? IngestDayStatus.Failed : IngestDayStatus.Complete, 120, 120))]);
        var gaps = await CliTests.DailyPapersAsync(dir, OneSet, "stats", "--health");
        Assert.Equal(StatsCommand.Gaps, gaps.ExitCode);
        Assert.Contains("ingest_cs_failed_days: 1", gaps.Out);

        var misuse = await CliTests.DailyPapersAsync(dir, OneSet, "stats", "--reconcile");
        Assert.NotEqual(0, misuse.ExitCode);
        Assert.Contains("--reconcile goes with --health", misuse.Err);
        Assert.Equal(0, (await CliTests.DailyPapersAsync(dir, OneSet, "stats")).ExitCode); // without --health, always 0
    }
}
