using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace DailyPapers.Web;

/// <summary>Strong ETags from the response bytes plus Last-Modified, answering 304 when the client already has them.</summary>
public static class ConditionalGet
{
    /// <summary>Writes <paramref name="body"/> or a 304; the ETag is a digest of the bytes, so it changes exactly when the content does.</summary>
    public static IResult Respond(HttpContext ctx, byte[] body, string contentType, DateTime lastModifiedUtc, string cacheControl)
    {
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12)) + "\"";
        // HTTP dates have whole seconds; compare at that precision.
        var lastModified = new DateTimeOffset(DateTime.SpecifyKind(lastModifiedUtc, DateTimeKind.Utc)).AddTicks(-(lastModifiedUtc.Ticks % TimeSpan.TicksPerSecond));
        var h = ctx.Response.Headers;
        h.ETag = etag;
        h.LastModified = lastModified.ToString("r", CultureInfo.InvariantCulture);
        h.CacheControl = cacheControl;
        return NotModified(ctx.Request, etag, lastModified)
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(body, contentType);
    }

    private static bool NotModified(HttpRequest req, string etag, DateTimeOffset lastModified)
    {
        var ifNoneMatch = req.GetTypedHeaders().IfNoneMatch;
        // RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
        if (ifNoneMatch.Count > 0)
            return ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Tag.Equals(etag, StringComparison.Ordinal));
        return req.GetTypedHeaders().IfModifiedSince is { } since && lastModified <= since;
    }
}
