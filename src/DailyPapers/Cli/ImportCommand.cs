using System.CommandLine;
using DailyPapers.Ingest;
using DailyPapers.Web;
using Spectre.Console;

namespace DailyPapers.Cli;

internal static class ImportCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "kaggle: arxiv-metadata-oai-snapshot JSON lines, plain or .gz; hf-daily: a daily_papers JSON file, a folder of them, or a .tar.gz" };
        var format = new Option<string>("--format") { Description = "Input format", DefaultValueFactory = _ => "kaggle" };
        format.AcceptOnlyFromAmong("kaggle", "hf-daily");
        var cmd = new Command("import", "Import paper metadata from a file. Safe to repeat: unchanged papers are left alone.") { path, format };
        cmd.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            // Relative to the caller's directory (./dailypapers and `dotnet run` both run there); errors name the full path tried.
            var file = Path.GetFullPath(p.GetValue(path)!);
            if (p.GetValue(format) == "hf-daily")
            {
                if (!File.Exists(file) && !Directory.Exists(file)) throw new CliException($"no such file or folder: {file}");
                await ServerApp.MigrateAsync(db, ct);
                var hf = await new HfDailyImport(db, new PaperUpsert(db)).RunAsync(file, ct);
                foreach (var problem in hf.Problems.Take(20)) Console.Error.WriteLine(problem);
                Console.WriteLine($"days: {hf.Days}");
                Console.WriteLine($"entries: {hf.Entries}");
                Console.WriteLine($"new_papers: {hf.NewPapers}");
                Console.WriteLine($"known_papers: {hf.KnownPapers}");
                Console.WriteLine($"rejected: {hf.Rejected}");
                Console.WriteLine($"problems: {hf.Problems.Count}");
                return hf.Days == 0 ? 1 : 0;
            }
            if (!File.Exists(file)) throw new CliException($"no such file: {file}");
            await ServerApp.MigrateAsync(db, ct);
            var import = new SnapshotImport(new PaperUpsert(db));
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            int shown = 0;
            void Rejected(RejectedLine r)
            {
                // The first rejections are printed as they happen; all are counted in the summary.
                if (Interlocked.Increment(ref shown) <= 20) Console.Error.WriteLine($"line {r.LineNumber}: {r.Reason}");
                else if (shown == 21) Console.Error.WriteLine("(further rejected lines are counted but not printed)");
            }

            ImportSummary summary;
            if (console.Profile.Capabilities.Interactive && !Console.IsErrorRedirected)
            {
                summary = null!;
                await console.Progress().StartAsync(async ctx =>
                {
                    var task = ctx.AddTask($"importing {Path.GetFileName(file)}", maxValue: 1.0);
                    summary = await import.RunAsync(file, new Progress<double>(v => task.Value = v), Rejected, ct);
                    task.Value = 1.0;
                });
            }
            else
            {
                summary = await import.RunAsync(file, null, Rejected, ct);
            }

            Console.WriteLine($"read: {summary.Read}");
            Console.WriteLine($"inserted: {summary.Counts.Inserted}");
            Console.WriteLine($"updated: {summary.Counts.Updated}");
            Console.WriteLine($"unchanged: {summary.Counts.Unchanged}");
            Console.WriteLine($"rejected: {summary.Rejected}");
            Console.WriteLine($"seconds: {summary.Elapsed.TotalSeconds:F1}");
            Console.WriteLine($"write_seconds: {summary.WriteTime.TotalSeconds:F1}");
            Console.WriteLine($"papers_per_second: {summary.PapersPerSecond:F0}");
            return 0;
        });
        return cmd;
    }
}
