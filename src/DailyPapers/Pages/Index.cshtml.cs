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

    public async Task<IActionResult> OnGetAsync([FromQuery] string? cat, [FromQuery] string? view, [FromQuery] int page = 1, CancellationToken ct = default)
    {
        if (!ListViews.TryParse(view, out var listView))
            return this.ShowProblem(Problem = ProblemView.BadRequest(ListViews.Error));
        if (cat is not null && !Categories.IsValidCode(cat))
            return this.ShowProblem(Problem = ProblemView.BadRequest($"'{cat}' is not an arXiv category code such as cs.CL or cs."));
        if (await PaperLists.LatestDayAsync(db, ct) is { } day)
            List = await PaperLists.GetAsync(db, ListPeriod.Day(day), cat, page, ct: ct, view: listView);
        return Page();
    }
}
