using System.CommandLine;
using System.Diagnostics;
using DailyPapers.Backup;
using DailyPapers.Search;
using DailyPapers.Web;

namespace DailyPapers.Cli;

internal static class RestoreCommand
{
    public static Command Create()
    {
        var archive = new Argument<string>("FILE") { Description = "An archive written by dailypapers backup" };
        var skipIndex = new Option<bool>("--skip-index") { Description = "Leave the keyword index to the server, which builds it on start" };
        var cmd = new Command("restore", "Restore a backup into an empty data dir (PostgreSQL: into an empty database, with pg_restore). Checks the whole archive first.")
            { archive, skipIndex };
        cmd.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            var sw = Stopwatch.StartNew();
            BackupManifest m;
            try
            {
                m = await InstanceRestore.RunAsync(db, p.GetValue(archive)!, ct);
            }
            catch (BackupException ex) { throw new CliException(ex.Message, ex.ExitCode); }
            catch (IOException ex) { throw new CliException($"the backup could not be restored: {ex.Message}"); }
            // A backup of an older DailyPapers is brought up to this one's schema.
            await ServerApp.MigrateAsync(db, ct);
            Console.WriteLine($"restored: {db.DataDir}");
            Console.WriteLine($"database: {db.Describe()}");
            Console.WriteLine($"engine: {m.Engine}");
            Console.WriteLine($"backup_created_at: {m.CreatedAt:yyyy-MM-ddTHH:mm:ssZ}");
            Console.WriteLine($"schema: {m.Schema}");
            Console.WriteLine($"papers: {m.Counts.GetValueOrDefault("papers")}");
            Console.WriteLine($"rows: {m.Counts.Values.Sum()}");
            if (!p.GetValue(skipIndex))
            {
                // The index is derived from the database (embeddings are in it too); it is never in the archive.
                var indexing = Stopwatch.StartNew();
                using var index = KeywordIndex.Open(db);
                Console.WriteLine($"indexed: {await index.CatchUpAsync(db, null, ct)}");
                Console.WriteLine($"index_seconds: {indexing.Elapsed.TotalSeconds:F1}");
            }
            Console.WriteLine($"seconds: {sw.Elapsed.TotalSeconds:F1}");
            return 0;
        });
        return cmd;
    }
}
