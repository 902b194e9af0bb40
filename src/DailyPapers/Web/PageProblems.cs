using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DailyPapers.Web;

public static class PageProblems
{
    /// <summary>Renders the page with its problem block and the problem's status code.</summary>
    public static IActionResult ShowProblem(this PageModel page, ProblemView problem)
    {
        page.Response.StatusCode = problem.Status;
        // The re-executing status page would replace our message: this response already explains itself.
        page.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        return page.Page();
    }
}
