using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace DailyPapers.Search;

/// <summary>
/// Dedicated threads for background work (model calls, the keyword index's bulk build), optionally at the lowest CPU
/// priority. The background worker runs on them so that it can use every core while it has a backlog and still leave
/// each core to a request the moment one wants it (Linux nice 19 per thread: the scheduler then gives a request's
/// thread about 98 % of a contended core). Pool threads cannot be used: their priority would carry over to the
/// requests they serve next, and raising it back needs privileges.
/// </summary>
internal sealed class CallThreads : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread[] _threads;

    public CallThreads(int count, bool lowPriority, string name = "embedding")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            _threads[i] = new Thread(() =>
            {
                if (lowPriority) LowerPriority();
                foreach (var work in _work.GetConsumingEnumerable()) work();
            })
            { IsBackground = true, Name = $"{name}-{i}", Priority = lowPriority ? ThreadPriority.Lowest : ThreadPriority.Normal };
            _threads[i].Start();
        }
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="parallel"/> of the threads at once and waits for all of them.</summary>
    public void Run(int parallel, Action body)
    {
        parallel = Math.Clamp(parallel, 1, _threads.Length);
        using var done = new CountdownEvent(parallel);
        var errors = new ConcurrentQueue<Exception>();
        for (int i = 0; i < parallel; i++)
            _work.Add(() =>
            {
                try { body(); }
                catch (Exception ex) { errors.Enqueue(ex); }
                finally { done.Signal(); }
            });
        done.Wait();
        if (!errors.IsEmpty)
        {
            var first = errors.FirstOrDefault(e => e is OperationCanceledException) ?? errors.First();
            if (errors.Count == 1 || first is OperationCanceledException) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            throw new AggregateException(errors);
        }
    }

    /// <summary>Nice 19 for the calling thread on Linux (a thread's own nice value there); the thread priority elsewhere.</summary>
    private static void LowerPriority()
    {
        if (!OperatingSystem.IsLinux()) return; // Thread.Priority (set above) is what Windows and macOS honour
        try { _ = setpriority(0 /* PRIO_PROCESS: with a thread id, that thread */, gettid(), 19); }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException) { }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    private static extern int gettid();

    public void Dispose()
    {
        _work.CompleteAdding();
        foreach (var t in _threads) t.Join();
        _work.Dispose();
    }
}
