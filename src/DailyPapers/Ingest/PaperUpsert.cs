using System.Buffers;
using System.Data.Common;
using DailyPapers.Data;
using System.Text.Json;

namespace DailyPapers.Ingest;

/// <summary>Counts of what one upsert did.</summary>
public sealed class UpsertCounts
{
    public int Inserted;
    public int Updated;
    public int Unchanged;

    public void Add(UpsertCounts o)
    {
        Inserted += o.Inserted;
        Updated += o.Updated;
        Unchanged += o.Unchanged;
    }
}

/// <summary>
/// The one idempotent write path for paper metadata: every source (snapshot import, OAI-PMH, arXiv API, RSS,
/// Hugging Face, submissions) ends here. Keyed by base arXiv id; an older version never replaces a newer one,
/// identical metadata writes nothing, and each batch commits atomically.
/// Raw SQL because this is the bulk path: EF change tracking costs ~10x here.
/// </summary>
public sealed class PaperUpsert(DatabaseSettings db)
{
    private sealed record Existing(long Id, int LatestVersion, long Hash, DateOnly ListingDate);

    /// <summary>Upserts one batch in one write transaction.</summary>
    public async Task<UpsertCounts> UpsertAsync(IReadOnlyList<PaperRecord> batch, CancellationToken ct = default)
    {
        var counts = new UpsertCounts();
        if (batch.Count == 0) return counts;

        // Last record wins when a batch names the same paper twice (a day's stream can).
        var byId = new Dictionary<string, PaperRecord>(batch.Count, StringComparer.Ordinal);
        foreach (var r in batch)
        {
            if (byId.TryGetValue(r.ArxivId, out var prev) && prev.LatestVersion > r.LatestVersion) { counts.Unchanged++; continue; }
            if (prev is not null) counts.Unchanged++;
            byId[r.ArxivId] = r;
        }

        await using var conn = db.CreateConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        // SQLite: BeginTransaction is BEGIN IMMEDIATE, so concurrent writers queue on the busy timeout.
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (db.Provider == DatabaseProvider.Postgres)
            await ExecAsync(conn, tx, "SELECT pg_advisory_xact_lock(7210001)", ct); // serialises id and sequence assignment
        else
            await ExecAsync(conn, tx, "PRAGMA cache_size=-131072", ct); // 128 MB page cache: index inserts of a big batch stay in memory

        var existing = await LoadExistingAsync(conn, tx, byId.Keys, ct);
        long nextId = await ScalarLongAsync(conn, tx, "SELECT COALESCE(MAX(\"Id\"), 0) FROM papers", ct) + 1;
        long nextSeq = await ScalarLongAsync(conn, tx, "SELECT COALESCE(MAX(\"Sequence\"), 0) FROM papers", ct) + 1;

        using var w = new BatchWriter(db.Provider);
        foreach (var r in byId.Values)
        {
            long hash = r.ComputeHash();
            if (existing.TryGetValue(r.ArxivId, out var e))
            {
                if (r.LatestVersion < e.LatestVersion || hash == e.Hash) { counts.Unchanged++; continue; }
                w.AddPaper(e.Id, r, hash, r.AnnouncedOn ?? e.ListingDate, nextSeq++, isNew: false);
                counts.Updated++;
            }
            else
            {
                w.AddPaper(nextId++, r, hash, r.AnnouncedOn ?? ListingDates.ForSubmission(r.FirstSubmittedAt), nextSeq++, isNew: true);
                counts.Inserted++;
            }
        }
        await w.ExecuteAsync(conn, tx, ct);
        if (db.Provider == DatabaseProvider.Postgres && counts.Inserted > 0)
            await ExecAsync(conn, tx, "SELECT setval(pg_get_serial_sequence('papers', 'Id'), (SELECT MAX(\"Id\") FROM papers))", ct);
        await tx.CommitAsync(ct);
        return counts;
    }

    private async Task<Dictionary<string, Existing>> LoadExistingAsync(DbConnection conn, DbTransaction tx, IEnumerable<string> ids, CancellationToken ct)
    {
        var result = new Dictionary<string, Existing>(StringComparer.Ordinal);
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        // The ids travel as one JSON array: one round trip and one statement per batch on both engines.
        // CROSS JOIN makes SQLite walk the id list and probe the unique index, never scan the table.
        var list = db.Provider == DatabaseProvider.Postgres
            ? "jsonb_array_elements_text(CAST(@ids AS jsonb)) AS j(value) JOIN papers p"
            : "json_each(@ids) AS j CROSS JOIN papers p";
        cmd.CommandText = $"SELECT p.\"ArxivId\", p.\"Id\", p.\"LatestVersion\", p.\"ContentHash\", p.\"ListingDate\" FROM {list} ON p.\"ArxivId\" = j.value";
        var p = cmd.CreateParameter();
        p.ParameterName = "@ids";
        p.Value = JsonSerializer.Serialize(ids);
        cmd.Parameters.Add(p);
        await using var rd = await cmd.ExecuteReaderAsync(ct);
        while (await rd.ReadAsync(ct))
        {
            var listing = rd.GetValue(4) switch
            {
                DateOnly d => d,
                DateTime dt => DateOnly.FromDateTime(dt),
                var o => DateOnly.Parse(Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture)!, System.Globalization.CultureInfo.InvariantCulture),
            };
            result[rd.GetString(0)] = new Existing(rd.GetInt64(1), rd.GetInt32(2), rd.GetInt64(3), listing);
        }
        return result;
    }

    private static async Task<long> ScalarLongAsync(DbConnection conn, DbTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
    }

    private static async Task ExecAsync(DbConnection conn, DbTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Writes a whole batch with one statement per table: rows travel as one JSON array parameter that the
    /// engine unpacks (SQLite json_each, PostgreSQL json_array_elements). Per-row ADO.NET calls cost ~15 µs each;
    /// this keeps the per-row work inside the database engine.
    /// </summary>
    private sealed class BatchWriter(DatabaseProvider provider) : IDisposable
    {
        private readonly Rows _newPapers = new(), _changedPapers = new(), _versions = new(), _authors = new(), _categories = new();
        private readonly List<long> _changedIds = [];
        private bool Pg => provider == DatabaseProvider.Postgres;

        private const string PaperColumns = "\"Id\", \"ArxivId\", \"Title\", \"Abstract\", \"Authors\", \"Categories\", \"PrimaryCategory\", \"Comments\", \"JournalRef\", \"Doi\", \"ReportNo\", \"License\", \"Submitter\", \"FirstSubmittedAt\", \"LastUpdatedAt\", \"ListingDate\", \"Withdrawn\", \"ContentHash\", \"Sequence\", \"LatestVersion\"";
        private static readonly string[] PgPaperTypes = ["bigint", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "timestamptz", "timestamptz", "date", "boolean", "bigint", "bigint", "int"];

        public void AddPaper(long id, PaperRecord r, long hash, DateOnly listing, long seq, bool isNew)
        {
            var rows = isNew ? _newPapers : _changedPapers;
            if (!isNew) _changedIds.Add(id);
            var w = rows.Begin();
            w.WriteNumberValue(id);
            w.WriteStringValue(r.ArxivId);
            w.WriteStringValue(r.Title);
            w.WriteStringValue(r.Abstract);
            w.WriteStringValue(r.AuthorsDisplay);
            w.WriteStringValue(string.Join(' ', r.Categories));
            w.WriteStringValue(r.Categories.Count > 0 ? r.Categories[0] : "");
            Str(w, r.Comments); Str(w, r.JournalRef); Str(w, r.Doi); Str(w, r.ReportNo); Str(w, r.License); Str(w, r.Submitter);
            Date(w, r.FirstSubmittedAt);
            Date(w, r.LastUpdatedAt);
            w.WriteStringValue(listing.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteBooleanValue(r.Withdrawn);
            w.WriteNumberValue(hash);
            w.WriteNumberValue(seq);
            w.WriteNumberValue(r.LatestVersion);
            rows.End();

            foreach (var v in r.Versions.DistinctBy(v => v.Version))
            {
                w = _versions.Begin();
                w.WriteNumberValue(id); w.WriteNumberValue(v.Version); Date(w, v.CreatedAt); Str(w, v.Size);
                _versions.End();
            }
            for (int i = 0; i < r.Authors.Count; i++)
            {
                var a = r.Authors[i];
                w = _authors.Begin();
                w.WriteNumberValue(id); w.WriteNumberValue(i); w.WriteStringValue(a.Name); Str(w, a.LastName); Str(w, a.FirstNames);
                _authors.End();
            }
            for (int i = 0; i < r.Categories.Count; i++)
            {
                w = _categories.Begin();
                w.WriteNumberValue(id); w.WriteNumberValue(i); w.WriteStringValue(r.Categories[i]);
                _categories.End();
            }
        }

        private static void Str(Utf8JsonWriter w, string? s)
        {
            if (s is null) w.WriteNullValue(); else w.WriteStringValue(s);
        }

        private void Date(Utf8JsonWriter w, DateTime utc) =>
            // The text form EF Core's SQLite provider reads back; PostgreSQL parses ISO 8601.
            w.WriteStringValue(utc.ToString(Pg ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));

        public async Task ExecuteAsync(DbConnection conn, DbTransaction tx, CancellationToken ct)
        {
            if (_changedIds.Count > 0)
            {
                var ids = "[" + string.Join(',', _changedIds) + "]";
                var idList = Pg ? "SELECT CAST(value #>> '{}' AS bigint) FROM jsonb_array_elements(CAST(@rows AS jsonb))" : "SELECT value FROM json_each(@rows)";
                foreach (var table in new[] { "paper_versions", "paper_authors", "paper_categories" })
                    await RunAsync(conn, tx, $"DELETE FROM {table} WHERE \"PaperId\" IN ({idList})", ids, ct);
                var cols = PaperColumns.Split(", ");
                var set = string.Join(", ", cols.Skip(1).Select((c, i) => $"{c} = {Elem(i + 1, PgPaperTypes[i + 1])}"));
                await RunAsync(conn, tx, $"{Source} UPDATE papers SET {set} FROM src WHERE papers.\"Id\" = {Elem(0, "bigint")}", Param(_changedPapers), ct);
            }
            if (_newPapers.Count > 0)
                await InsertAsync(conn, tx, "papers", PaperColumns + ", \"Upvotes\", \"CommentCount\"", PgPaperTypes, _newPapers, ", 0, 0", ct);
            if (_newPapers.Count + _changedPapers.Count > 0)
            {
                await InsertAsync(conn, tx, "paper_versions", "\"PaperId\", \"Version\", \"CreatedAt\", \"Size\"", ["bigint", "int", "timestamptz", "text"], _versions, "", ct);
                await InsertAsync(conn, tx, "paper_authors", "\"PaperId\", \"Position\", \"Name\", \"LastName\", \"FirstNames\"", ["bigint", "int", "text", "text", "text"], _authors, "", ct);
                await InsertAsync(conn, tx, "paper_categories", "\"PaperId\", \"Position\", \"Code\"", ["bigint", "int", "text"], _categories, "", ct);
            }
        }

        private Task InsertAsync(DbConnection conn, DbTransaction tx, string table, string columns, string[] types, Rows rows, string extra, CancellationToken ct)
        {
            if (rows.Count == 0) return Task.CompletedTask;
            var values = string.Join(", ", types.Select((t, i) => Elem(i, t)));
            return RunAsync(conn, tx, $"{Source} INSERT INTO {table} ({columns}) SELECT {values}{extra} FROM src", Param(rows), ct);
        }

        /// <summary>
        /// A CTE <c>src(value)</c> with one binary-JSON row array per element of @rows. On SQLite it must be
        /// MATERIALIZED: a flattened subquery would re-parse the row text for every column read.
        /// </summary>
        private string Source => Pg
            ? "WITH src(value) AS (SELECT value FROM jsonb_array_elements(CAST(@rows AS jsonb)))"
            : "WITH src(value) AS MATERIALIZED (SELECT jsonb(value) FROM json_each(CAST(@rows AS TEXT)))";

        /// <summary>
        /// SQLite gets the UTF-8 bytes as a blob that the statement casts to text (a blob would otherwise be read
        /// as binary JSON): no UTF-16 string of several megabytes per table and batch, and no re-encoding.
        /// </summary>
        private object Param(Rows rows) => Pg ? rows.Json() : rows.Utf8();

        public void Dispose()
        {
            foreach (var r in new[] { _newPapers, _changedPapers, _versions, _authors, _categories }) r.Dispose();
        }

        /// <summary>Element <paramref name="i"/> of the current <c>src</c> row, typed for the engine.</summary>
        private string Elem(int i, string pgType) => Pg ? $"CAST(src.value ->> {i} AS {pgType})" : $"(src.value ->> {i})";

        private static async Task RunAsync(DbConnection conn, DbTransaction tx, string sql, object json, CancellationToken ct)
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            var p = cmd.CreateParameter();
            p.ParameterName = "@rows";
            if (json is ValueTuple<byte[], int> pooled)
            {
                p.Value = pooled.Item1;
                p.Size = pooled.Item2; // only the written part of the pooled buffer is bound
            }
            else
            {
                p.Value = json;
            }
            cmd.Parameters.Add(p);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        /// <summary>
        /// A growing JSON array of row arrays. Its buffer comes from a pool and goes back after the batch: batches
        /// of a bulk import would otherwise allocate tens of megabytes of large-object heap each, and every such
        /// allocation pushes the GC towards a full collection.
        /// </summary>
        private sealed class Rows : IBufferWriter<byte>, IDisposable
        {
            private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(256 << 20, 16);
            private byte[] _buffer = Pool.Rent(1 << 16);
            private int _written;
            private readonly Utf8JsonWriter _writer;
            public int Count { get; private set; }

            public Rows()
            {
                _writer = new Utf8JsonWriter(this);
                _writer.WriteStartArray();
            }

            public Utf8JsonWriter Begin()
            {
                _writer.WriteStartArray();
                return _writer;
            }

            public void End()
            {
                _writer.WriteEndArray();
                Count++;
            }

            public string Json() => System.Text.Encoding.UTF8.GetString(Finish());

            /// <summary>The pooled buffer and how many of its bytes are the JSON (bind with that size).</summary>
            public (byte[] Buffer, int Length) Utf8()
            {
                var length = Finish().Length;
                return (_buffer, length);
            }

            private ReadOnlySpan<byte> Finish()
            {
                _writer.WriteEndArray();
                _writer.Flush();
                return _buffer.AsSpan(0, _written);
            }

            public void Advance(int count) => _written += count;

            public Memory<byte> GetMemory(int sizeHint = 0)
            {
                Reserve(sizeHint);
                return _buffer.AsMemory(_written);
            }

            public Span<byte> GetSpan(int sizeHint = 0)
            {
                Reserve(sizeHint);
                return _buffer.AsSpan(_written);
            }

            private void Reserve(int sizeHint)
            {
                var need = _written + Math.Max(sizeHint, 256);
                if (need <= _buffer.Length) return;
                var bigger = Pool.Rent(Math.Max(need, _buffer.Length * 2));
                _buffer.AsSpan(0, _written).CopyTo(bigger);
                Pool.Return(_buffer);
                _buffer = bigger;
            }

            public void Dispose()
            {
                _writer.Dispose();
                Pool.Return(_buffer);
                _buffer = [];
            }
        }
    }
}
