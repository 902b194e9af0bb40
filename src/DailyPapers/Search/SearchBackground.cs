namespace DailyPapers.Search;

/// <summary>Keeps this node's keyword index level with the database by polling for higher sequence numbers.</summary>
internal sealed class SearchIndexFollower(SearchEngine engine, ILogger<SearchIndexFollower> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var n = await engine.Keyword.CatchUpAsync(engine.Database, null, ct);
                if (n > 0) log.LogInformation("Search index: applied {Count} papers, now at sequence {Sequence}", n, engine.Keyword.AppliedSequence);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                log.LogError(ex, "Search index update failed; retrying");
            }
            try { await Task.Delay(engine.Settings.IndexPollInterval, ct); }
            catch (OperationCanceledException) { break; }
        }
    }
}

/// <summary>
/// Loads stored embeddings, then embeds whatever is due, newest listing day first, batch after batch: on every core at
/// the lowest CPU priority, pausing briefly before each model call while requests are in flight. While another process
/// embeds (<c>reindex --embeddings</c>, another node; <see cref="EmbeddingLock"/>) it loads what that one stores.
/// </summary>
internal sealed class EmbeddingWorker(SearchEngine engine, ILogger<EmbeddingWorker> log) : BackgroundService
{
    /// <summary>Pause when nothing is due (or another process embeds): new papers arrive at most a few a minute.</summary>
    private static readonly TimeSpan IdleDelay = TimeSpan.FromSeconds(2);

    /// <summary>How often a busy worker also loads what other processes stored.</summary>
    private static readonly TimeSpan FollowEvery = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (!engine.Settings.Embeddings) return;
        await Task.Yield();
        try
        {
            // The query model loads beside the vectors: semantic search is "ready" when both are, so the first
            // hybrid request does not wait seconds for the model.
            var warm = Task.Run(engine.WarmQueryModel, ct);
            var loaded = await engine.Embeddings.LoadAsync(ct);
            try { await warm; }
            catch (Exception ex) when (ex is not OperationCanceledException) { log.LogWarning(ex, "Embeddings: the query model did not load; the first search will try again"); }
            engine.VectorsLoaded = true;
            var model = engine.BackgroundEmbedder;
            log.LogInformation("Embeddings: {Count} loaded{From}; computing on {Threads} threads ({Device})", loaded,
                engine.Embeddings.LoadedFromSnapshot ? " (from " + engine.Embeddings.SnapshotPath + " and the rows stored since)" : "", engine.EmbeddingThreads, model.Device);
            SaveSnapshot(force: false);
            if (model.DeviceFallback is { } why) log.LogWarning("Search:Device={Device} requested, but {Reason}", engine.Settings.Device, why);
        }
        catch (OperationCanceledException) { return; }
        var embeddingLock = new EmbeddingLock(engine.Database);
        var wanted = EmbeddingLock.Wanted(engine.Database);
        var followed = DateTime.UtcNow;
        bool othersEmbedding = false;
        while (!ct.IsCancellationRequested)
        {
            int done = 0;
            try
            {
                // A reindex --embeddings waiting for the lock gets it after this worker's current batch.
                await using var held = await wanted.IsHeldAsync(ct) ? null : await embeddingLock.TryAcquireAsync(ct);
                if (held is null)
                {
                    if (!othersEmbedding) log.LogInformation("Embeddings: another process is computing them; following its results");
                    othersEmbedding = true;
                    await engine.Embeddings.LoadAsync(ct);
                    await engine.Embeddings.RefreshCoverageAsync(ct);
                }
                else
                {
                    othersEmbedding = false;
                    done = await engine.Embeddings.RunBatchAsync(engine.Settings.EmbeddingBatchSize, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                log.LogError(ex, "Embedding batch failed; retrying");
            }
            if (done == 0 || DateTime.UtcNow - followed > FollowEvery)
            {
                // Pick up what other nodes embedded (several app nodes share one PostgreSQL).
                try { await engine.Embeddings.LoadAsync(ct); }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
                catch (Exception ex) { log.LogError(ex, "Loading new embeddings failed; retrying"); }
                followed = DateTime.UtcNow;
                SaveSnapshot(force: false);
            }
            if (done == 0)
            {
                try { await Task.Delay(IdleDelay, ct); }
                catch (OperationCanceledException) { break; }
            }
        }
        SaveSnapshot(force: true);
    }

    /// <summary>Keeps the vector file beside the index current, so a restart reads it instead of every stored embedding.</summary>
    private void SaveSnapshot(bool force)
    {
        try
        {
            if (engine.Embeddings.SaveSnapshotIfDue(force)) log.LogInformation("Embeddings: {Count} vectors written to {Path}", engine.Vectors.Count, engine.Embeddings.SnapshotPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { log.LogWarning(ex, "Embeddings: could not write the vector file; the next start reads the database instead"); }
    }
}

/// <summary>Requests in flight in this process: the background embedder waits a moment for them before each model call.</summary>
public static class RequestActivity
{
    private static int _inFlight;

    public static bool Busy => Volatile.Read(ref _inFlight) > 0;

    /// <summary>Counts every request while it runs (two interlocked operations a request).</summary>
    public static IApplicationBuilder UseRequestActivity(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        Interlocked.Increment(ref _inFlight);
        try { await next(ctx); }
        finally { Interlocked.Decrement(ref _inFlight); }
    });
}
