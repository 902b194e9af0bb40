using System.CommandLine;
using DailyPapers.Backup;

namespace DailyPapers.Cli;

internal static class BackupCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "The archive to write (.tar.gz), relative to the current folder", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the archive if it exists" };
        var cmd = new Command("backup", "Copy the database, its keys and the digest signing key into one archive while the server keeps running (PostgreSQL: runs pg_dump).")
            { output, overwrite };
        cmd.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            BackupResult result;
            try
            {
                result = await InstanceBackup.CreateAsync(db, p.GetValue(output)!, p.GetValue(overwrite), ct);
            }
            catch (BackupException ex) { throw new CliException(ex.Message, ex.ExitCode); }
            catch (IOException ex) { throw new CliException($"the backup could not be written: {ex.Message}"); }
            var m = result.Manifest;
            Console.WriteLine($"backup: {result.Path}");
            Console.WriteLine($"engine: {m.Engine}");
            Console.WriteLine($"schema: {m.Schema}");
            foreach (var table in new[] { "papers", "users", "votes", "comments", "digest_subscriptions", "api_tokens", "paper_embeddings" })
                Console.WriteLine($"{table}: {m.Counts.GetValueOrDefault(table)}");
            Console.WriteLine($"tables: {m.Counts.Count}");
            Console.WriteLine($"rows: {m.Counts.Values.Sum()}");
            Console.WriteLine($"key_files: {m.Files.Count - 1}");
            Console.WriteLine($"bytes: {result.Bytes}");
            Console.WriteLine($"copy_seconds: {result.CopyElapsed.TotalSeconds:F1}");
            Console.WriteLine($"seconds: {result.Elapsed.TotalSeconds:F1}");
            return 0;
        });
        return cmd;
    }
}
