using System.CommandLine;
using DailyPapers.Web;

namespace DailyPapers.Cli;

internal static class MigrateCommand
{
    public static Command Create()
    {
        var cmd = new Command("migrate", "Create or upgrade the database schema.");
        cmd.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            await ServerApp.MigrateAsync(db, ct);
            Console.WriteLine($"migrated: {db.Describe()}");
            return 0;
        });
        return cmd;
    }
}
