using Npgsql;

namespace DailyPapers.Data;

/// <summary>
/// "Only one at a time", across every app node and process that shares the database: on PostgreSQL a session
/// advisory lock (<paramref name="key"/>) held on its own connection; on SQLite (one machine by nature) an exclusive
/// lock on a file (<paramref name="fileName"/>) in the data dir. Both are released by the operating system or the
/// server if the holder dies, so a crashed node never leaves a stale lock behind.
/// </summary>
public class DatabaseLock(DatabaseSettings db, long key, string fileName)
{
    private string LockFile => Path.Combine(db.DataDir, fileName);

    /// <summary>Takes the lock if nobody holds it; null when another harvest is running. Dispose the handle to release.</summary>
    public async Task<IAsyncDisposable?> TryAcquireAsync(CancellationToken ct)
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
            // Unpooled: closing a pooled connection keeps its session (and the lock) alive in the pool.
            var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ConnectionString);
            try
            {
                await conn.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({key})", conn);
                if ((bool)(await cmd.ExecuteScalarAsync(ct))!) return new Held(() => UnlockAsync(conn));
            }
            catch
            {
                await conn.DisposeAsync();
                throw;
            }
            await conn.DisposeAsync();
            return null;
        }
        Directory.CreateDirectory(db.DataDir);
        try
        {
            // FileShare.None is an exclusive flock on Unix and a share lock on Windows: a second opener fails at once.
            var file = new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            return new Held(() => file.DisposeAsync());
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Unlocks explicitly before closing: the server ends a closed session's backend (and frees its locks) a moment
    /// after the client has gone, and the next harvest should not find the lock still taken.
    /// </summary>
    private async ValueTask UnlockAsync(NpgsqlConnection conn)
    {
        try
        {
            await using var cmd = new NpgsqlCommand($"SELECT pg_advisory_unlock({key})", conn);
            await cmd.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // A broken connection has lost its session, and the lock with it.
        }
        finally
        {
            await conn.DisposeAsync();
        }
    }

    /// <summary>Whether some node holds the lock right now (for the admin page; it does not take the lock on PostgreSQL).</summary>
    public async Task<bool> IsHeldAsync(CancellationToken ct)
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await using var conn = new NpgsqlConnection(db.ConnectionString);
            await conn.OpenAsync(ct);
            // A bigint advisory key is stored as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
            await using var cmd = new NpgsqlCommand(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 " +
                $"AND classid = {(uint)(key >> 32)} AND objid = {(uint)(key & 0xFFFFFFFF)} AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))", conn);
            return (bool)(await cmd.ExecuteScalarAsync(ct))!;
        }
        await using var probe = await TryAcquireAsync(ct);
        return probe is null;
    }

    private sealed class Held(Func<ValueTask> release) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync() => Interlocked.Exchange(ref _released, 1) == 0 ? release() : ValueTask.CompletedTask;
    }
}
