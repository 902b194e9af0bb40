using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using DailyPapers.Data;
using DailyPapers.Digest;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DailyPapers.Backup;

/// <summary>
/// <c>dailypapers restore</c>: unpacks a backup into an empty data dir (and, for PostgreSQL, an empty database). The
/// archive is unpacked beside the data dir and checked whole (every file against the manifest's size and SHA-256, the
/// SQLite copy's integrity and row counts) before anything reaches the data dir, which then receives it in one rename.
/// </summary>
public static partial class InstanceRestore
{
    /// <summary>The most a manifest may take (it lists a few dozen files and tables).</summary>
    private const int MaxManifestBytes = 1 << 20;

    [GeneratedRegex(@"^keys/[A-Za-z0-9._-]{1,200}\.xml$")]
    private static partial Regex KeyEntry();

    public static async Task<BackupManifest> RunAsync(DatabaseSettings db, string archivePath, CancellationToken ct)
    {
        archivePath = Path.GetFullPath(archivePath);
        if (!File.Exists(archivePath)) throw new BackupException($"no such file: {archivePath}");
        var target = db.DataDir;
        if (db.Provider == DatabaseProvider.Sqlite && Path.GetFullPath(db.SqlitePath!) != Path.Combine(target, DatabaseSettings.SqliteFileName))
            throw new BackupException("restore puts the SQLite database into the data dir: leave out --database and name the folder with --data-dir");
        EnsureEmpty(target);
        if (db.Provider == DatabaseProvider.Postgres) await EnsureEmptyAsync(db, ct);

        var parent = Path.GetDirectoryName(target) ?? throw new BackupException($"cannot restore into {target}");
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.restore-{Guid.NewGuid():N}");
        InstanceBackup.CreatePrivateDirectory(staging);
        try
        {
            var manifest = await UnpackAsync(archivePath, staging, ct);
            if (manifest.Engine != (db.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres"))
                throw new BackupException(manifest.Engine == "sqlite"
                    ? "this is a backup of a SQLite instance: restore it without --database (into a data dir)"
                    : "this is a backup of a PostgreSQL instance: restore it with --database naming an empty PostgreSQL database");
            await using (var ctx = db.CreateContext())
                if (!ctx.Database.GetMigrations().Contains(manifest.Schema))
                    throw new BackupException($"the backup's schema ({manifest.Schema}) is newer than this DailyPapers knows: upgrade DailyPapers, then restore");

            if (db.Provider == DatabaseProvider.Sqlite)
            {
                var copy = Path.Combine(staging, InstanceBackup.SqliteEntry);
                await VerifySqliteAsync(copy, manifest, ct);
                // Back to WAL, as the server keeps it (the archive's copy is one self-contained file).
                await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString());
                await conn.OpenAsync(ct);
                await using var wal = conn.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode=WAL";
                await wal.ExecuteNonQueryAsync(ct);
            }
            else
            {
                var dump = Path.Combine(staging, InstanceBackup.PostgresEntry);
                // One transaction: a dump that fails half way leaves the database as empty as it was.
                await PostgresTools.RunAsync("pg_restore", db.ConnectionString,
                    ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--dbname=" + new NpgsqlConnectionStringBuilder(db.ConnectionString).Database, dump], ct);
                File.Delete(dump);
                await using var conn = new NpgsqlConnection(db.ConnectionString);
                await conn.OpenAsync(ct);
                CompareCounts(manifest, await InstanceBackup.CountRowsAsync(conn, null, DatabaseProvider.Postgres, ct), "the restored database");
            }
            MoveIntoPlace(staging, target);
            return manifest;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(staging))
                try { Directory.Delete(staging, recursive: true); } catch (IOException) { }
        }
    }

    private static void EnsureEmpty(string dataDir)
    {
        if (File.Exists(dataDir)) throw new BackupException($"{dataDir} is a file, not a folder");
        if (!Directory.Exists(dataDir)) return;
        var entries = Directory.EnumerateFileSystemEntries(dataDir).Select(Path.GetFileName).Take(6).ToList();
        if (entries.Count > 0)
            throw new BackupException($"the data dir {dataDir} is not empty (it holds {string.Join(", ", entries.Take(5))}{(entries.Count > 5 ? ", …" : "")}); " +
                "restore only into an empty or new folder, e.g. --data-dir NEW_FOLDER");
    }

    private static async Task EnsureEmptyAsync(DatabaseSettings db, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync(ct);
        var tables = await InstanceBackup.TablesAsync(conn, null, DatabaseProvider.Postgres, ct);
        if (tables.Count > 0)
            throw new BackupException($"the database {conn.Database} is not empty ({tables.Count} tables, e.g. {tables[0]}); restore into a new, empty database (createdb NAME)");
    }

    /// <summary>Unpacks every entry into <paramref name="staging"/> and checks the set against the manifest.</summary>
    private static async Task<BackupManifest> UnpackAsync(string archivePath, string staging, CancellationToken ct)
    {
        BackupManifest? manifest = null;
        var unpacked = new Dictionary<string, BackupFile>(StringComparer.Ordinal);
        try
        {
            await using var fs = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using var gz = new GZipStream(fs, CompressionMode.Decompress, leaveOpen: true);
            await using var checkedGz = new GzipTrailerCheck(gz);
            await using var tar = new TarReader(checkedGz, leaveOpen: true);
            while (await tar.GetNextEntryAsync(copyData: false, ct) is { } entry)
            {
                if (entry.EntryType == TarEntryType.Directory) continue;
                var name = entry.Name;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new BackupException($"the archive holds {name} ({entry.EntryType}), which no DailyPapers backup has");
                if (name != BackupManifest.FileName && name != InstanceBackup.SqliteEntry && name != InstanceBackup.PostgresEntry
                    && name != DigestLinks.KeyFileName && !KeyEntry().IsMatch(name))
                    throw new BackupException($"the archive holds {name}, which is not part of a DailyPapers backup");
                if (unpacked.ContainsKey(name) || (name == BackupManifest.FileName && manifest is not null))
                    throw new BackupException($"the archive holds {name} twice");
                if (name == BackupManifest.FileName)
                {
                    if (entry.Length > MaxManifestBytes) throw new BackupException($"the archive's {name} is {entry.Length} bytes: not a DailyPapers manifest");
                    using var ms = new MemoryStream();
                    if (entry.DataStream is { } d) await d.CopyToAsync(ms, ct);
                    manifest = BackupManifest.Parse(ms.ToArray());
                    continue;
                }
                var path = Path.Combine(staging, name.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                unpacked[name] = await WriteAsync(entry.DataStream, path, name, ct);
            }
            // GZipStream ends quietly at a cut: the trailer (CRC-32 and length of everything) tells a whole archive.
            await checkedGz.CopyToAsync(Stream.Null, ct);
            if (!await checkedGz.MatchesTrailerAsync(fs, ct))
                throw new BackupException($"{archivePath} is truncated or damaged (its gzip trailer does not match the contents); nothing was restored");
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new BackupException($"{archivePath} is damaged or truncated ({ex.Message}); nothing was restored");
        }

        if (manifest is null) throw new BackupException($"{archivePath} has no {BackupManifest.FileName}: it is truncated, or not a DailyPapers backup; nothing was restored");
        foreach (var f in manifest.Files)
        {
            if (!unpacked.Remove(f.Path, out var got))
                throw new BackupException($"{archivePath} is incomplete: {f.Path} is missing (a truncated copy?); nothing was restored");
            if (got.Bytes != f.Bytes || got.Sha256 != f.Sha256)
                throw new BackupException($"{archivePath} is damaged: {f.Path} has {got.Bytes} bytes and SHA-256 {got.Sha256[..12]}…, the manifest says {f.Bytes} and {f.Sha256[..Math.Min(12, f.Sha256.Length)]}…; nothing was restored");
        }
        if (unpacked.Count > 0) throw new BackupException($"{archivePath} holds {unpacked.Keys.First()}, which its manifest does not list; nothing was restored");
        var database = manifest.Engine == "sqlite" ? InstanceBackup.SqliteEntry : InstanceBackup.PostgresEntry;
        if (manifest.Files.All(f => f.Path != database)) throw new BackupException($"{archivePath} has no {database}; nothing was restored");
        return manifest;
    }

    /// <summary>Copies an entry to <paramref name="path"/> (owner-only: these are the database and the keys), hashing as it goes.</summary>
    private static async Task<BackupFile> WriteAsync(Stream? data, string path, string name, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 1 << 20, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long bytes = 0;
        await using (var outFile = new FileStream(path, options))
        {
            if (data is not null)
            {
                var buffer = new byte[1 << 20];
                int n;
                while ((n = await data.ReadAsync(buffer, ct)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    await outFile.WriteAsync(buffer.AsMemory(0, n), ct);
                    bytes += n;
                }
            }
        }
        return new BackupFile(name, bytes, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task VerifySqliteAsync(string path, BackupManifest manifest, CancellationToken ct)
    {
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await conn.OpenAsync(ct);
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "PRAGMA quick_check";
            cmd.CommandTimeout = 0;
            var result = await cmd.ExecuteScalarAsync(ct) as string;
            if (result != "ok") throw new BackupException($"the backup's database fails SQLite's integrity check ({result}); nothing was restored");
        }
        var schema = await InstanceBackup.SchemaAsync(conn, null, ct);
        if (schema != manifest.Schema) throw new BackupException($"the backup's database has schema {schema}, its manifest says {manifest.Schema}; nothing was restored");
        CompareCounts(manifest, await InstanceBackup.CountRowsAsync(conn, null, DatabaseProvider.Sqlite, ct), "the backup's database");
    }

    private static void CompareCounts(BackupManifest manifest, SortedDictionary<string, long> counts, string what)
    {
        foreach (var (table, rows) in manifest.Counts)
            if (counts.GetValueOrDefault(table, -1) != rows)
                throw new BackupException($"{what} has {counts.GetValueOrDefault(table, 0)} rows in {table}, the manifest says {rows}");
        if (counts.Keys.FirstOrDefault(t => !manifest.Counts.ContainsKey(t)) is { } extra)
            throw new BackupException($"{what} has a table {extra} that the manifest does not list");
    }

    /// <summary>
    /// Puts the checked files into the data dir: one rename of the whole folder when it can (the data dir is new, or an
    /// empty folder that can be replaced); otherwise (a mount point) file by file, with the database last, so that a
    /// data dir with a database in it is always a complete one.
    /// </summary>
    private static void MoveIntoPlace(string staging, string target)
    {
        if (Directory.Exists(target))
        {
            try { Directory.Delete(target, recursive: false); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                var entries = Directory.EnumerateFileSystemEntries(staging)
                    .OrderBy(e => Path.GetFileName(e) == DatabaseSettings.SqliteFileName).ToList();
                foreach (var e in entries)
                {
                    var to = Path.Combine(target, Path.GetFileName(e));
                    if (Directory.Exists(e)) Directory.Move(e, to); else File.Move(e, to);
                }
                Directory.Delete(staging);
                return;
            }
        }
        Directory.Move(staging, target);
    }
}

/// <summary>
/// Reads through a single-member gzip stream (as backup writes it), keeping the CRC-32 and length of what came out, to
/// compare with the 8-byte trailer at the end of the file.
/// </summary>
internal sealed class GzipTrailerCheck(Stream inner) : Stream
{
    private readonly System.IO.Hashing.Crc32 _crc = new();
    private long _length;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _crc.Append(buffer[..n]);
        _length += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        int n = await inner.ReadAsync(buffer, ct);
        _crc.Append(buffer.Span[..n]);
        _length += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    /// <summary>True when the file's last 8 bytes are the CRC-32 and the length (mod 2³²) of everything read.</summary>
    public async Task<bool> MatchesTrailerAsync(FileStream file, CancellationToken ct)
    {
        if (file.Length < 18) return false; // a gzip header and trailer alone are 18 bytes
        var trailer = new byte[8];
        file.Seek(-8, SeekOrigin.End);
        await file.ReadExactlyAsync(trailer, ct);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer) == _crc.GetCurrentHashAsUInt32()
            && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(4)) == (uint)_length;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
