using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;

namespace DailyPapers.Pages.Papers;

[OutputCache(PolicyName = CachePolicies.Lists)]
public sealed class ListModel(AppDbContext db) : PageModel
{
    public PaperList? List { get; private set; }
    public ProblemView? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string segment, string? value, [FromQuery] string? cat, [FromQuery] string? page, [FromQuery] string? view, CancellationToken ct)
    {
        if (!ListViews.TryParse(view, out var listView))
            return this.ShowProblem(Problem = ProblemView.BadRequest(ListViews.Error));
        if (Categories.CodeError(cat) is { } badCategory)
            return this.ShowProblem(Problem = ProblemView.BadRequest(badCategory));
        if (!PaperLists.TryParsePage(page, out var pageNo))
            return this.ShowProblem(Problem = ProblemView.BadRequest($"'{page}' is not a page number."));
        ListPeriod period;
        if (value is null)
        {
            // /papers/week and /papers/month open the period of the latest listing.
            if (await PaperLists.LatestDayAsync(db, ct) is not { } latest) return Page();
            var kind = segment switch { "week" => PeriodKind.Week, "month" => PeriodKind.Month, _ => PeriodKind.Day };
            period = ListPeriod.Of(kind, latest);
        }
        else if (!ListPeriod.TryParse(segment, value, out period, out var error))
        {
            return this.ShowProblem(Problem = ProblemView.BadRequest(error));
        }
        List = await PaperLists.GetAsync(db, period, cat, pageNo, ct: ct, view: listView);
        return Page();
    }
}
