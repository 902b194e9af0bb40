using System.Net;
using Microsoft.Extensions.Options;

namespace DailyPapers.Ingest;

/// <summary>A request to arXiv failed for good (after retries, or in a way retrying cannot fix).</summary>
public sealed class ArxivHttpException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>For a person waiting on a page: what went wrong, without URLs or internals.</summary>
    public string Reason { get; init; } = "arXiv could not be reached";
}

/// <summary>
/// The one door to arXiv shared by every source (OAI-PMH, API, RSS): one request at a time, spaced by
/// <see cref="ArxivSettings.MinSpacing"/>, a descriptive User-Agent, Retry-After honoured, exponential backoff
/// with jitter, a per-request timeout, a size cap, a stop after repeated failures, and no redirect to a host
/// other than the configured ones. Look-ups someone waits for go through <see cref="GetInteractiveAsync"/>.
/// </summary>
public sealed class ArxivHttp : IDisposable
{
    /// <summary>Redirect hops followed per request (all on configured hosts); arXiv itself needs at most one (http → https).</summary>
    private const int MaxRedirects = 3;

    private readonly HttpClient _client;
    private readonly ArxivSettings _options;
    private readonly TimeProvider _time;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly HashSet<string> _hosts;
    // Held for one attempt (spacing wait and request), not across a retry's backoff, so that a look-up someone waits for
    // is not queued behind a harvest's retries; the backoff itself is shared through _notBefore.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _pause = new();
    private DateTimeOffset? _lastStart;
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;

    public ArxivHttp(IOptions<ArxivSettings> options, TimeProvider time) : this(options.Value, time, null, null) { }

    /// <param name="delay">How to wait; tests pass one that advances a virtual clock instead of sleeping.</param>
    public ArxivHttp(ArxivSettings options, TimeProvider? time = null, Func<TimeSpan, CancellationToken, Task>? delay = null, HttpMessageHandler? handler = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _delay = delay ?? ((d, ct) => Task.Delay(d, _time, ct));
        _hosts = new[] { options.OaiBaseUrl, options.ApiBaseUrl, options.RssBaseUrl }
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Host : null).OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        _client = new HttpClient(handler ?? new SocketsHttpHandler
        {
            // One connection at a time to arXiv, as its terms ask.
            MaxConnectionsPerServer = 1,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // Redirects are followed by hand, and only to the configured hosts (SendFollowingAsync).
            AllowAutoRedirect = false,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
    }

    public ArxivSettings Options => _options;

    /// <summary>GETs <paramref name="url"/> and returns the body, retrying transient failures politely.</summary>
    public async Task<byte[]> GetAsync(Uri url, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            Attempt result;
            await _gate.WaitAsync(ct);
            try
            {
                await WaitForTurnAsync(ct);
                result = await AttemptAsync(url, _options.RequestTimeout, ct);
            }
            finally
            {
                _gate.Release();
            }
            if (result.Body is { } body) return body;
            if (attempt >= _options.MaxAttempts)
                throw new ArxivHttpException($"{url} failed {attempt} times; last: {result.Problem}") { Reason = Describe(result) };
            var wait = result.RetryAfter is { } ra ? Clamp(ra) : Backoff(attempt);
            PauseUntil(_time.GetUtcNow() + wait);
            await _delay(wait, ct);
        }
    }

    /// <summary>
    /// One attempt within <see cref="ArxivSettings.InteractiveTimeout"/> in all, for a person waiting on a page: no retries,
    /// and a clear failure rather than a wait past the deadline behind a harvest's request or a pause arXiv asked for.
    /// </summary>
    public async Task<byte[]> GetInteractiveAsync(Uri url, CancellationToken ct)
    {
        var budget = _options.InteractiveTimeout;
        var deadline = _time.GetUtcNow() + budget;
        var seconds = budget == TimeSpan.FromSeconds(1) ? "1 second" : $"{budget.TotalSeconds:0.#} seconds";
        using var timeout = new CancellationTokenSource(budget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await _gate.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ArxivHttpException($"{url}: another request to arXiv was still waiting for its answer after {seconds}")
                { Reason = $"arXiv did not answer within {seconds} (it is slow or unreachable just now)" };
        }
        try
        {
            var turn = NextTurn();
            if (turn > deadline)
                throw new ArxivHttpException($"{url}: arXiv asked for a pause until {turn:u}")
                    { Reason = $"arXiv asked us to pause for {Math.Ceiling((turn - _time.GetUtcNow()).TotalMinutes):0} minutes" };
            await WaitForTurnAsync(linked.Token);
            var result = await AttemptAsync(url, deadline - _time.GetUtcNow(), linked.Token);
            if (result.RetryAfter is { } ra) PauseUntil(_time.GetUtcNow() + Clamp(ra));
            if (result.Body is { } body) return body;
            throw new ArxivHttpException($"{url}: {result.Problem}")
                { Reason = result.TimedOut ? $"arXiv did not answer within {seconds}" : Describe(result) };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ArxivHttpException($"{url}: no answer within {seconds}") { Reason = $"arXiv did not answer within {seconds}" };
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The outcome of one attempt: a body, or what went wrong and how long arXiv asked to wait. Permanent failures throw.</summary>
    private sealed record Attempt(byte[]? Body, string? Problem, TimeSpan? RetryAfter, bool TimedOut = false);

    private async Task<Attempt> AttemptAsync(Uri url, TimeSpan requestTimeout, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(requestTimeout);
            using var response = await SendFollowingAsync(url, timeout.Token);
            if (response.IsSuccessStatusCode)
                return new(await ReadCappedAsync(response, url, timeout.Token), null, null);

            var status = (int)response.StatusCode;
            var problem = $"HTTP {status} {response.ReasonPhrase}";
            bool transient = status is 429 or 408 || status >= 500;
            if (!transient) throw new ArxivHttpException($"{url} answered {problem}") { Reason = $"arXiv answered {problem}" };
            return new(null, problem, RetryAfter(response));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // IOException: the connection broke while the body was being read.
            return new(null, ex.Message, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(null, $"no answer within {requestTimeout.TotalSeconds:0} s", null, TimedOut: true);
        }
    }

    private static string Describe(Attempt a) =>
        a.TimedOut ? "arXiv did not answer in time"
        : a.Problem is { } p && p.StartsWith("HTTP ", StringComparison.Ordinal) ? $"arXiv answered {p}"
        : "arXiv could not be reached";

    /// <summary>Sends the GET, following redirects by hand: only to a configured arXiv host, and never from https down to http.</summary>
    private async Task<HttpResponseMessage> SendFollowingAsync(Uri url, CancellationToken ct)
    {
        for (int hop = 0; ; hop++)
        {
            var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if ((int)response.StatusCode is < 300 or > 399 || response.Headers.Location is not { } location) return response;
            response.Dispose();
            var next = location.IsAbsoluteUri ? location : new Uri(url, location);
            if (!_hosts.Contains(next.Host) || next.Scheme is not ("http" or "https") || (url.Scheme == "https" && next.Scheme == "http"))
                throw new ArxivHttpException($"{url} redirected to {next}, which is not one of the configured arXiv hosts ({string.Join(", ", _hosts.Order())}); " +
                    "not followed. If that address is right, configure it (Arxiv__OaiBaseUrl, Arxiv__ApiBaseUrl or Arxiv__RssBaseUrl).")
                    { Reason = "arXiv answered with a redirect to another site" };
            if (hop >= MaxRedirects)
                throw new ArxivHttpException($"{url} redirected more than {MaxRedirects} times") { Reason = "arXiv answered with too many redirects" };
            url = next;
        }
    }

    private DateTimeOffset NextTurn()
    {
        var spaced = _lastStart is { } last ? last + _options.MinSpacing : DateTimeOffset.MinValue;
        lock (_pause) return spaced > _notBefore ? spaced : _notBefore;
    }

    private async Task WaitForTurnAsync(CancellationToken ct)
    {
        var wait = NextTurn() - _time.GetUtcNow();
        if (wait > TimeSpan.Zero) await _delay(wait, ct);
        _lastStart = _time.GetUtcNow();
    }

    /// <summary>No request before <paramref name="until"/>, whoever asks: arXiv asked for a pause, or a failure is being backed off.</summary>
    private void PauseUntil(DateTimeOffset until)
    {
        lock (_pause) if (until > _notBefore) _notBefore = until;
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
