using System.Data.Common;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using DailyPapers.Data;
using DailyPapers.Digest;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DailyPapers.Backup;

/// <summary>What a backup wrote.</summary>
/// <param name="CopyElapsed">The database copy alone (VACUUM INTO or pg_dump), the rest being hashing and compression.</param>
public sealed record BackupResult(string Path, BackupManifest Manifest, long Bytes, TimeSpan Elapsed, TimeSpan CopyElapsed);

/// <summary>
/// <c>dailypapers backup</c>: a consistent copy of a running instance in one <c>.tar.gz</c>: the database, the
/// data-protection keys (sign-in cookies, account mail tokens) and the digest signing key (unsubscribe and preferences
/// links), with a manifest. The search index is left out: it is derived from the database and rebuilt on restore.
/// </summary>
/// <remarks>
/// SQLite: <c>VACUUM INTO</c> copies the database inside one read transaction, which in WAL mode never blocks the
/// server's writers, so the copy is the database as of one instant. PostgreSQL: <c>pg_dump</c> reads a snapshot
/// exported by a repeatable-read transaction in which the manifest's counts are taken too, so the counts and the dump
/// are the same instant. The archive is written next to its final name and renamed into place when complete.
/// </remarks>
public static class InstanceBackup
{
    public const string SqliteEntry = DatabaseSettings.SqliteFileName;
    public const string PostgresEntry = "postgres.dump";
    public const string KeysFolder = "keys";

    public static async Task<BackupResult> CreateAsync(DatabaseSettings db, string outFile, bool overwrite, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        outFile = Path.GetFullPath(outFile);
        if (Directory.Exists(outFile)) throw new BackupException($"{outFile} is a folder; give the archive's file name, e.g. {Path.Combine(outFile, "dailypapers-backup.tar.gz")}");
        if (File.Exists(outFile) && !overwrite) throw new BackupException($"{outFile} exists; choose another name or pass --overwrite");
        var outDir = Path.GetDirectoryName(outFile)!;
        if (!Directory.Exists(outDir)) throw new BackupException($"the folder {outDir} does not exist");
        if (db.SqlitePath is { } live && Path.GetFullPath(live) == outFile) throw new BackupException($"{outFile} is the database itself");

        var work = Path.Combine(outDir, $".{Path.GetFileName(outFile)}.{Guid.NewGuid():N}.partial");
        CreatePrivateDirectory(work); // the database copy and the keys pass through it, perhaps in a shared folder
        try
        {
            var files = new List<(string Entry, string Source)>();
            string engine, schema;
            SortedDictionary<string, long> counts;
            if (db.Provider == DatabaseProvider.Sqlite)
            {
                var copy = Path.Combine(work, SqliteEntry);
                (schema, counts) = await CopySqliteAsync(db, copy, ct);
                files.Add((SqliteEntry, copy));
                engine = "sqlite";
            }
            else
            {
                var dump = Path.Combine(work, PostgresEntry);
                (schema, counts) = await DumpPostgresAsync(db, dump, ct);
                files.Add((PostgresEntry, dump));
                engine = "postgres";
            }
            var copied = sw.Elapsed;
            files.AddRange(KeyFiles(db.DataDir));

            var listed = new List<BackupFile>();
            foreach (var (entry, source) in files)
                listed.Add(new BackupFile(entry, new FileInfo(source).Length, await Sha256Async(source, ct)));
            var manifest = new BackupManifest
            {
                AppVersion = AppVersion,
                Engine = engine,
                Schema = schema,
                CreatedAt = DateTime.UtcNow,
                Counts = counts,
                Files = listed,
            };

            var archive = Path.Combine(work, "archive.tar.gz");
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 1 << 20, Options = FileOptions.Asynchronous };
            // The archive holds the keys: readable by its owner only, like the data dir's key files.
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var fs = new FileStream(archive, create))
            {
                // Fastest: the database dominates the size, and a backup taken while serving should hold a core briefly.
                await using (var gz = new GZipStream(fs, CompressionLevel.Fastest, leaveOpen: true))
                await using (var tar = new TarWriter(gz, TarEntryFormat.Pax, leaveOpen: true))
                {
                    var json = manifest.ToJson();
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, BackupManifest.FileName) { DataStream = new MemoryStream(json) }, ct);
                    foreach (var (entry, source) in files)
                        await tar.WriteEntryAsync(source, entry, ct);
                }
                fs.Flush(flushToDisk: true);
            }
            File.Move(archive, outFile, overwrite);
            return new BackupResult(outFile, manifest, new FileInfo(outFile).Length, sw.Elapsed, copied);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The data-protection keys and the digest signing key of a data dir, as archive entries.</summary>
    private static IEnumerable<(string Entry, string Source)> KeyFiles(string dataDir)
    {
        var keys = Path.Combine(dataDir, KeysFolder);
        if (Directory.Exists(keys))
            foreach (var f in Directory.EnumerateFiles(keys, "*.xml").Order(StringComparer.Ordinal))
                yield return ($"{KeysFolder}/{Path.GetFileName(f)}", f);
        var signing = Path.Combine(dataDir, DigestLinks.KeyFileName);
        if (File.Exists(signing)) yield return (DigestLinks.KeyFileName, signing);
    }

    private static async Task<(string Schema, SortedDictionary<string, long> Counts)> CopySqliteAsync(DatabaseSettings db, string copy, CancellationToken ct)
    {
        if (!File.Exists(db.SqlitePath)) throw new BackupException($"there is no database at {db.SqlitePath} (check --data-dir or --database)");
        await using (var source = (SqliteConnection)db.CreateConnection())
        await using (var cmd = source.CreateCommand())
        {
            cmd.CommandText = "VACUUM INTO $path";
            cmd.Parameters.AddWithValue("$path", copy);
            cmd.CommandTimeout = 0; // as long as it takes: a large database is copied in one statement
            await cmd.ExecuteNonQueryAsync(ct);
        }
        // One self-contained file: no WAL beside it in the archive. The restored server switches WAL on again.
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString());
        await conn.OpenAsync(ct);
        await using (var mode = conn.CreateCommand())
        {
            mode.CommandText = "PRAGMA journal_mode=DELETE";
            await mode.ExecuteNonQueryAsync(ct);
        }
        return (await SchemaAsync(conn, null, ct), await CountRowsAsync(conn, null, DatabaseProvider.Sqlite, ct));
    }

    private static async Task<(string Schema, SortedDictionary<string, long> Counts)> DumpPostgresAsync(DatabaseSettings db, string dump, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        string snapshot;
        await using (var cmd = new NpgsqlCommand("SELECT pg_export_snapshot()", conn, tx))
            snapshot = (string)(await cmd.ExecuteScalarAsync(ct))!;
        var schema = await SchemaAsync(conn, tx, ct);
        var counts = await CountRowsAsync(conn, tx, DatabaseProvider.Postgres, ct);
        // The dump sees exactly what the counts saw: the snapshot lives as long as this transaction.
        await PostgresTools.RunAsync("pg_dump", db.ConnectionString,
            ["--format=custom", "--snapshot=" + snapshot, "--file=" + dump], ct);
        await tx.CommitAsync(ct);
        return (schema, counts);
    }

    /// <summary>The newest applied migration; a <see cref="BackupException"/> when the database has none (not a DailyPapers database).</summary>
    internal static async Task<string> SchemaAsync(DbConnection conn, DbTransaction? tx, CancellationToken ct)
    {
        if (!(await TablesAsync(conn, tx, conn is NpgsqlConnection ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite, ct)).Contains("__EFMigrationsHistory"))
            throw new BackupException("the database has no DailyPapers schema (no migrations applied): nothing to back up");
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT MAX(\"MigrationId\") FROM \"__EFMigrationsHistory\"";
        return await cmd.ExecuteScalarAsync(ct) as string ?? throw new BackupException("the database has no migrations applied: nothing to back up");
    }

    internal static async Task<List<string>> TablesAsync(DbConnection conn, DbTransaction? tx, DatabaseProvider provider, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = provider == DatabaseProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            : "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename";
        var names = new List<string>();
        await using var rd = await cmd.ExecuteReaderAsync(ct);
        while (await rd.ReadAsync(ct)) names.Add(rd.GetString(0));
        return names;
    }

    /// <summary>The row count of every table, as the manifest records it and restore compares it.</summary>
    internal static async Task<SortedDictionary<string, long>> CountRowsAsync(DbConnection conn, DbTransaction? tx, DatabaseProvider provider, CancellationToken ct)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in await TablesAsync(conn, tx, provider, ct))
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT COUNT(*) FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
            cmd.CommandTimeout = 0;
            counts[table] = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        return counts;
    }

    internal static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(fs, ct));
    }

    /// <summary>A folder only its owner can enter.</summary>
    internal static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public static string AppVersion =>
        typeof(InstanceBackup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(InstanceBackup).Assembly.GetName().Version?.ToString() ?? "unknown";
}
