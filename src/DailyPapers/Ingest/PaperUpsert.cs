using System.Buffers;
using System.Data.Common;
using DailyPapers.Data;
using System.Text.Json;
using SQLitePCL;

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
/// Raw SQL because this is the bulk path, where EF change tracking would cost most of the import time (docs/benchmarks.md, import).
/// </summary>
public sealed class PaperUpsert(DatabaseSettings db)
{
    private sealed record Existing(long Id, int LatestVersion, long Hash, DateOnly ListingDate);

    public DatabaseSettings Database => db;

    /// <summary>One paper row as the writers see it: the record and what this upsert decided for it.</summary>
    private readonly record struct PaperRow(long Id, PaperRecord Record, long Hash, DateOnly Listing, long Sequence);

    private enum ColumnKind { Number, Boolean, Text, Timestamp, Date }

    /// <summary>A papers column both writers fill: its name, its PostgreSQL type, and the value it takes from a row (one accessor, by kind).</summary>
    private sealed record PaperColumn(string Name, string PgType, ColumnKind Kind, Func<PaperRow, long>? Number = null, Func<PaperRow, string?>? Text = null, Func<PaperRow, DateTime>? Time = null);

    /// <summary>The one table of papers columns and their values: the PostgreSQL and SQLite writers both read it, so they cannot drift apart.</summary>
    private static readonly PaperColumn[] Columns =
    [
        new("Id", "bigint", ColumnKind.Number, Number: p => p.Id),
        new("ArxivId", "text", ColumnKind.Text, Text: p => p.Record.ArxivId),
        new("Title", "text", ColumnKind.Text, Text: p => p.Record.Title),
        new("Abstract", "text", ColumnKind.Text, Text: p => p.Record.Abstract),
        new("Authors", "text", ColumnKind.Text, Text: p => p.Record.AuthorsDisplay),
        new("Categories", "text", ColumnKind.Text, Text: p => string.Join(' ', p.Record.Categories)),
        new("PrimaryCategory", "text", ColumnKind.Text, Text: p => p.Record.Categories.Count > 0 ? p.Record.Categories[0] : ""),
        new("Comments", "text", ColumnKind.Text, Text: p => p.Record.Comments),
        new("JournalRef", "text", ColumnKind.Text, Text: p => p.Record.JournalRef),
        new("Doi", "text", ColumnKind.Text, Text: p => p.Record.Doi),
        new("ReportNo", "text", ColumnKind.Text, Text: p => p.Record.ReportNo),
        new("License", "text", ColumnKind.Text, Text: p => p.Record.License),
        new("Submitter", "text", ColumnKind.Text, Text: p => p.Record.Submitter),
        new("FirstSubmittedAt", "timestamptz", ColumnKind.Timestamp, Time: p => p.Record.FirstSubmittedAt),
        new("LastUpdatedAt", "timestamptz", ColumnKind.Timestamp, Time: p => p.Record.LastUpdatedAt),
        new("ListingDate", "date", ColumnKind.Date, Time: p => p.Listing.ToDateTime(TimeOnly.MinValue)),
        new("Withdrawn", "boolean", ColumnKind.Boolean, Number: p => p.Record.Withdrawn ? 1 : 0),
        new("ContentHash", "bigint", ColumnKind.Number, Number: p => p.Hash),
        new("Sequence", "bigint", ColumnKind.Number, Number: p => p.Sequence),
        new("LatestVersion", "int", ColumnKind.Number, Number: p => p.Record.LatestVersion),
    ];

    /// <summary>The column list of <see cref="Columns"/>, quoted, for INSERT.</summary>
    private static readonly string PaperColumns = string.Join(", ", Columns.Select(c => $"\"{c.Name}\""));

    /// <summary>Upserts one batch in one write transaction.</summary>
    public Task<UpsertCounts> UpsertAsync(IReadOnlyList<PaperRecord> batch, CancellationToken ct = default) =>
        UpsertAsync(batch.Select(r => (r, r.ComputeHash())).ToList(), ct);

    /// <summary>Upserts one batch whose content hashes the caller computed (a bulk import does it on all cores while parsing).</summary>
    public Task<UpsertCounts> UpsertAsync(IReadOnlyList<(PaperRecord Record, long Hash)> batch, CancellationToken ct = default) =>
        UpsertAsync(batch, null, ct);

    /// <summary>
    /// A bulk import's own SQLite connection for all its batches. Into a database that was empty when the import
    /// began (<paramref name="emptyAtStart"/>), commits skip the fsync of WAL checkpoints (synchronous=OFF): a killed
    /// process still keeps every committed batch (the OS has the pages); only a power cut or OS crash during that
    /// first import could damage the file, which then held nothing but this import. Dispose checkpoints with a full
    /// fsync, so once the import returns everything is as durable as any other write.
    /// </summary>
    public sealed class BulkSession : IAsyncDisposable
    {
        internal Microsoft.Data.Sqlite.SqliteConnection? Connection { get; }

        internal BulkSession(DatabaseSettings db, bool emptyAtStart)
        {
            if (db.Provider != DatabaseProvider.Sqlite) return;
            // Not pooled: its pragmas must not outlive the import on a connection someone else gets later.
            var cs = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ToString();
            Connection = SqlitePragmas.Open(cs);
            using var cmd = Connection.CreateCommand();
            cmd.CommandText = emptyAtStart ? "PRAGMA synchronous=OFF; PRAGMA wal_autocheckpoint=16384;" : "PRAGMA wal_autocheckpoint=16384;";
            cmd.ExecuteNonQuery();
        }

        public async ValueTask DisposeAsync()
        {
            if (Connection is null) return;
            await using (var cmd = Connection.CreateCommand())
            {
                cmd.CommandText = "PRAGMA synchronous=FULL; PRAGMA wal_checkpoint(TRUNCATE);";
                await cmd.ExecuteNonQueryAsync();
            }
            await Connection.DisposeAsync();
        }
    }

    public BulkSession OpenBulkSession(bool emptyAtStart) => new(db, emptyAtStart);

    public async Task<UpsertCounts> UpsertAsync(IReadOnlyList<(PaperRecord Record, long Hash)> batch, BulkSession? session, CancellationToken ct = default)
    {
        var counts = new UpsertCounts();
        if (batch.Count == 0) return counts;

        // Last record wins when a batch names the same paper twice (a day's stream can).
        var byId = new Dictionary<string, (PaperRecord Record, long Hash)>(batch.Count, StringComparer.Ordinal);
        foreach (var item in batch)
        {
            var r = item.Record;
            if (byId.TryGetValue(r.ArxivId, out var prev) && prev.Record.LatestVersion > r.LatestVersion) { counts.Unchanged++; continue; }
            if (prev.Record is not null) counts.Unchanged++;
            byId[r.ArxivId] = item;
        }

        var own = session?.Connection is null;
        var conn = session?.Connection ?? db.CreateConnection();
        try
        {
            return await UpsertOnAsync(conn, byId, counts, ct);
        }
        finally
        {
            if (own) await conn.DisposeAsync();
        }
    }

    private async Task<UpsertCounts> UpsertOnAsync(DbConnection conn, Dictionary<string, (PaperRecord Record, long Hash)> byId, UpsertCounts counts, CancellationToken ct)
    {
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync(ct);
        // SQLite: BeginTransaction is BEGIN IMMEDIATE, so concurrent writers queue on the busy timeout.
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (db.Provider == DatabaseProvider.Postgres)
            await ExecAsync(conn, tx, $"SELECT pg_advisory_xact_lock({AdvisoryLocks.PaperWrites})", ct);
        else
            await ExecAsync(conn, tx, "PRAGMA cache_size=-131072", ct); // 128 MB page cache: index inserts of a big batch stay in memory

        var existing = await LoadExistingAsync(conn, tx, byId.Keys, ct);
        long nextId = await ScalarLongAsync(conn, tx, "SELECT COALESCE(MAX(\"Id\"), 0) FROM papers", ct) + 1;
        long nextSeq = await ScalarLongAsync(conn, tx, "SELECT COALESCE(MAX(\"Sequence\"), 0) FROM papers", ct) + 1;

        using IRowWriter w = conn is Microsoft.Data.Sqlite.SqliteConnection sqliteConn ? new SqliteRowWriter(sqliteConn) : new BatchWriter();
        foreach (var (r, hash) in byId.Values)
        {
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

    /// <summary>Writes the papers of one batch and their versions, authors and categories, inside its transaction.</summary>
    private interface IRowWriter : IDisposable
    {
        void AddPaper(long id, PaperRecord r, long hash, DateOnly listing, long seq, bool isNew);
        Task ExecuteAsync(DbConnection conn, DbTransaction tx, CancellationToken ct);
    }

    /// <summary>
    /// PostgreSQL's writer: a whole batch with one statement per table; rows travel as one JSON array parameter
    /// that the server unpacks (jsonb_array_elements). One round trip per table instead of one per row.
    /// </summary>
    private sealed class BatchWriter : IRowWriter
    {
        private readonly Rows _newPapers = new(), _changedPapers = new(), _versions = new(), _authors = new(), _categories = new();
        private readonly List<long> _changedIds = [];

        private static readonly string[] PgPaperTypes = [.. Columns.Select(c => c.PgType)];

        public void AddPaper(long id, PaperRecord r, long hash, DateOnly listing, long seq, bool isNew)
        {
            var rows = isNew ? _newPapers : _changedPapers;
            if (!isNew) _changedIds.Add(id);
            var w = rows.Begin();
            var row = new PaperRow(id, r, hash, listing, seq);
            foreach (var c in Columns)
            {
                switch (c.Kind)
                {
                    case ColumnKind.Number: w.WriteNumberValue(c.Number!(row)); break;
                    case ColumnKind.Boolean: w.WriteBooleanValue(c.Number!(row) != 0); break;
                    case ColumnKind.Text: Str(w, c.Text!(row)); break;
                    case ColumnKind.Timestamp: Date(w, c.Time!(row)); break;
                    case ColumnKind.Date: w.WriteStringValue(c.Time!(row).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)); break;
                }
            }
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
            w.WriteStringValue(utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));

        public async Task ExecuteAsync(DbConnection conn, DbTransaction tx, CancellationToken ct)
        {
            if (_changedIds.Count > 0)
            {
                var ids = "[" + string.Join(',', _changedIds) + "]";
                var idList = "SELECT CAST(value #>> '{}' AS bigint) FROM jsonb_array_elements(CAST(@rows AS jsonb))";
                foreach (var table in new[] { "paper_versions", "paper_authors", "paper_categories" })
                    await RunAsync(conn, tx, $"DELETE FROM {table} WHERE \"PaperId\" IN ({idList})", ids, ct);
                var set = string.Join(", ", Columns.Skip(1).Select((c, i) => $"\"{c.Name}\" = {Elem(i + 1, c.PgType)}"));
                await RunAsync(conn, tx, $"{Source} UPDATE papers SET {set} FROM src WHERE papers.\"Id\" = {Elem(0, "bigint")}", _changedPapers.Json(), ct);
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
            return RunAsync(conn, tx, $"{Source} INSERT INTO {table} ({columns}) SELECT {values}{extra} FROM src", rows.Json(), ct);
        }

        public void Dispose()
        {
            foreach (var r in new[] { _newPapers, _changedPapers, _versions, _authors, _categories }) r.Dispose();
        }

        /// <summary>A CTE <c>src(value)</c> with one row array per element of @rows.</summary>
        private const string Source = "WITH src(value) AS (SELECT value FROM jsonb_array_elements(CAST(@rows AS jsonb)))";

        /// <summary>Element <paramref name="i"/> of the current <c>src</c> row, typed.</summary>
        private static string Elem(int i, string pgType) => $"CAST(src.value ->> {i} AS {pgType})";

        private static async Task RunAsync(DbConnection conn, DbTransaction tx, string sql, string json, CancellationToken ct)
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            var p = cmd.CreateParameter();
            p.ParameterName = "@rows";
            p.Value = json;
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

    /// <summary>
    /// SQLite's writer: prepared statements on the connection's native handle, executed row by row inside the open
    /// transaction. SQLite runs in-process, so a row costs a few native calls; ADO.NET's per-command overhead and the
    /// JSON round trip (encode here, parse and unpack there) were most of the import time (docs/benchmarks.md, import).
    /// </summary>
    private sealed class SqliteRowWriter : IRowWriter
    {
        /// <summary>One parameter per column of <see cref="Columns"/>: ?1 is the id.</summary>
        private static readonly string Values = string.Join(", ", Columns.Select((_, i) => $"?{i + 1}"));
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _insertPaper, _updatePaper, _insertVersion, _insertAuthor, _insertCategory;
        private readonly sqlite3_stmt[] _deleteChildren;

        public SqliteRowWriter(Microsoft.Data.Sqlite.SqliteConnection conn)
        {
            _db = conn.Handle!;
            _insertPaper = Prepare($"INSERT INTO papers ({PaperColumns}, \"Upvotes\", \"CommentCount\") VALUES ({Values}, 0, 0)");
            var set = string.Join(", ", Columns.Skip(1).Select((c, i) => $"\"{c.Name}\" = ?{i + 2}"));
            _updatePaper = Prepare($"UPDATE papers SET {set} WHERE \"Id\" = ?1");
            _insertVersion = Prepare("INSERT INTO paper_versions (\"PaperId\", \"Version\", \"CreatedAt\", \"Size\") VALUES (?1, ?2, ?3, ?4)");
            _insertAuthor = Prepare("INSERT INTO paper_authors (\"PaperId\", \"Position\", \"Name\", \"LastName\", \"FirstNames\") VALUES (?1, ?2, ?3, ?4, ?5)");
            _insertCategory = Prepare("INSERT INTO paper_categories (\"PaperId\", \"Position\", \"Code\") VALUES (?1, ?2, ?3)");
            _deleteChildren = [.. new[] { "paper_versions", "paper_authors", "paper_categories" }.Select(t => Prepare($"DELETE FROM {t} WHERE \"PaperId\" = ?1"))];
        }

        private sqlite3_stmt Prepare(string sql)
        {
            Check(raw.sqlite3_prepare_v2(_db, sql, out var stmt));
            return stmt;
        }

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK) throw new Microsoft.Data.Sqlite.SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc);
        }

        private void Run(sqlite3_stmt stmt)
        {
            var rc = raw.sqlite3_step(stmt);
            raw.sqlite3_reset(stmt);
            if (rc != raw.SQLITE_DONE) Check(rc == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : rc);
        }

        private byte[] _utf8 = new byte[1 << 16];

        /// <summary>Binds text as UTF-8 (the database's encoding), encoded here with the vectorised encoder.</summary>
        private void Text(sqlite3_stmt stmt, int index, string? value)
        {
            if (value is null) { Check(raw.sqlite3_bind_null(stmt, index)); return; }
            int max = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
            if (max > _utf8.Length) _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
            int n = System.Text.Encoding.UTF8.GetBytes(value, _utf8);
            Check(raw.sqlite3_bind_text(stmt, index, _utf8.AsSpan(0, n)));
        }

        private void Int(sqlite3_stmt stmt, int index, long value) => Check(raw.sqlite3_bind_int64(stmt, index, value));

        /// <summary>The text form EF Core's SQLite provider reads back.</summary>
        private void Date(sqlite3_stmt stmt, int index, DateTime utc, string format = "yyyy-MM-dd HH:mm:ss")
        {
            Span<byte> text = stackalloc byte[32];
            utc.TryFormat(text, out var n, format, System.Globalization.CultureInfo.InvariantCulture);
            Check(raw.sqlite3_bind_text(stmt, index, text[..n]));
        }

        public void AddPaper(long id, PaperRecord r, long hash, DateOnly listing, long seq, bool isNew)
        {
            if (!isNew)
                foreach (var d in _deleteChildren) { Int(d, 1, id); Run(d); }
            var p = isNew ? _insertPaper : _updatePaper;
            var row = new PaperRow(id, r, hash, listing, seq);
            for (int i = 0; i < Columns.Length; i++)
            {
                var c = Columns[i];
                switch (c.Kind)
                {
                    case ColumnKind.Number or ColumnKind.Boolean: Int(p, i + 1, c.Number!(row)); break;
                    case ColumnKind.Text: Text(p, i + 1, c.Text!(row)); break;
                    case ColumnKind.Timestamp: Date(p, i + 1, c.Time!(row)); break;
                    case ColumnKind.Date: Date(p, i + 1, c.Time!(row), "yyyy-MM-dd"); break;
                }
            }
            Run(p);

            for (int vi = 0; vi < r.Versions.Count; vi++)
            {
                var v = r.Versions[vi];
                if (IsRepeatedVersion(r.Versions, vi)) continue; // the first of duplicate version numbers wins
                Int(_insertVersion, 1, id); Int(_insertVersion, 2, v.Version); Date(_insertVersion, 3, v.CreatedAt); Text(_insertVersion, 4, v.Size);
                Run(_insertVersion);
            }
            for (int i = 0; i < r.Authors.Count; i++)
            {
                var a = r.Authors[i];
                Int(_insertAuthor, 1, id); Int(_insertAuthor, 2, i); Text(_insertAuthor, 3, a.Name); Text(_insertAuthor, 4, a.LastName); Text(_insertAuthor, 5, a.FirstNames);
                Run(_insertAuthor);
            }
            for (int i = 0; i < r.Categories.Count; i++)
            {
                Int(_insertCategory, 1, id); Int(_insertCategory, 2, i); Text(_insertCategory, 3, r.Categories[i]);
                Run(_insertCategory);
            }
        }

        private static bool IsRepeatedVersion(IReadOnlyList<VersionInfo> versions, int i)
        {
            for (int j = 0; j < i; j++) if (versions[j].Version == versions[i].Version) return true;
            return false;
        }

        public Task ExecuteAsync(DbConnection conn, DbTransaction tx, CancellationToken ct) => Task.CompletedTask;

        public void Dispose()
        {
            foreach (var s in new[] { _insertPaper, _updatePaper, _insertVersion, _insertAuthor, _insertCategory }.Concat(_deleteChildren)) s.Dispose();
        }
    }
}
