using System.CommandLine;
using DailyPapers.Ingest;
using DailyPapers.Web;
using Spectre.Console;

namespace DailyPapers.Cli;

internal static class ImportCommand
{
    // Exit codes (README, "Loading papers"); 3 (database unusable) and 130 (cancelled) come from CliApp.
    public const int Imported = 0;
    public const int Failed = 1;
    public const int ImportedWithRejections = 2;

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
                if (hf.InputProblem is { } broken)
                    return Fail($"{broken}; the {hf.Days} complete days before it were imported");
                if (hf.Days == 0) return Fail($"{file} holds no day of Hugging Face daily papers that could be imported");
                return hf.Rejected + hf.Problems.Count > 0 ? ImportedWithRejections : Imported;
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
            try
            {
                summary = await RunWithProgressAsync(console, import, file, Rejected, ct);
            }
            catch (ImportInputException ex)
            {
                return Fail(ex.Message + "; nothing was imported");
            }

            Console.WriteLine($"read: {summary.Read}");
            Console.WriteLine($"inserted: {summary.Counts.Inserted}");
            Console.WriteLine($"updated: {summary.Counts.Updated}");
            Console.WriteLine($"unchanged: {summary.Counts.Unchanged}");
            Console.WriteLine($"rejected: {summary.Rejected}");
            Console.WriteLine($"seconds: {summary.Elapsed.TotalSeconds:F1}");
            Console.WriteLine($"write_seconds: {summary.WriteTime.TotalSeconds:F1}");
            Console.WriteLine($"papers_per_second: {summary.PapersPerSecond:F0}");
            if (summary.InputProblem is { } cut)
                return Fail($"{cut}; the {summary.Read - summary.Rejected:N0} records before that point were imported");
            if (summary.Rejected == summary.Read)
                return Fail($"none of the {summary.Read:N0} lines of {file} is an arXiv metadata record; nothing was imported");
            if (summary.Rejected > 0)
            {
                Console.Error.WriteLine($"{summary.Rejected:N0} of {summary.Read:N0} lines were rejected (listed above); the others were imported");
                return ImportedWithRejections;
            }
            return Imported;
        });
        return cmd;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return Failed;
    }

    private static async Task<ImportSummary> RunWithProgressAsync(IAnsiConsole console, SnapshotImport import, string file, Action<RejectedLine> rejected, CancellationToken ct)
    {
        if (!console.Profile.Capabilities.Interactive || Console.IsErrorRedirected) return await import.RunAsync(file, null, rejected, ct);
        ImportSummary summary = null!;
        await console.Progress().StartAsync(async ctx =>
        {
            var task = ctx.AddTask($"importing {Path.GetFileName(file)}", maxValue: 1.0);
            summary = await import.RunAsync(file, new Progress<double>(v => task.Value = v), rejected, ct);
            task.Value = 1.0;
        });
        return summary;
    }
}
