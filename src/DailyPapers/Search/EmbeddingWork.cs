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
    // Due work is found in passes over the papers, newest listing day first: a pass takes the papers whose sequence
    // is in (_passLo, _passHi] and walks down (ListingDate, Id) from _cursor. Papers at or below _passLo were all looked
    // at by an earlier pass of this instance; papers changed or added meanwhile get a sequence above _passHi, and
    // the pass starts again from the top with them included (they are usually the newest day's).
    private readonly Lock _state = new();
    private long _passLo;
    private long _passHi = -1;
    private (DateOnly Day, long Id)? _cursor;
    private DateOnly? _newestDay;
    private EmbeddingCoverage _coverage = EmbeddingCoverage.Unknown;

    /// <summary>Which listing days are embedded, as far as this instance has looked (<see cref="EmbeddingCoverage"/>).</summary>
    public EmbeddingCoverage Coverage { get { lock (_state) return _coverage; } }

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

    /// <summary>
    /// Where the vector index is kept between runs (<c>search/vectors-{model}.bin</c> in the data dir): derived data,
    /// written by the server's worker and checked against the database before use, so deleting it only costs a slower start.
    /// </summary>
    public string SnapshotPath => Path.Combine(db.DataDir, "search", $"vectors-{Embedder.ModelName.Replace('/', '_')}.bin");

    /// <summary>Whether the first load read the snapshot file (then only the rows stored since it).</summary>
    public bool LoadedFromSnapshot { get; private set; }

    /// <summary>Vectors loaded or computed since the snapshot was last written.</summary>
    private long _sinceSnapshot;

    /// <summary>
    /// Loads the stored embeddings into the vector index: the first time from the snapshot file when there is a valid
    /// one (then the rows stored since its watermark), else every row; afterwards those computed since (by any node).
    /// The first load ends with a count check: if the index and the table disagree (papers deleted, a restored database,
    /// another database behind the same data dir), the snapshot is dropped and every row is read.
    /// </summary>
    public async Task<int> LoadAsync(CancellationToken ct = default)
    {
        if (_loadedUpTo != DateTime.MinValue) return await LoadRowsAsync(ct);
        if (TryLoadSnapshot() is { } stamp)
        {
            _loadedUpTo = stamp;
            await LoadRowsAsync(ct);
            if (await StoredCountAsync(ct) == vectors.Count) { LoadedFromSnapshot = true; return vectors.Count; }
            vectors.Clear();
            _loadedUpTo = DateTime.MinValue;
        }
        var n = await LoadRowsAsync(ct);
        _sinceSnapshot = n;
        return n;
    }

    private DateTime? TryLoadSnapshot()
    {
        try
        {
            using var f = new FileStream(SnapshotPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            var ticks = vectors.Load(f);
            return ticks > DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks ? new DateTime(ticks, DateTimeKind.Utc) : null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// Writes the snapshot when <paramref name="force"/> or when enough has changed since the last one (a tenth of the
    /// index, at least 1,000 vectors: rewriting 1.3 GB for 3 million papers after every batch would cost more than it saves).
    /// Written to a temporary file and renamed over the old one, so a crash mid-write leaves the previous snapshot.
    /// </summary>
    public bool SaveSnapshotIfDue(bool force = false)
    {
        long changed = Interlocked.Read(ref _sinceSnapshot);
        if (_loadedUpTo == DateTime.MinValue || changed == 0 || !force && changed < Math.Max(1_000, vectors.Count / 10)) return false;
        // The watermark is taken before the index is read: rows stored meanwhile are read again on the next start.
        var stamp = _loadedUpTo - FollowSlack;
        Directory.CreateDirectory(Path.GetDirectoryName(SnapshotPath)!);
        var tmp = SnapshotPath + "." + Environment.ProcessId + ".tmp";
        try
        {
            using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                vectors.Save(f, stamp.Ticks);
                f.Flush(flushToDisk: true);
            }
            File.Move(tmp, SnapshotPath, overwrite: true);
            Interlocked.Add(ref _sinceSnapshot, -changed);
            return true;
        }
        catch (IOException) { File.Delete(tmp); throw; }
    }

    private async Task<long> StoredCountAsync(CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM paper_embeddings WHERE \"Model\" = @m";
        KeywordIndex.AddParameter(cmd, "@m", Embedder.ModelName);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private async Task<int> LoadRowsAsync(CancellationToken ct)
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
        if (!first) Interlocked.Add(ref _sinceSnapshot, n);
        return n;
    }

    /// <summary>Embeds one batch of due papers, newest listing day first; 0 when nothing is due.</summary>
    public async Task<int> RunBatchAsync(int batchSize, CancellationToken ct = default)
    {
        if (!await StartPassAsync(ct)) return 0;
        var due = await FindDueAsync(batchSize, ct);
        if (due.Count == 0)
        {
            FinishPass();
            return 0;
        }

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
        lock (_state)
        {
            _cursor = (due[^1].Day, due[^1].Id);
            _coverage = new EmbeddingCoverage(due[^1].Day.AddDays(1), _newestDay, false);
        }
        if (due.Count < batchSize) FinishPass();
        return due.Count;
    }

    /// <summary>
    /// Updates <see cref="Coverage"/> without embedding anything: for an instance that follows the embeddings another
    /// process computes (a <c>reindex --embeddings</c>, another node), after loading them.
    /// </summary>
    public async Task RefreshCoverageAsync(CancellationToken ct = default)
    {
        if (!await StartPassAsync(ct)) return;
        var due = await FindDueAsync(1, ct);
        if (due.Count == 0)
        {
            FinishPass();
            return;
        }
        lock (_state)
        {
            // Just above the first due paper: the next pass step finds it again.
            _cursor = (due[0].Day, due[0].Id + 1);
            _coverage = new EmbeddingCoverage(due[0].Day.AddDays(1), _newestDay, false);
        }
    }

    /// <summary>Starts a pass when papers above the last one's range exist; false when there is nothing to look at.</summary>
    private async Task<bool> StartPassAsync(CancellationToken ct)
    {
        long maxSeq;
        DateOnly? newest;
        await using (var conn = await OpenAsync(ct))
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT MAX(\"Sequence\"), MAX(\"ListingDate\") FROM papers";
            await using var rd = await cmd.ExecuteReaderAsync(ct);
            await rd.ReadAsync(ct);
            maxSeq = rd.IsDBNull(0) ? 0 : rd.GetInt64(0);
            newest = rd.IsDBNull(1) ? null : Day(rd.GetValue(1));
        }
        lock (_state)
        {
            if (maxSeq <= Math.Max(_passLo, _passHi))
            {
                if (_passHi < 0 && _coverage == EmbeddingCoverage.Unknown && maxSeq == 0) _coverage = new EmbeddingCoverage(null, null, true);
                return _passHi >= 0;
            }
            // New or changed papers: (re)start from the top, keeping the low end of an unfinished pass.
            _passHi = maxSeq;
            _cursor = null;
            _newestDay = newest;
            return true;
        }
    }

    private void FinishPass()
    {
        lock (_state)
        {
            if (_passHi >= 0) _passLo = _passHi;
            _passHi = -1;
            _cursor = null;
            _coverage = new EmbeddingCoverage(null, _newestDay, true);
        }
    }

    /// <summary>The next due papers of the pass, newest listing day first (then highest id).</summary>
    private async Task<List<(long Id, long Seq, DateOnly Day, string Text, long? StoredHash)>> FindDueAsync(int limit, CancellationToken ct)
    {
        long lo, hi;
        (DateOnly Day, long Id)? cursor;
        lock (_state) (lo, hi, cursor) = (_passLo, _passHi, _cursor);
        var due = new List<(long Id, long Seq, DateOnly Day, string Text, long? StoredHash)>();
        await using var conn = await OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        // A wide sequence range (the first pass: every paper) is walked down the listing-date index, the unary plus
        // keeping the planner off the sequence index (sorting every paper per batch); a narrow one (the papers of a
        // harvest) is found by sequence and sorted.
        var seq = hi - lo > NarrowPass ? "+p.\"Sequence\"" : "p.\"Sequence\"";
        cmd.CommandText = $"""
            SELECT p."Id", p."Sequence", p."ListingDate", p."Title", p."Abstract", e."TextHash"
            FROM papers p LEFT JOIN paper_embeddings e ON e."PaperId" = p."Id" AND e."Model" = @m
            WHERE {seq} > @lo AND {seq} <= @hi AND (e."PaperId" IS NULL OR e."PaperSequence" < p."Sequence")
            {(cursor is null ? "" : "AND p.\"ListingDate\" <= @d AND NOT (p.\"ListingDate\" = @d AND p.\"Id\" >= @i)")}
            ORDER BY p."ListingDate" DESC, p."Id" DESC LIMIT @n
            """;
        KeywordIndex.AddParameter(cmd, "@m", Embedder.ModelName);
        KeywordIndex.AddParameter(cmd, "@lo", lo);
        KeywordIndex.AddParameter(cmd, "@hi", hi);
        if (cursor is { } c)
        {
            KeywordIndex.AddParameter(cmd, "@d", c.Day);
            KeywordIndex.AddParameter(cmd, "@i", c.Id);
        }
        KeywordIndex.AddParameter(cmd, "@n", limit);
        await using var rd = await cmd.ExecuteReaderAsync(ct);
        while (await rd.ReadAsync(ct))
            due.Add((rd.GetInt64(0), rd.GetInt64(1), Day(rd.GetValue(2)), Embedder.PaperText(rd.GetString(3), rd.GetString(4)), rd.IsDBNull(5) ? null : rd.GetInt64(5)));
        return due;
    }

    /// <summary>Sequence ranges up to this wide are looked up by sequence (<see cref="FindDueAsync"/>).</summary>
    private const long NarrowPass = 20_000;

    private static DateOnly Day(object value) => value switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        var o => DateOnly.Parse(Convert.ToString(o, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
    };

    /// <summary>Runs batches until nothing is due, reporting (embedded, total papers).</summary>
    public async Task RunToCompletionAsync(int batchSize, IProgress<(long Done, long Total)>? progress = null, CancellationToken ct = default)
    {
        var (done, total) = await CountsAsync(ct);
        progress?.Report((done, total));
        long before = Computed;
        while (await RunBatchAsync(batchSize, ct) > 0)
            progress?.Report((Math.Min(total, done + Computed - before), total));
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

/// <summary>
/// The listing days whose papers all have embeddings, as found by an instance's passes: every paper listed from
/// <see cref="From"/> to <see cref="Newest"/>; every paper when <see cref="Complete"/>. <see cref="Unknown"/> before
/// the first look.
/// </summary>
public sealed record EmbeddingCoverage(DateOnly? From, DateOnly? Newest, bool Complete)
{
    public static readonly EmbeddingCoverage Unknown = new(null, null, false);
}

/// <summary>
/// "One process embeds at a time" per database (<see cref="DatabaseLock"/>): the server's worker takes it for each batch,
/// <c>reindex --embeddings</c> for its whole run; whoever does not hold it loads what the holder stores.
/// </summary>
public sealed class EmbeddingLock(DatabaseSettings db) : DatabaseLock(db, Key, FileName)
{
    public const long Key = 7210004;
    public const string FileName = "embeddings.lock";

    /// <summary>Held by a <c>reindex --embeddings</c> waiting for the lock: the server's worker then leaves it free after its batch.</summary>
    public static DatabaseLock Wanted(DatabaseSettings db) => new(db, Key + 1, "embeddings.wanted.lock");
}
