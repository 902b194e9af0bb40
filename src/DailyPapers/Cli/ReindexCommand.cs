using System.CommandLine;
using DailyPapers.Search;
using DailyPapers.Web;
using Spectre.Console;

namespace DailyPapers.Cli;

internal static class ReindexCommand
{
    public static Command Create()
    {
        var embeddings = new Option<bool>("--embeddings") { Description = "Also compute every missing or outdated embedding now, on every core (slow: about 25 papers/s on two cores of the benchmark machine)" };
        var cmd = new Command("reindex", "Rebuild the keyword search index from the database (stop the server first).") { embeddings };
        cmd.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            await ServerApp.MigrateAsync(db, ct);
            KeywordIndex index;
            try { index = KeywordIndex.Open(db); }
            catch (SearchIndexBusyException ex) { throw new CliException(ex.Message); }
            // Offline, with the server stopped: one paper per core at a time (the server's worker keeps to one core).
            using var model = p.GetValue(embeddings) ? new Embedder(intraOpThreads: 1, concurrentCalls: Math.Clamp(Environment.ProcessorCount, 1, 8)) : null;
            using var engine = new SearchEngine(db, CliApp.Load<SearchSettings>(p), model: model);
            using (index)
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
                var sw = System.Diagnostics.Stopwatch.StartNew();
                await index.ResetAsync(ct);
                int papers = await WithProgress(console, "indexing papers", progress => index.CatchUpAsync(db, progress, ct));
                Console.WriteLine($"indexed: {papers}");
                Console.WriteLine($"sequence: {index.AppliedSequence}");
                Console.WriteLine($"seconds: {sw.Elapsed.TotalSeconds:F1}");
            }
            if (p.GetValue(embeddings))
            {
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
                await WithProgress(console, "embedding papers", async progress =>
                {
                    await engine.Embeddings.RunToCompletionAsync(64, progress, ct);
                    return 0;
                });
                var (embedded, total) = await engine.Embeddings.CountsAsync(ct);
                Console.WriteLine($"embedded: {embedded} of {total}");
            }
            return 0;
        });
        return cmd;
    }

    private static async Task<int> WithProgress(IAnsiConsole console, string label, Func<IProgress<(long Done, long Total)>?, Task<int>> work)
    {
        if (!console.Profile.Capabilities.Interactive || Console.IsErrorRedirected) return await work(null);
        int result = 0;
        await console.Progress().StartAsync(async ctx =>
        {
            var task = ctx.AddTask(label, maxValue: 1);
            result = await work(new Progress<(long Done, long Total)>(v =>
            {
                task.MaxValue = Math.Max(1, v.Total);
                task.Value = v.Done;
            }));
            task.Value = task.MaxValue;
        });
        return result;
    }
}
