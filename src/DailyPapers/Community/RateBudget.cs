using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;

namespace DailyPapers.Community;

/// <summary>
/// At most <c>permits</c> actions per key in any sliding <c>window</c>, and when the next one is allowed. Kept as the
/// times of the recent actions, so the wait it reports is exact: the framework's limiters report their whole window
/// (a fixed window) or a segment (a sliding one) as Retry-After, which told people to wait a minute under a
/// 15-minute lock. Counts are per app node, like every in-memory limit.
/// </summary>
public sealed class RateBudget(int permits, TimeSpan window, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _recent = new();
    private long _nextSweep;

    public int Permits => permits;
    public TimeSpan Window => window;

    /// <summary>Takes one action for <paramref name="key"/> if the budget allows; otherwise leaves it alone and says how long until it would.</summary>
    public bool TryTake(string key, out TimeSpan retryAfter)
    {
        var now = clock.GetUtcNow();
        Sweep(now);
        while (true)
        {
            var times = _recent.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
            lock (times)
            {
                // A sweep may have dropped this queue between the look-up and the lock: start again with the current one.
                if (!_recent.TryGetValue(key, out var current) || !ReferenceEquals(current, times)) continue;
                while (times.Count > 0 && times.Peek() <= now - window) times.Dequeue();
                if (times.Count < permits)
                {
                    times.Enqueue(now);
                    retryAfter = TimeSpan.Zero;
                    return true;
                }
                // The oldest action in the window leaves it first; one place frees up then.
                retryAfter = times.Peek() + window - now;
                return false;
            }
        }
    }

    /// <summary>Forgets keys whose actions have all left the window, at most once a window.</summary>
    private void Sweep(DateTimeOffset now)
    {
        long next = Interlocked.Read(ref _nextSweep);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextSweep, (now + window).UtcTicks, next) != next) return;
        foreach (var (key, times) in _recent)
        {
            lock (times)
            {
                // Removed under the queue's lock, so a TryTake that holds this queue finishes before it goes.
                if (times.Count == 0 || times.Last() <= now - window) _recent.TryRemove(key, out _);
            }
        }
    }

    /// <summary>"2 minutes", "45 seconds", "1 hour": a wait as a person reads it, rounded up.</summary>
    public static string Describe(TimeSpan wait)
    {
        if (wait <= TimeSpan.FromSeconds(90)) return Plural((int)Math.Ceiling(Math.Max(1, wait.TotalSeconds)), "second");
        if (wait <= TimeSpan.FromMinutes(90)) return Plural((int)Math.Ceiling(wait.TotalMinutes), "minute");
        return Plural((int)Math.Ceiling(wait.TotalHours), "hour");
    }

    /// <summary>The Retry-After value for a wait: whole seconds, rounded up, at least 1.</summary>
    public static string RetryAfterHeader(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string Plural(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";

    /// <summary>This budget as a limiter for one partition of ASP.NET Core's rate limiter, so a rejection carries the exact wait.</summary>
    public RateLimiter For(string key) => new Partition(this, key);

    private sealed class Partition(RateBudget budget, string key) : RateLimiter
    {
        private long _lastUse = Environment.TickCount64;

        public override TimeSpan? IdleDuration => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastUse));

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            Interlocked.Exchange(ref _lastUse, Environment.TickCount64);
            // permitCount 0 asks whether permits are left; the middleware always asks for 1.
            if (permitCount == 0) return new Lease(true, TimeSpan.Zero);
            return budget.TryTake(key, out var wait) ? new Lease(true, TimeSpan.Zero) : new Lease(false, wait);
        }

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken ct) =>
            ValueTask.FromResult(AttemptAcquireCore(permitCount)); // no queueing: a refused request is answered at once
    }

    private sealed class Lease(bool acquired, TimeSpan retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;
        public override IEnumerable<string> MetadataNames => acquired ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = !acquired && metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
