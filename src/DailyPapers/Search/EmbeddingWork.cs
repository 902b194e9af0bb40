using System.Data.Common;
using System.Globalization;
using DailyPapers.Data;

namespace DailyPapers.Search;

/// <summary>
/// Computes the embeddings that are due (papers without one, or changed since) and stores them in
/// <c>paper_embeddings</c>. The background worker, <c>dailypapers reindex --embeddings</c> and the relevance
/// benchmark all run this.
/// </summary>
public sealed class EmbeddingWork(DatabaseSettings db, VectorIndex vectors, Func<Embedder> embedder)
{
    /// <summary>Papers up to this sequence have been looked at in this process; due work is found above it.</summary>
    private long _watermark;

    /// <summary>Newest <c>ComputedAt</c> loaded so far: other nodes' new embeddings are found above it.</summary>
    private DateTime _loadedUpTo = DateTime.MinValue;

    /// <summary>
    /// How far back each follow-up load looks again: a row committed by another node with a slightly older
    /// clock or a long transaction is still picked up. Re-reading a minute of rows costs little.
    /// </summary>
    private static readonly TimeSpan FollowSlack = TimeSpan.FromMinutes(1);

    private long _computed;

    /// <summary>Embeddings computed (model calls, not reused ones) by this instance since it started.</summary>
    public long Computed => Interlocked.Read(ref _computed);

    /// <summary>Loads the stored embeddings into the vector index: all of them the first time, then those computed since (by any node).</summary>
    public async Task<int> LoadAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        bool first = _loadedUpTo == DateTime.MinValue;
        cmd.CommandText = "SELECT \"PaperId\", \"Vector\", \"ComputedAt\" FROM paper_embeddings WHERE \"Model\" = @m" + (first ? "" : " AND \"ComputedAt\" >= @since");
        KeywordIndex.AddParameter(cmd, "@m", Embedder.ModelName);
        if (!first) KeywordIndex.AddParameter(cmd, "@since", _loadedUpTo - FollowSlack);
        int n = 0;
        await using var rd = await cmd.ExecuteReaderAsync(ct);
        while (await rd.ReadAsync(ct))
        {
            var bytes = (byte[])rd.GetValue(1);
            vectors.Upsert(rd.GetInt64(0), Embedder.FromBytes(bytes));
            var at = rd.GetDateTime(2);
            if (at > _loadedUpTo) _loadedUpTo = DateTime.SpecifyKind(at, DateTimeKind.Utc);
            n++;
        }
        if (first && _loadedUpTo == DateTime.MinValue) _loadedUpTo = DateTime.UtcNow - FollowSlack;
        return n;
    }

    /// <summary>Embeds one batch of due papers; 0 when nothing is due.</summary>
    public async Task<int> RunBatchAsync(int batchSize, CancellationToken ct = default)
    {
        var due = new List<(long Id, long Seq, string Text, long? StoredHash)>();
        await using (var conn = await OpenAsync(ct))
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = """
                SELECT p."Id", p."Sequence", p."Title", p."Abstract", e."TextHash"
                FROM papers p LEFT JOIN paper_embeddings e ON e."PaperId" = p."Id" AND e."Model" = @m
                WHERE p."Sequence" > @w AND (e."PaperId" IS NULL OR e."PaperSequence" < p."Sequence")
                ORDER BY p."Sequence" LIMIT @n
                """;
            KeywordIndex.AddParameter(cmd, "@m", Embedder.ModelName);
            KeywordIndex.AddParameter(cmd, "@w", _watermark);
            KeywordIndex.AddParameter(cmd, "@n", batchSize);
            await using var rd = await cmd.ExecuteReaderAsync(ct);
            while (await rd.ReadAsync(ct))
                due.Add((rd.GetInt64(0), rd.GetInt64(1), Embedder.PaperText(rd.GetString(2), rd.GetString(3)), rd.IsDBNull(4) ? null : rd.GetInt64(4)));
        }
        if (due.Count == 0) return 0;

        var texts = due.Select(d => d.Text).ToList();
        var hashes = texts.Select(Embedder.TextHash).ToArray();
        var toEmbed = Enumerable.Range(0, due.Count).Where(i => due[i].StoredHash != hashes[i]).ToArray();
        var computed = toEmbed.Length == 0 ? [] : await Task.Run(() => embedder().EmbedMany(toEmbed.Select(i => texts[i]).ToList(), ct), ct);

        await using (var conn = await OpenAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var now = DateTime.UtcNow;
            for (int k = 0; k < toEmbed.Length; k++)
            {
                var d = due[toEmbed[k]];
                await ExecAsync(conn, tx, """
                    INSERT INTO paper_embeddings ("PaperId", "Model", "TextHash", "PaperSequence", "Vector", "ComputedAt")
                    VALUES (@p, @m, @h, @s, @v, @t)
                    ON CONFLICT ("PaperId", "Model") DO UPDATE SET "TextHash" = excluded."TextHash", "PaperSequence" = excluded."PaperSequence",
                        "Vector" = excluded."Vector", "ComputedAt" = excluded."ComputedAt"
                    """, ct, ("@p", d.Id), ("@m", Embedder.ModelName), ("@h", hashes[toEmbed[k]]), ("@s", d.Seq), ("@v", Embedder.ToBytes(computed[k])), ("@t", now));
            }
            foreach (var i in Enumerable.Range(0, due.Count).Except(toEmbed))
                await ExecAsync(conn, tx, "UPDATE paper_embeddings SET \"PaperSequence\" = @s WHERE \"PaperId\" = @p AND \"Model\" = @m", ct,
                    ("@s", due[i].Seq), ("@p", due[i].Id), ("@m", Embedder.ModelName));
            await tx.CommitAsync(ct);
        }
        for (int k = 0; k < toEmbed.Length; k++) vectors.Upsert(due[toEmbed[k]].Id, computed[k]);
        Interlocked.Add(ref _computed, toEmbed.Length);
        _watermark = due[^1].Seq;
        return due.Count;
    }

    /// <summary>Runs batches until nothing is due, reporting (embedded, total papers).</summary>
    public async Task RunToCompletionAsync(int batchSize, IProgress<(long Done, long Total)>? progress = null, CancellationToken ct = default)
    {
        var (done, total) = await CountsAsync(ct);
        progress?.Report((done, total));
        while (await RunBatchAsync(batchSize, ct) > 0)
            progress?.Report((vectors.Count, total));
    }

    /// <summary>Stored embeddings of the current model, and papers in all.</summary>
    public async Task<(long Embedded, long Papers)> CountsAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COUNT(*) FROM paper_embeddings WHERE \"Model\" = @m), (SELECT COUNT(*) FROM papers)";
        KeywordIndex.AddParameter(cmd, "@m", Embedder.ModelName);
        await using var rd = await cmd.ExecuteReaderAsync(ct);
        await rd.ReadAsync(ct);
        return (rd.GetInt64(0), rd.GetInt64(1));
    }

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var conn = db.CreateConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        return conn;
    }

    private static async Task ExecAsync(DbConnection conn, DbTransaction tx, string sql, CancellationToken ct, params (string Name, object Value)[] args)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (n, v) in args) KeywordIndex.AddParameter(cmd, n, v);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
