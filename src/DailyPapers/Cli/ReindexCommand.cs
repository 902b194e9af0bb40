using System.CommandLine;
using DailyPapers.Data;
using DailyPapers.Search;
using DailyPapers.Web;
using Spectre.Console;

namespace DailyPapers.Cli;

internal static class ReindexCommand
{
    public static Command Create()
    {
        var embeddings = new Option<bool>("--embeddings")
        {
            Description = "Also compute every missing or outdated embedding now, newest listing day first, on every core (about 21 papers/s a core). " +
                "May run while the server serves: it then leaves the keyword index to the server and the server loads the embeddings as they are stored",
        };
        var device = new Option<string>("--device")
        {
            Description = "Where the model runs: cpu, or cuda (ONNX Runtime's CUDA provider; falls back to the CPU with a message when absent). Default: Search__Device, else cpu",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Search__Device") is { Length: > 0 } d ? d : "cpu",
        };
        var cmd = new Command("reindex", "Rebuild the keyword search index from the database (server stopped), and with --embeddings compute the embeddings (server running or not).") { embeddings, device };
        cmd.SetAction(async (p, ct) =>
        {
            var db = CliApp.Settings(p);
            await ServerApp.MigrateAsync(db, ct);
            bool withEmbeddings = p.GetValue(embeddings);
            var deviceName = p.GetValue(device)!.Trim().ToLowerInvariant();
            if (deviceName is not ("cpu" or "cuda")) throw new CliException($"--device must be cpu or cuda, not '{deviceName}'.");
            KeywordIndex? index = null;
            try { index = KeywordIndex.Open(db); }
            catch (SearchIndexBusyException ex) when (withEmbeddings)
            {
                // A running server (or another reindex) holds the index and keeps it current itself.
                Console.Error.WriteLine(ex.Message);
                Console.Error.WriteLine("Leaving the keyword index to it: computing embeddings only.");
            }
            catch (SearchIndexBusyException ex) { throw new CliException(ex.Message); }
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            if (index is not null)
                using (index)
                {
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    await index.ResetAsync(ct);
                    int papers = await WithProgress(console, "indexing papers", progress => index.CatchUpAsync(db, progress, ct));
                    Console.WriteLine($"indexed: {papers}");
                    Console.WriteLine($"sequence: {index.AppliedSequence}");
                    Console.WriteLine($"seconds: {sw.Elapsed.TotalSeconds:F1}");
                }
            if (withEmbeddings) await EmbedAsync(db, deviceName, console, ct);
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// Every core, one text per core at a time, at the lowest CPU priority (a server on the same machine goes first).
    /// One process embeds at a time (<see cref="EmbeddingLock"/>): a running server's worker lets go after its batch.
    /// </summary>
    private static async Task EmbedAsync(DatabaseSettings db, string device, IAnsiConsole console, CancellationToken ct)
    {
        await using var wanted = await EmbeddingLock.Wanted(db).TryAcquireAsync(ct);
        var embeddingLock = new EmbeddingLock(db);
        var held = await embeddingLock.TryAcquireAsync(ct);
        if (held is null)
        {
            Console.Error.WriteLine("Another process is computing embeddings (a running server finishing its batch, or another reindex): waiting for it.");
            while ((held = await embeddingLock.TryAcquireAsync(ct)) is null) await Task.Delay(200, ct);
        }
        await using (held)
        {
            using var model = new Embedder(intraOpThreads: 1, concurrentCalls: Math.Clamp(Environment.ProcessorCount, 1, 8), lowPriority: true, device: device);
            if (model.DeviceFallback is { } why) Console.Error.WriteLine($"--device cuda: {why}.");
            var vectors = new VectorIndex(capacity: 16);
            var work = new EmbeddingWork(db, vectors, () => model);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            long before = work.Computed;
            await WithProgress(console, "embedding papers", async progress =>
            {
                await work.RunToCompletionAsync(64, progress, ct);
                return 0;
            });
            var (embedded, total) = await work.CountsAsync(ct);
            Console.WriteLine($"embedded: {embedded} of {total}");
            Console.WriteLine($"computed: {work.Computed - before}");
            Console.WriteLine($"embedding_seconds: {sw.Elapsed.TotalSeconds:F1}");
            Console.WriteLine($"device: {model.Device}");
        }
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
