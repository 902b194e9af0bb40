using Microsoft.Net.Http.Headers;

namespace DailyPapers.Community;

/// <summary>
/// Over HTTPS our cookies travel as <c>__Host-dp.*</c> (Secure, Path=/, no Domain: browsers then refuse them
/// from subdomains or plain HTTP). Over plain HTTP (development, tests) a <c>__Host-</c> cookie would be
/// rejected by browsers, so the plain name is used. The rest of the app only ever sees the plain name.
/// </summary>
public sealed class HostPrefixedCookies(RequestDelegate next)
{
    public const string Prefix = "__Host-";
    private const string Ours = "dp.";

    public Task InvokeAsync(HttpContext ctx)
    {
        if (!ctx.Request.IsHttps) return next(ctx);
        var request = ctx.Request.Headers;
        if (request.Cookie.Count > 0)
        {
            // Only prefixed cookies count over HTTPS: an unprefixed dp.* cookie may have been planted by a subdomain.
            var kept = new List<string>();
            foreach (var header in request.Cookie)
                foreach (var part in (header ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (part.StartsWith(Prefix + Ours, StringComparison.Ordinal)) kept.Add(part[Prefix.Length..]);
                    else if (!part.StartsWith(Ours, StringComparison.Ordinal)) kept.Add(part);
                }
            request.Cookie = string.Join("; ", kept);
        }
        ctx.Response.OnStarting(() =>
        {
            var set = ctx.Response.Headers.SetCookie;
            if (set.Count == 0) return Task.CompletedTask;
            var rewritten = new string?[set.Count];
            for (int i = 0; i < set.Count; i++)
                rewritten[i] = set[i] is { } c && c.StartsWith(Ours, StringComparison.Ordinal) ? Prefix + c : set[i];
            ctx.Response.Headers.SetCookie = rewritten;
            return Task.CompletedTask;
        });
        return next(ctx);
    }

    /// <summary>True when a Set-Cookie value meets the browser's rules for a __Host- cookie.</summary>
    public static bool IsValidHostCookie(string setCookie)
    {
        if (!SetCookieHeaderValue.TryParse(setCookie, out var c)) return false;
        return c.Name.Value!.StartsWith(Prefix, StringComparison.Ordinal) && c.Secure && c.Path == "/" && c.Domain.Value is null;
    }
}
