using System.CommandLine;
using DailyPapers.Data;
using DailyPapers.Web;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Cli;

internal static class StatsCommand
{
    public static Command Create()
    {
        var cmd = new Command("stats", "Print figures about the database, one 'name: value' line each.");
        cmd.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            await ServerApp.MigrateAsync(db, ct);
            await using var ctx = db.CreateContext();
            foreach (var (name, value) in await CollectAsync(ctx, db, ct))
                Console.WriteLine($"{name}: {value}");
            return 0;
        });
        return cmd;
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
