using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DailyPapers.Pages;

/// <summary>The page shown for any status code without a page of its own (unknown URLs, server errors).</summary>
public sealed class StatusModel : PageModel
{
    /// <summary>An <c>HttpContext.Items</c> key: what a middleware that answered 400 without a page wants the page to say.</summary>
    public const string DetailItem = "dp.status-detail";

    public ProblemView Problem { get; private set; } = ProblemView.NotFound("");

    public void OnGet(int code)
    {
        Problem = code switch
        {
            404 => ProblemView.NotFound("There is nothing at this address. Check the link, or start from today's papers."),
            400 => ProblemView.BadRequest(HttpContext.Items[DetailItem] as string ?? "The request could not be understood."),
            429 => new ProblemView(429, "Too many requests", "Please wait a moment and try again."),
            >= 500 => new ProblemView(code, "Something went wrong", "The server could not complete this request. Nothing was changed; please try again."),
            _ => new ProblemView(code, $"Error {code}", "The request could not be completed."),
        };
        // Only requests re-executed from another status keep it; a direct visit to /status/N is an ordinary page.
        if (HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null)
            Response.StatusCode = code;
    }
}
