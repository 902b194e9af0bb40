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

/// <summary>Loads stored embeddings, then embeds whatever is due, batch after batch.</summary>
internal sealed class EmbeddingWorker(SearchEngine engine, ILogger<EmbeddingWorker> log) : BackgroundService
{
    /// <summary>Pause when nothing is due: new papers arrive at most a few a minute.</summary>
    private static readonly TimeSpan IdleDelay = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (!engine.Settings.Embeddings) return;
        await Task.Yield();
        try
        {
            var loaded = await engine.Embeddings.LoadAsync(ct);
            engine.VectorsLoaded = true;
            log.LogInformation("Embeddings: {Count} loaded", loaded);
        }
        catch (OperationCanceledException) { return; }
        while (!ct.IsCancellationRequested)
        {
            int done = 0;
            try
            {
                done = await engine.Embeddings.RunBatchAsync(engine.Settings.EmbeddingBatchSize, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                log.LogError(ex, "Embedding batch failed; retrying");
            }
            if (done == 0)
            {
                // Idle: pick up what other nodes embedded (several app nodes share one PostgreSQL).
                try { await engine.Embeddings.LoadAsync(ct); }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
                catch (Exception ex) { log.LogError(ex, "Loading new embeddings failed; retrying"); }
                try { await Task.Delay(IdleDelay, ct); }
                catch (OperationCanceledException) { break; }
            }
        }
    }
}
