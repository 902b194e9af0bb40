using System.Threading.Channels;
using DailyPapers.Data;
using Microsoft.Data.Sqlite;

namespace DailyPapers.Community;

/// <summary>
/// SQLite has one writer at a time. Instead of every request taking the write lock in turn (each hand-over waits for
/// a thread-pool thread, and under load that wait dominates), requests queue their toggle here and one writer loop
/// applies everything queued in a single transaction ("group commit"), then answers each request. A request is only
/// answered after the transaction that holds its vote committed, so an acknowledged vote survives a crash.
/// Counts are recomputed from the rows of each touched paper inside the same transaction.
/// </summary>
public sealed class SqliteVoteWriter : IAsyncDisposable
{
    /// <summary>More than this in one transaction only makes the first requests of a burst wait longer.</summary>
    public const int MaxBatch = 256;

    private sealed record Pending(string UserId, long PaperId, bool? Want, TaskCompletionSource<(bool Voted, int Upvotes)> Done);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _connectionString;
    private readonly TimeProvider _clock;
    private readonly ILogger<SqliteVoteWriter> _log;
    private readonly Task _loop;
    /// <summary>The writer loop's connection and statements; only the loop touches them.</summary>
    private Statements? _statements;

    public SqliteVoteWriter(DatabaseSettings settings, TimeProvider clock, ILogger<SqliteVoteWriter> log)
    {
        _connectionString = settings.ConnectionString;
        _clock = clock;
        _log = log;
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Sets (true), removes (false) or flips (null) one member's vote; returns the state after commit.</summary>
    public Task<(bool Voted, int Upvotes)> SetAsync(string userId, long paperId, bool? want, CancellationToken ct)
    {
        var done = new TaskCompletionSource<(bool, int)>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(userId, paperId, want, done)))
            throw new ObjectDisposedException(nameof(SqliteVoteWriter), "The server is shutting down.");
        // Cancelling only stops waiting: a queued vote is still applied, exactly as if the reply was lost on the wire.
        return done.Task.WaitAsync(ct);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p)) batch.Add(p);
                if (batch.Count == 0 || TryApply(batch) is not { } error) continue;
                if (batch.Count == 1) { batch[0].Done.TrySetException(error); continue; }
                // One bad toggle (say, a member deleted meanwhile) must not fail the others: retry them one by one.
                _log.LogWarning(error, "A batch of {Count} votes failed; applying them one at a time", batch.Count);
                foreach (var p in batch)
                    if (TryApply([p]) is { } one) p.Done.TrySetException(one);
            }
        }
        finally
        {
            _statements?.Dispose();
        }
    }

    /// <summary>Applies the toggles in one transaction; on failure returns the error, having rolled back and dropped the connection.</summary>
    private Exception? TryApply(List<Pending> items)
    {
        try
        {
            _statements ??= new Statements(_connectionString);
            Apply(_statements, items);
            return null;
        }
        catch (Exception e)
        {
            _statements?.Dispose();
            _statements = null; // the next attempt starts on a fresh connection
            return e;
        }
    }

    private void Apply(Statements s, List<Pending> batch)
    {
        var voted = new bool[batch.Count];
        var counts = new Dictionary<long, int>();
        using (var tx = s.Connection.BeginTransaction(deferred: false))
        {
            s.Bind(tx);
            var now = _clock.GetUtcNow().UtcDateTime;
            for (var i = 0; i < batch.Count; i++)
            {
                var p = batch[i];
                if (p.Want is null)
                {
                    voted[i] = s.Delete(p.UserId, p.PaperId) == 0;
                    if (voted[i]) s.Insert(p.UserId, p.PaperId, now);
                }
                else if (p.Want.Value)
                {
                    s.Insert(p.UserId, p.PaperId, now);
                    voted[i] = true;
                }
                else
                {
                    s.Delete(p.UserId, p.PaperId);
                }
                counts[p.PaperId] = 0;
            }
            foreach (var paperId in counts.Keys.ToList()) counts[paperId] = s.Recount(paperId);
            tx.Commit();
        }
        for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult((voted[i], counts[batch[i].PaperId]));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    /// <summary>The writer's own connection and its prepared statements, reused for every batch.</summary>
    private sealed class Statements : IDisposable
    {
        public readonly SqliteConnection Connection;
        private readonly SqliteCommand _delete, _insert, _recount;

        public Statements(string connectionString)
        {
            Connection = SqlitePragmas.Open(connectionString);
            _delete = Command("DELETE FROM votes WHERE \"UserId\" = $u AND \"PaperId\" = $p", "$u", "$p");
            _insert = Command("INSERT INTO votes (\"UserId\", \"PaperId\", \"CreatedAt\") VALUES ($u, $p, $t) ON CONFLICT DO NOTHING", "$u", "$p", "$t");
            _recount = Command("UPDATE papers SET \"Upvotes\" = (SELECT COUNT(*) FROM votes WHERE \"PaperId\" = $p) WHERE \"Id\" = $p RETURNING \"Upvotes\"", "$p");
        }

        private SqliteCommand Command(string sql, params string[] names)
        {
            var c = Connection.CreateCommand();
            c.CommandText = sql;
            foreach (var n in names) c.Parameters.Add(new SqliteParameter { ParameterName = n });
            return c;
        }

        public void Bind(SqliteTransaction tx) => _delete.Transaction = _insert.Transaction = _recount.Transaction = tx;

        public int Delete(string userId, long paperId)
        {
            _delete.Parameters[0].Value = userId;
            _delete.Parameters[1].Value = paperId;
            return _delete.ExecuteNonQuery();
        }

        public void Insert(string userId, long paperId, DateTime now)
        {
            _insert.Parameters[0].Value = userId;
            _insert.Parameters[1].Value = paperId;
            _insert.Parameters[2].Value = now;
            _insert.ExecuteNonQuery();
        }

        public int Recount(long paperId)
        {
            _recount.Parameters[0].Value = paperId;
            return Convert.ToInt32(_recount.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            _delete.Dispose();
            _insert.Dispose();
            _recount.Dispose();
            Connection.Dispose();
        }
    }
}
