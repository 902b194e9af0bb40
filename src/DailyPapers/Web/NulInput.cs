using System.Reflection;
using DailyPapers.Api;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace DailyPapers.Web;

/// <summary>
/// Refuses input that contains a NUL character (U+0000) with a clear 400, before any handler sees it: nothing in
/// DailyPapers means one, PostgreSQL cannot store one in text (a NUL in a comment or a digest keyword was a 500 there,
/// and so was one in a query compared with a column), and XML cannot carry one.
/// </summary>
public static class NulInput
{
    public const string Message = "The request contains a NUL character (%00 or \\u0000), which no field accepts. Remove it and try again.";

    /// <summary>Checks the path, the query string and form fields (the JSON bodies of the API: <see cref="BodyFilter"/>).</summary>
    public static IApplicationBuilder UseNulInputCheck(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        // The status page re-executed for a refused request sees the same input again: let it explain, not refuse.
        if (ctx.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null) { await next(ctx); return; }
        var r = ctx.Request;
        bool nul = Has(r.Path.Value) || r.Query.Any(q => Has(q.Key) || q.Value.Any(Has));
        if (!nul && r.HasFormContentType)
        {
            if (r.ContentLength is { } length && ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false, MaxRequestBodySize: { } max } limit && length > max)
            {
                // Over Kestrel's request limit (30 MB) the form reader stopped part way, the answer went out while the
                // browser was still sending, and it showed "connection reset". Read the body to its end without
                // keeping it (up to DrainBytes: past that the connection is cut, as before), then say why.
                if (length <= DrainBytes)
                {
                    limit.MaxRequestBodySize = DrainBytes;
                    await r.Body.CopyToAsync(Stream.Null, ctx.RequestAborted);
                }
                await RefuseAsync(ctx, FormattableString.Invariant(
                    $"Nothing was saved: the upload is {length / 1048576.0:0.0} MB, and this site takes at most {max / 1048576.0:0.#} MB in one request (a BibTeX import at most {DailyPapers.Library.BibTexImport.MaxBytes / 1048576} MB)."),
                    StatusCodes.Status413PayloadTooLarge);
                return;
            }
            try
            {
                var form = await r.ReadFormAsync(ctx.RequestAborted);
                nul = form.Any(f => Has(f.Key) || f.Value.Any(Has));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
            {
                // More fields than the form limits allow, or a body cut short: nothing a handler could read either.
                await RefuseAsync(ctx, "The form could not be read (too many fields, or cut short).");
                return;
            }
        }
        if (nul) await RefuseAsync(ctx, Message);
        else await next(ctx);
    });

    /// <summary>An endpoint filter for minimal APIs: refuses a JSON body with a NUL in any of its text.</summary>
    public static EndpointFilterDelegate BodyFilter(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        var bodies = factory.MethodInfo.GetParameters()
            .Select((p, i) => (p, i)).Where(x => x.p.GetCustomAttribute<FromBodyAttribute>() is not null).Select(x => x.i).ToArray();
        if (bodies.Length == 0) return next;
        return async ctx =>
        {
            foreach (var i in bodies)
                if (ContainsNul(ctx.Arguments[i], depth: 0))
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: Message);
            return await next(ctx);
        };
    }

    private static bool Has(string? s) => s is not null && s.Contains('\0');

    /// <summary>The strings of a request body: its text properties, lists of text, and those of nested objects.</summary>
    private static bool ContainsNul(object? value, int depth) => value switch
    {
        null => false,
        string s => Has(s),
        IEnumerable<string?> list => list.Any(Has),
        _ when depth < 3 && value.GetType() is { IsClass: true } t && t.Assembly == typeof(NulInput).Assembly =>
            t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetIndexParameters().Length == 0)
                .Any(p => ContainsNul(p.GetValue(value), depth + 1)),
        _ => false,
    };

    /// <summary>The most a form request over the request limit is read (and thrown away) so that it can be answered with a page.</summary>
    public const long DrainBytes = 256L << 20;

    private static async Task RefuseAsync(HttpContext ctx, string detail, int status = StatusCodes.Status400BadRequest)
    {
        var path = ctx.Request.Path;
        ctx.Response.StatusCode = status;
        if (path.StartsWithSegments(ApiSetup.V1Prefix))
            await ctx.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = ctx,
                ProblemDetails = { Status = status, Title = status == 400 ? "Invalid request" : "Request too large", Detail = detail },
            });
        else if (path.StartsWithSegments("/api"))
            await ctx.Response.WriteAsJsonAsync(new HfError(detail));
        else
            // The status page (re-executed for this empty 400) says why.
            ctx.Items[Pages.StatusModel.DetailItem] = detail;
    }
}
