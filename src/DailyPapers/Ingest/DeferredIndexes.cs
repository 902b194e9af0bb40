using DailyPapers.Data;
using Microsoft.Data.Sqlite;

namespace DailyPapers.Ingest;

/// <summary>
/// A bulk import into an empty SQLite database runs without the papers' secondary indexes and builds them once at the
/// end. Maintained row by row, an index whose keys arrive in random order (listing day, category code) dirties most of
/// its pages in every batch, and each commit writes those pages to the WAL again; built at the end it is one sort.
/// The dropped definitions are kept in a table in the same transaction as the drop, so a killed import leaves a
/// note that the next import or server start (<see cref="RestoreAsync"/>) acts on: nothing is lost either way.
/// Unique indexes and the sequence index stay, because the upsert looks papers up by them.
/// </summary>
public static class DeferredIndexes
{
    private const string Table = "deferred_indexes";
    /// <summary>The upsert reads MAX("Sequence") per batch: without its index that is a scan of the whole table.</summary>
    private const string Kept = "'IX_papers_Sequence'";
    private const string OnTables = "'papers', 'paper_versions', 'paper_authors', 'paper_categories'";

    /// <summary>Drops the secondary indexes when the database is SQLite and has no papers; true when it did.</summary>
    public static bool DropIfEmpty(DatabaseSettings db)
    {
        if (db.Provider != DatabaseProvider.Sqlite) return false;
        using var conn = (SqliteConnection)db.CreateConnection();
        using var tx = conn.BeginTransaction(deferred: false);
        if (Scalar(conn, tx, "SELECT EXISTS (SELECT 1 FROM papers)") != 0) return false;
        Exec(conn, tx, $"CREATE TABLE IF NOT EXISTS {Table} (name TEXT PRIMARY KEY, sql TEXT NOT NULL)");
        var indexes = new List<(string Name, string Sql)>();
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({OnTables}) AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND name NOT IN ({Kept})";
            using var rd = cmd.ExecuteReader();
            while (rd.Read()) indexes.Add((rd.GetString(0), rd.GetString(1)));
        }
        foreach (var (name, sql) in indexes)
        {
            using var keep = conn.CreateCommand();
            keep.Transaction = tx;
            keep.CommandText = $"INSERT OR REPLACE INTO {Table} (name, sql) VALUES ($n, $s)";
            keep.Parameters.AddWithValue("$n", name);
            keep.Parameters.AddWithValue("$s", sql);
            keep.ExecuteNonQuery();
            Exec(conn, tx, $"DROP INDEX \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
        }
        tx.Commit();
        return indexes.Count > 0;
    }

    /// <summary>Builds every index a bulk import dropped (after it finished, or after it was killed).</summary>
    public static int Restore(DatabaseSettings db)
    {
        if (db.Provider != DatabaseProvider.Sqlite) return 0;
        using var conn = (SqliteConnection)db.CreateConnection();
        using var tx = conn.BeginTransaction(deferred: false);
        if (Scalar(conn, tx, $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{Table}'") == 0) return 0;
        var pending = new List<string>();
        using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT sql FROM {Table} WHERE name NOT IN (SELECT name FROM sqlite_master WHERE type = 'index')";
            using var rd = cmd.ExecuteReader();
            while (rd.Read()) pending.Add(rd.GetString(0));
        }
        // Let SQLite sort on a helper thread per core while it builds each index.
        Exec(conn, tx, $"PRAGMA threads = {Math.Clamp(Environment.ProcessorCount, 1, 8)}");
        foreach (var sql in pending) Exec(conn, tx, sql);
        Exec(conn, tx, $"DROP TABLE {Table}");
        tx.Commit();
        return pending.Count;
    }

    public static Task<int> RestoreAsync(DatabaseSettings db) => Task.Run(() => Restore(db));

    private static long Scalar(SqliteConnection conn, SqliteTransaction tx, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Exec(SqliteConnection conn, SqliteTransaction tx, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
