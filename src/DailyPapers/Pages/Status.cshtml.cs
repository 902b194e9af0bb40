using DailyPapers.Community;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DailyPapers.Pages;

/// <summary>The page shown for any status code without a page of its own (unknown URLs, forged forms, limits, server errors).</summary>
/// <remarks>A refused POST is re-executed here as a POST: it is answered like a GET, without checking a form token again.</remarks>
[IgnoreAntiforgeryToken]
public sealed class StatusModel(TimeProvider clock) : PageModel
{
    /// <summary>An <c>HttpContext.Items</c> key: what a middleware that answered 400 without a page wants the page to say.</summary>
    public const string DetailItem = "dp.status-detail";

    public ProblemView Problem { get; private set; } = ProblemView.NotFound("");

    // The code comes from the route, not model binding: a re-executed POST may carry a body that can't be read as a form.
    public void OnPost() => OnGet(RouteCode());

    public void OnGet(int code)
    {
        if (code is < 100 or > 599) code = RouteCode();
        Problem = code switch
        {
            404 => ProblemView.NotFound("There is nothing at this address. Check the link, or start from today's papers."),
            400 => ProblemView.BadRequest(HttpContext.Items[DetailItem] as string ?? "The request could not be understood."),
            403 when AntiforgeryFailurePage.Failed(HttpContext) => new ProblemView(403, "This form could not be accepted",
                "It had expired or was not sent from a page of this site (its security token is missing or out of date). Nothing was changed: go back, reload the page and send it again."),
            403 => new ProblemView(403, "Not allowed", "You don't have permission to do that."),
            429 when TooManyRequests.Of(HttpContext) is { } limit => new ProblemView(429, "Too many requests", limit.Detail(clock.GetUtcNow())),
            429 => new ProblemView(429, "Too many requests", "Please wait a moment and try again."),
            413 => new ProblemView(413, "Upload too large", HttpContext.Items[DetailItem] as string ?? "The upload is larger than this site accepts. Nothing was saved."),
            >= 500 => new ProblemView(code, "Something went wrong", "The server could not complete this request. Nothing was changed; please try again."),
            _ => new ProblemView(code, $"Error {code}", "The request could not be completed."),
        };
        // Only requests re-executed from another status keep it; a direct visit to /status/N is an ordinary page.
        if (HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null)
            Response.StatusCode = code;
    }

    private int RouteCode() =>
        int.TryParse(RouteData.Values["code"]?.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var c) && c is >= 100 and <= 599 ? c : 500;
}
