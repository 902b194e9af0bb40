using Microsoft.AspNetCore.Mvc.Core.Infrastructure;
using Microsoft.AspNetCore.Mvc.Filters;

namespace DailyPapers.Community;

/// <summary>
/// A refusal for going over a limit, said the same way everywhere: 429 with Retry-After set to the real wait, and a
/// sentence on which limit it was and how long to wait, as problem details for the API or as the styled status page.
/// </summary>
public sealed record TooManyRequests(string Reason, TimeSpan Wait)
{
    /// <summary>"… Try again in 7 minutes (after 15:42 UTC)."</summary>
    public string Detail(DateTimeOffset now) =>
        $"{Reason} Try again in {RateBudget.Describe(Wait)} (after {now + Wait + TimeSpan.FromSeconds(59):HH:mm} UTC).";

    /// <summary>Answers the request: problem details under /api, otherwise an empty 429 that the status page (/status/429) fills in.</summary>
    public async Task WriteAsync(HttpContext http, CancellationToken ct)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = RateBudget.RetryAfterHeader(Wait);
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        if (http.Request.Path.StartsWithSegments("/api"))
        {
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = 429, Title = "Too many requests", Detail = Detail(now), Extensions = { ["retryAfterSeconds"] = (int)Math.Ceiling(Wait.TotalSeconds) } },
            });
            return;
        }
        http.Items[typeof(TooManyRequests)] = this;
    }

    /// <summary>What the status page shows for a 429 re-executed from <see cref="WriteAsync"/>, if that is where it came from.</summary>
    public static TooManyRequests? Of(HttpContext http) => http.Items[typeof(TooManyRequests)] as TooManyRequests;
}

/// <summary>
/// A form whose antiforgery token is missing or wrong gets 403 and a page that says what to do, not a bare 400. A body
/// that is not a readable form at all (the form reader refuses %00, say) stays a 400: no token could be checked.
/// </summary>
public sealed class AntiforgeryFailurePage : IAsyncAlwaysRunResultFilter
{
    public static readonly object Marker = new();

    public async Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
    {
        if (context.Result is IAntiforgeryValidationFailedResult && await FormIsReadableAsync(context.HttpContext))
        {
            context.HttpContext.Items[Marker] = true;
            context.Result = new Microsoft.AspNetCore.Mvc.StatusCodeResult(StatusCodes.Status403Forbidden);
        }
        await next();
    }

    private static async Task<bool> FormIsReadableAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType) return true;
        try
        {
            await http.Request.ReadFormAsync(http.RequestAborted);
            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    public static bool Failed(HttpContext http) => http.Items.ContainsKey(Marker);
}
