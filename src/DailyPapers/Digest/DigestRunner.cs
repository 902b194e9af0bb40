using System.Collections.Concurrent;
using System.Net.Sockets;
using DailyPapers.Data;
using DailyPapers.Mail;
using DailyPapers.Papers;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace DailyPapers.Digest;

/// <summary>What to send: an edition's frequency and a day in its period (the latest listing day when null).</summary>
public sealed record DigestRequest(DigestFrequency Frequency, DateOnly? Date = null, string? DryRunDir = null);

public enum DigestOutcome { NoPapers, Complete, AlreadyComplete, Incomplete, Busy, DryRun }

public sealed record DigestResult(DigestOutcome Outcome, string Key, int Recipients, int Sent, int Rejected, int Skipped, string? Error = null)
{
    public override string ToString() =>
        $"{Key}: {Outcome.ToString().ToLowerInvariant()} (recipients {Recipients}, sent {Sent}, rejected {Rejected}, skipped {Skipped})" +
        (Error is null ? "" : $": {Error}");
}

/// <summary>
/// Sends one digest edition to every confirmed subscriber of its frequency: the one operation behind the scheduler,
/// the CLI and the admin page. A ledger row per recipient is marked sent only after the SMTP server accepted the
/// message, so a run interrupted anywhere resumes where it stopped; a lease keeps two nodes off one run.
/// </summary>
public sealed class DigestRunner(DatabaseSettings db, IOptions<DigestSettings> options, IOptions<MailSettings> mail, DigestMail compose, ILogger<DigestRunner> log,
    Search.SearchEngine? searchEngine = null)
{
    private readonly DigestSettings _settings = options.Value;
    private readonly string _node = $"{Host}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>This machine's name as it goes into a lease owner ("host:pid:guid"); 60 characters keep the owner within its column.</summary>
    private static string Host => Environment.MachineName[..Math.Min(60, Environment.MachineName.Length)];

    public async Task<DigestResult> SendAsync(DigestRequest request, CancellationToken ct = default)
    {
        await using var ctx = db.CreateContext();
        var date = request.Date ?? await PaperLists.LatestDayAsync(ctx, ct) ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var edition = await DigestPapers.EditionAsync(ctx, request.Frequency, date, _settings.TopPapers, ct);
        if (edition.Top.Count == 0) return new DigestResult(DigestOutcome.NoPapers, edition.Key, 0, 0, 0, 0, "no papers were listed in the period");
        if (request.DryRunDir is { } dir) return await DryRunAsync(ctx, edition, dir, ct);

        var run = await GetOrCreateRunAsync(ctx, edition, ct);
        if (run.Status == RunStatus.Complete) return Result(DigestOutcome.AlreadyComplete, run);
        if (!await ClaimAsync(ctx, run.Id, ct)) return Result(DigestOutcome.Busy, run, "another process is sending this digest");

        try
        {
            await EnqueueRecipientsAsync(ctx, run, edition.Frequency, ct);
            var (outcome, error) = await DeliverAsync(ctx, run, edition, ct);
            var final = await FinishAsync(ctx, run.Id, outcome == DigestOutcome.Complete ? RunStatus.Complete : RunStatus.Incomplete, error, CancellationToken.None);
            log.LogInformation("Digest {Result}", Result(outcome, final, error));
            return Result(outcome, final, error);
        }
        catch (OperationCanceledException)
        {
            await FinishAsync(ctx, run.Id, RunStatus.Incomplete, "interrupted", CancellationToken.None);
            throw;
        }
    }

    private static DigestResult Result(DigestOutcome o, DigestRun r, string? error = null) =>
        new(o, r.Key, r.Recipients, r.Sent, r.Rejected, r.Skipped, error);

    private static async Task<DigestRun> GetOrCreateRunAsync(AppDbContext ctx, DigestEdition e, CancellationToken ct)
    {
        var run = await ctx.Set<DigestRun>().FirstOrDefaultAsync(r => r.Key == e.Key, ct);
        if (run is not null) return run;
        run = new DigestRun { Key = e.Key, Frequency = e.Frequency, PeriodStart = e.Period.Start, PeriodEnd = ListPeriod.Plus(e.Period.Last, 1), StartedAt = DateTime.UtcNow };
        ctx.Add(run);
        try
        {
            await ctx.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node created it first: the unique key makes the edition one run.
            ctx.ChangeTracker.Clear();
        }
        return await ctx.Set<DigestRun>().SingleAsync(r => r.Key == e.Key, ct);
    }

    private async Task<bool> ClaimAsync(AppDbContext ctx, long runId, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var until = now.AddSeconds(_settings.LeaseSeconds);
        if (await ctx.Set<DigestRun>()
            .Where(r => r.Id == runId && r.Status != RunStatus.Complete && (r.LeaseOwner == null || r.LeaseOwner == _node || r.LeaseUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseOwner, _node).SetProperty(r => r.LeaseUntil, until).SetProperty(r => r.Status, RunStatus.Running), ct) == 1)
            return true;
        // A live lease of a process on this machine that no longer runs (killed with -9, say) is free at once; the
        // owner in the WHERE makes taking it over atomic. Other machines' leases are only ever free by time.
        var owner = await ctx.Set<DigestRun>().Where(r => r.Id == runId && r.Status != RunStatus.Complete).Select(r => r.LeaseOwner).FirstOrDefaultAsync(ct);
        if (owner is null || !HolderIsGone(owner)) return false;
        log.LogWarning("Digest run {RunId} was leased by {Owner}, a process on this machine that is gone; taking it over", runId, owner);
        return await ctx.Set<DigestRun>()
            .Where(r => r.Id == runId && r.Status != RunStatus.Complete && r.LeaseOwner == owner)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseOwner, _node).SetProperty(r => r.LeaseUntil, until).SetProperty(r => r.Status, RunStatus.Running), ct) == 1;
    }

    /// <summary>True when a lease owner ("host:pid:guid") names this machine and a process id that no longer exists.</summary>
    internal static bool HolderIsGone(string owner)
    {
        var parts = owner.Split(':');
        if (parts.Length != 3 || parts[0] != Host || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var pid)) return false;
        if (pid == Environment.ProcessId) return false; // another runner in this very process: alive
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no process has that id
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>One pending ledger row per confirmed subscriber not yet in the run; set-based, so 100k rows are one statement.</summary>
    /// <remarks>ON CONFLICT rather than NOT EXISTS: PostgreSQL rescans the rows the statement itself inserted for every
    /// NOT EXISTS probe, which made 100k subscribers take minutes (quadratic).</remarks>
    private static async Task EnqueueRecipientsAsync(AppDbContext ctx, DigestRun run, DigestFrequency frequency, CancellationToken ct)
    {
        var f = frequency.ToString();
        var confirmed = nameof(SubscriptionState.Confirmed);
        var pending = nameof(DeliveryState.Pending);
        await ctx.Database.ExecuteSqlAsync($"""
            INSERT INTO digest_deliveries ("RunId", "SubscriptionId", "State", "Attempts")
            SELECT {run.Id}, s."Id", {pending}, 0 FROM digest_subscriptions s
            WHERE s."State" = {confirmed} AND s."Frequency" = {f}
            ON CONFLICT ("RunId", "SubscriptionId") DO NOTHING
            """, ct);
    }

    private sealed record Pending(long DeliveryId, long SubscriptionId, string Email, SubscriptionState State, string Categories, string Keywords, string Authors, int BounceCount);

    private async Task<(DigestOutcome, string?)> DeliverAsync(AppDbContext ctx, DigestRun run, DigestEdition edition, CancellationToken ct)
    {
        // Several SMTP connections, each with its own database context: a message's cost is mostly waiting on
        // round trips, so two connections nearly double throughput. At most one message per connection is in flight.
        int workers = _settings.SendConcurrency;
        var senders = new MailSender[workers];
        var contexts = new AppDbContext[workers];
        for (int w = 0; w < workers; w++) { senders[w] = new MailSender(mail); contexts[w] = db.CreateContext(); }
        try
        {
            var topIds = edition.Top.Select(p => p.Id).ToHashSet();
            var matchCache = new ConcurrentDictionary<string, List<DigestPaper>>(StringComparer.Ordinal);
            long lastId = 0;
            while (true)
            {
                var batch = await (
                    from d in ctx.Set<DigestDelivery>()
                    join s in ctx.Set<Subscription>() on d.SubscriptionId equals s.Id
                    where d.RunId == run.Id && d.State == DeliveryState.Pending && d.Id > lastId
                    orderby d.Id
                    select new Pending(d.Id, s.Id, s.Email, s.State, s.Categories, s.Keywords, s.Authors, s.BounceCount))
                    .Take(_settings.BatchSize).ToListAsync(ct);
                if (batch.Count == 0) return (DigestOutcome.Complete, null);
                lastId = batch[^1].DeliveryId;

                var errors = await Task.WhenAll(Enumerable.Range(0, workers).Select(w =>
                    DeliverSliceAsync(contexts[w], senders[w], batch.Where((_, i) => i % workers == w), edition, topIds, matchCache, ct)));
                await UpdateCountsAsync(ctx, run.Id, ct);
                if (errors.FirstOrDefault(e => e is not null) is { } error) return (DigestOutcome.Incomplete, error);
                if (!await ClaimAsync(ctx, run.Id, ct)) return (DigestOutcome.Busy, "lost the lease to another process");
            }
        }
        finally
        {
            foreach (var s in senders) await s.DisposeAsync();
            foreach (var c in contexts) await c.DisposeAsync();
        }
    }

    /// <summary>Sends one connection's share of a batch; returns an error when the SMTP server stayed unavailable.</summary>
    private async Task<string?> DeliverSliceAsync(AppDbContext ctx, MailSender sender, IEnumerable<Pending> slice, DigestEdition edition,
        HashSet<long> topIds, ConcurrentDictionary<string, List<DigestPaper>> matchCache, CancellationToken ct)
    {
        foreach (var p in slice)
        {
            if (p.State != SubscriptionState.Confirmed)
            {
                await MarkAsync(ctx, p.DeliveryId, DeliveryState.Skipped, "subscription " + p.State.ToString().ToLowerInvariant(), ct);
                continue;
            }
            var matches = await MatchesAsync(ctx, edition, topIds, p, matchCache, ct);
            var message = compose.Digest(edition, new DigestRecipient(p.SubscriptionId, p.Email), matches);
            var (accepted, error, permanent) = await SendWithRetryAsync(sender, message, ct);
            if (accepted)
            {
                await MarkAsync(ctx, p.DeliveryId, DeliveryState.Sent, null, ct);
                if (p.BounceCount > 0)
                    await ctx.Set<Subscription>().Where(s => s.Id == p.SubscriptionId).ExecuteUpdateAsync(u => u.SetProperty(s => s.BounceCount, 0), ct);
            }
            else if (permanent)
            {
                await MarkAsync(ctx, p.DeliveryId, DeliveryState.Rejected, error, ct);
                await RecordBounceAsync(ctx, p.SubscriptionId, ct);
            }
            else
            {
                return error;
            }
        }
        return null;
    }

    private async Task<IReadOnlyList<DigestPaper>> MatchesAsync(AppDbContext ctx, DigestEdition edition, HashSet<long> topIds, Pending p, ConcurrentDictionary<string, List<DigestPaper>> cache, CancellationToken ct)
    {
        var prefs = new Subscription { Email = p.Email, Categories = p.Categories, Keywords = p.Keywords, Authors = p.Authors };
        var search = searchEngine is null ? null : new Search.PaperSearch(searchEngine, ctx);
        if (await DigestPapers.ForMemberAsync(ctx, search, edition.Period, prefs, topIds, _settings.MatchedPapers, ct) is { } personal) return personal;
        if (!prefs.HasPreferences) return [];
        var key = $"{p.Categories}\u0001{p.Authors}\u0001{p.Keywords}";
        if (cache.TryGetValue(key, out var hit)) return hit;
        var found = await DigestPapers.MatchesAsync(ctx, edition.Period, prefs, topIds, _settings.MatchedPapers, ct);
        if (cache.Count > 10_000) cache.Clear(); // bounds memory when nearly everyone has their own preferences
        cache[key] = found;
        return found;
    }

    /// <summary>Hands one message over; transient failures are retried with doubling delays until the server has been unreachable for RetryForSeconds.</summary>
    private async Task<(bool Accepted, string? Error, bool Permanent)> SendWithRetryAsync(MailSender sender, MimeMessage message, CancellationToken ct)
    {
        DateTime? failingSince = null;
        var delay = TimeSpan.FromSeconds(_settings.RetryFirstDelaySeconds);
        while (true)
        {
            try
            {
                await sender.SendAsync(message, ct);
                return (true, null, false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500 && ex.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted)
            {
                await sender.ResetAsync();
                return (false, $"{(int)ex.StatusCode} {ex.Message}", true);
            }
            catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
            {
                // The server refuses our sender address: retrying cannot help and bouncing every recipient would be wrong.
                await sender.ResetAsync();
                return (false, $"{(int)ex.StatusCode} {ex.Message}", false);
            }
            catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or IOException or SocketException
                                         or ServiceNotConnectedException or TimeoutException or OperationCanceledException)
            {
                await sender.ResetAsync();
                failingSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - failingSince > TimeSpan.FromSeconds(_settings.RetryForSeconds))
                    return (false, "SMTP server unavailable: " + ex.Message, false);
                log.LogWarning("SMTP send failed ({Error}); retrying in {Delay}", ex.Message, delay);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(_settings.RetryMaxDelaySeconds).Ticks));
            }
        }
    }

    private static Task MarkAsync(AppDbContext ctx, long deliveryId, DeliveryState state, string? error, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        if (error is { Length: > 1000 }) error = error[..1000];
        return ctx.Set<DigestDelivery>().Where(d => d.Id == deliveryId).ExecuteUpdateAsync(u => u
            .SetProperty(d => d.State, state)
            .SetProperty(d => d.Attempts, d => d.Attempts + 1)
            .SetProperty(d => d.SentAt, state == DeliveryState.Sent ? now : null)
            .SetProperty(d => d.Error, error), ct);
    }

    private async Task RecordBounceAsync(AppDbContext ctx, long subscriptionId, CancellationToken ct)
    {
        await ctx.Set<Subscription>().Where(s => s.Id == subscriptionId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.BounceCount, s => s.BounceCount + 1), ct);
        var threshold = _settings.BounceThreshold;
        await ctx.Set<Subscription>().Where(s => s.Id == subscriptionId && s.State == SubscriptionState.Confirmed && s.BounceCount >= threshold)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.State, SubscriptionState.Bouncing), ct);
    }

    private static async Task UpdateCountsAsync(AppDbContext ctx, long runId, CancellationToken ct)
    {
        var counts = await ctx.Set<DigestDelivery>().Where(d => d.RunId == runId)
            .GroupBy(d => d.State).Select(g => new { State = g.Key, N = g.Count() }).ToListAsync(ct);
        int Of(DeliveryState s) => counts.FirstOrDefault(c => c.State == s)?.N ?? 0;
        int total = counts.Sum(c => c.N), sent = Of(DeliveryState.Sent), rejected = Of(DeliveryState.Rejected), skipped = Of(DeliveryState.Skipped);
        await ctx.Set<DigestRun>().Where(r => r.Id == runId).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Recipients, total).SetProperty(r => r.Sent, sent)
            .SetProperty(r => r.Rejected, rejected).SetProperty(r => r.Skipped, skipped), ct);
    }

    private async Task<DigestRun> FinishAsync(AppDbContext ctx, long runId, RunStatus status, string? error, CancellationToken ct)
    {
        await UpdateCountsAsync(ctx, runId, ct);
        DateTime? finished = status == RunStatus.Complete ? DateTime.UtcNow : null;
        if (error is { Length: > 2000 }) error = error[..2000];
        await ctx.Set<DigestRun>().Where(r => r.Id == runId && r.LeaseOwner == _node).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Status, status).SetProperty(r => r.FinishedAt, finished).SetProperty(r => r.LastError, error)
            .SetProperty(r => r.LeaseOwner, (string?)null).SetProperty(r => r.LeaseUntil, (DateTime?)null), ct);
        return await ctx.Set<DigestRun>().SingleAsync(r => r.Id == runId, ct);
    }

    /// <summary>Writes each confirmed subscriber's message as an .eml file; touches neither the ledger nor the SMTP server.</summary>
    private async Task<DigestResult> DryRunAsync(AppDbContext ctx, DigestEdition edition, string dir, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var topIds = edition.Top.Select(p => p.Id).ToHashSet();
        var cache = new ConcurrentDictionary<string, List<DigestPaper>>(StringComparer.Ordinal);
        long lastId = 0;
        int written = 0;
        while (true)
        {
            var batch = await ctx.Set<Subscription>()
                .Where(s => s.State == SubscriptionState.Confirmed && s.Frequency == edition.Frequency && s.Id > lastId)
                .OrderBy(s => s.Id).Take(_settings.BatchSize)
                .Select(s => new Pending(0, s.Id, s.Email, s.State, s.Categories, s.Keywords, s.Authors, s.BounceCount))
                .ToListAsync(ct);
            if (batch.Count == 0) break;
            foreach (var p in batch)
            {
                lastId = p.SubscriptionId;
                var matches = await MatchesAsync(ctx, edition, topIds, p, cache, ct);
                var msg = compose.Digest(edition, new DigestRecipient(p.SubscriptionId, p.Email), matches);
                await msg.WriteToAsync(Path.Combine(dir, $"{edition.Key.Replace(':', '-')}-{p.SubscriptionId}.eml"), ct);
                written++;
            }
        }
        return new DigestResult(DigestOutcome.DryRun, edition.Key, written, 0, 0, 0);
    }
}
