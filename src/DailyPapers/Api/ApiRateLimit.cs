using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DailyPapers.Api;

/// <summary>
/// Fixed-window request limits per client on /api/v1, announced with the IETF RateLimit and RateLimit-Policy headers
/// (draft-ietf-httpapi-ratelimit-headers) and enforced with 429 + Retry-After. Hand-written because ASP.NET Core's
/// rate limiter does not expose the remaining quota and reset time these headers need. Counts are per app node.
/// </summary>
public sealed class ApiRateLimit(IOptions<ApiSettings> options, TimeProvider clock)
{
    private const string PolicyName = "default";
    private readonly ConcurrentDictionary<string, Window> _windows = new();
    private long _lastSweep;

    private sealed class Window { public long Start; public int Count; }

    public readonly record struct Decision(bool Allowed, int Remaining, int ResetSeconds);

    public Decision Acquire(string client)
    {
        var o = options.Value;
        long now = clock.GetUtcNow().ToUnixTimeSeconds();
        long start = now - now % o.RateWindowSeconds;
        var w = _windows.GetOrAdd(client, _ => new Window { Start = start });
        int count;
        lock (w)
        {
            if (w.Start != start) { w.Start = start; w.Count = 0; }
            count = ++w.Count;
        }
        Sweep(start);
        int reset = (int)(start + o.RateWindowSeconds - now);
        return new Decision(count <= o.RatePermits, Math.Max(0, o.RatePermits - count), Math.Max(1, reset));
    }

    /// <summary>Drops windows of clients that have gone quiet, at most once a window.</summary>
    private void Sweep(long currentStart)
    {
        long last = Interlocked.Read(ref _lastSweep);
        if (last == currentStart || Interlocked.CompareExchange(ref _lastSweep, currentStart, last) != last) return;
        foreach (var (key, w) in _windows)
            if (w.Start < currentStart) _windows.TryRemove(key, out _);
    }

    /// <summary>A token is its own client; without one, the remote address is.</summary>
    public static async Task<string> ClientOfAsync(HttpContext ctx)
    {
        // The token scheme need not be the default one (accounts use cookies), so ask it directly; the result is cached per request.
        var auth = await ctx.AuthenticateAsync(ApiTokenAuthenticationHandler.SchemeName);
        return auth.Principal?.FindFirst(ApiTokenAuthenticationHandler.TokenIdClaim)?.Value is { } id
            ? "token:" + id
            : "ip:" + ctx.Connection.RemoteIpAddress;
    }

    /// <summary>Middleware for /api/v1: runs after authentication (to know the token) and before authorization, so failed attempts count too.</summary>
    public static async Task Middleware(HttpContext ctx, RequestDelegate next)
    {
        if (!ctx.Request.Path.StartsWithSegments(ApiSetup.V1Prefix) || HttpMethods.IsOptions(ctx.Request.Method))
        {
            await next(ctx);
            return;
        }
        var limiter = ctx.RequestServices.GetRequiredService<ApiRateLimit>();
        var o = ctx.RequestServices.GetRequiredService<IOptions<ApiSettings>>().Value;
        var d = limiter.Acquire(await ClientOfAsync(ctx));
        var h = ctx.Response.Headers;
        h["RateLimit-Policy"] = $"\"{PolicyName}\";q={o.RatePermits};w={o.RateWindowSeconds}";
        h["RateLimit"] = $"\"{PolicyName}\";r={d.Remaining};t={d.ResetSeconds}";
        if (d.Allowed)
        {
            await next(ctx);
            return;
        }
        ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        h.RetryAfter = d.ResetSeconds.ToString(CultureInfo.InvariantCulture);
        await ctx.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = ctx,
            ProblemDetails =
            {
                Status = 429, Title = "Too many requests",
                Detail = $"This client may make {o.RatePermits} requests every {o.RateWindowSeconds} s; try again in {d.ResetSeconds} s.",
            },
        });
    }
}
