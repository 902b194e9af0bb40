using System.Net;
using Microsoft.Extensions.Options;

namespace DailyPapers.Ingest;

/// <summary>A request to arXiv failed for good (after retries, or in a way retrying cannot fix).</summary>
public sealed class ArxivHttpException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The one door to arXiv shared by every source (OAI-PMH, API, RSS): one request at a time, spaced by
/// <see cref="ArxivOptions.MinSpacing"/>, a descriptive User-Agent, Retry-After honoured, exponential backoff
/// with jitter, a per-request timeout, a size cap, and a stop after repeated failures.
/// </summary>
public sealed class ArxivHttp : IDisposable
{
    private readonly HttpClient _client;
    private readonly ArxivOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset? _lastStart;

    public ArxivHttp(IOptions<ArxivOptions> options, TimeProvider time) : this(options.Value, time, null, null) { }

    /// <param name="delay">How to wait; tests pass one that advances a virtual clock instead of sleeping.</param>
    public ArxivHttp(ArxivOptions options, TimeProvider? time = null, Func<TimeSpan, CancellationToken, Task>? delay = null, HttpMessageHandler? handler = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _delay = delay ?? ((d, ct) => Task.Delay(d, _time, ct));
        _client = new HttpClient(handler ?? new SocketsHttpHandler
        {
            // One connection at a time to arXiv, as its terms ask.
            MaxConnectionsPerServer = 1,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = true,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
    }

    public ArxivOptions Options => _options;

    /// <summary>GETs <paramref name="url"/> and returns the body, retrying transient failures politely.</summary>
    public async Task<byte[]> GetAsync(Uri url, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            string? lastProblem = null;
            for (int attempt = 1; ; attempt++)
            {
                await WaitForSpacingAsync(ct);
                TimeSpan? retryAfter = null;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(_options.RequestTimeout);
                    using var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                    if (response.IsSuccessStatusCode)
                        return await ReadCappedAsync(response, url, timeout.Token);

                    var status = (int)response.StatusCode;
                    lastProblem = $"HTTP {status} {response.ReasonPhrase}";
                    retryAfter = RetryAfter(response);
                    bool transient = status is 429 or 408 || status >= 500;
                    if (!transient) throw new ArxivHttpException($"{url} answered {lastProblem}");
                }
                catch (HttpRequestException ex)
                {
                    lastProblem = ex.Message;
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    lastProblem = $"no answer within {_options.RequestTimeout.TotalSeconds:0} s";
                }
                if (attempt >= _options.MaxAttempts)
                    throw new ArxivHttpException($"{url} failed {attempt} times; last: {lastProblem}");
                await _delay(retryAfter is { } ra ? Clamp(ra) : Backoff(attempt), ct);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task WaitForSpacingAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_lastStart is { } last && now - last < _options.MinSpacing)
            await _delay(_options.MinSpacing - (now - last), ct);
        _lastStart = _time.GetUtcNow();
    }

    private async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, Uri url, CancellationToken ct)
    {
        long cap = _options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is long declared && declared > cap)
            throw new ArxivHttpException($"{url} announced {declared:N0} bytes, over the {cap:N0}-byte cap");
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > cap) throw new ArxivHttpException($"{url} sent more than the {cap:N0}-byte cap");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var h = response.Headers.RetryAfter;
        if (h?.Delta is { } d) return d;
        if (h?.Date is { } date) return date - _time.GetUtcNow();
        return null;
    }

    /// <summary>A server asking for a silly wait (negative, or hours) gets the backoff range instead.</summary>
    private TimeSpan Clamp(TimeSpan t) => t < _options.MinSpacing ? _options.MinSpacing : t > _options.BackoffMax ? _options.BackoffMax : t;

    /// <summary>base·2^(attempt−1), plus up to 50 % jitter so several nodes do not retry in step, capped.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var baseDelay = _options.BackoffBase.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var jittered = baseDelay * (1 + Random.Shared.NextDouble() * 0.5);
        return TimeSpan.FromMilliseconds(Math.Min(jittered, _options.BackoffMax.TotalMilliseconds));
    }

    public void Dispose()
    {
        _client.Dispose();
        _gate.Dispose();
    }
}
