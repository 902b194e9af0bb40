using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;

namespace DailyPapers.Pages;

[OutputCache(PolicyName = CachePolicies.Lists)]
public sealed class IndexModel(AppDbContext db) : PageModel
{
    public PaperList? List { get; private set; }
    public ProblemView? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] string? cat, [FromQuery] string? view, [FromQuery] string? page, CancellationToken ct = default)
    {
        if (!ListViews.TryParse(view, out var listView))
            return this.ShowProblem(Problem = ProblemView.BadRequest(ListViews.Error));
        if (cat is not null && !Categories.IsValidCode(cat))
            return this.ShowProblem(Problem = ProblemView.BadRequest($"'{cat}' is not an arXiv category code such as cs.CL or cs."));
        if (!PaperLists.TryParsePage(page, out var pageNo))
            return this.ShowProblem(Problem = ProblemView.BadRequest($"'{page}' is not a page number."));
        if (await PaperLists.LatestDayAsync(db, ct) is { } day)
            List = await PaperLists.GetAsync(db, ListPeriod.Day(day), cat, pageNo, ct: ct, view: listView);
        return Page();
    }
}
