using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace DailyPapers.Digest;

/// <summary>
/// Sends what is due: the daily digest of today's listing (Monday–Friday, i.e. after the Sunday–Thursday
/// announcements) once the send time has passed, the weekly digest of the previous ISO week on the weekly day,
/// unfinished runs again, and "send now" requests from the admin page. All through <see cref="DigestRunner"/>.
/// </summary>
public sealed class DigestScheduler(DigestRunner runner, IOptions<DigestSettings> options, ILogger<DigestScheduler> log) : BackgroundService
{
    private readonly DigestSettings _settings = options.Value;
    private readonly Channel<DigestRequest> _requests = Channel.CreateUnbounded<DigestRequest>();

    /// <summary>Queues a run; it starts as soon as the scheduler is free.</summary>
    public void Enqueue(DigestRequest request) => _requests.Writer.TryWrite(request);

    /// <summary>The editions due at this moment (UTC); a completed edition is skipped by the runner itself.</summary>
    public static IEnumerable<DigestRequest> Due(DateTime utcNow, DigestSettings s)
    {
        var today = DateOnly.FromDateTime(utcNow);
        if (TimeOnly.FromDateTime(utcNow) < s.DailySendTimeUtc) yield break;
        if (today.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            yield return new DigestRequest(DigestFrequency.Daily, today);
        if (today.DayOfWeek == s.WeeklySendDay)
            yield return new DigestRequest(DigestFrequency.Weekly, today.AddDays(-7));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(_settings.SchedulerIntervalSeconds);
        var nextTick = DateTime.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (_requests.Reader.TryRead(out var request))
                    log.LogInformation("Digest sent on request: {Result}", await runner.SendAsync(request, stoppingToken));
                if (_settings.SchedulerEnabled && DateTime.UtcNow >= nextTick)
                {
                    nextTick = DateTime.UtcNow + interval;
                    foreach (var due in Due(DateTime.UtcNow, _settings))
                    {
                        var result = await runner.SendAsync(due, stoppingToken);
                        if (result.Outcome is DigestOutcome.Complete or DigestOutcome.Incomplete)
                            log.LogInformation("Scheduled digest: {Result}", result);
                    }
                }
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(interval);
                try { await _requests.Reader.WaitToReadAsync(wait.Token); }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A failing database or a bug must not stop the loop for good: log and try again next tick.
                log.LogError(ex, "Digest scheduler tick failed");
                try { await Task.Delay(interval, stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
