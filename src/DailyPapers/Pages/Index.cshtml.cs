using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DailyPapers.Pages;

[OutputCache(PolicyName = CachePolicies.Lists)]
public sealed class IndexModel(AppDbContext db, IOptions<HarvestSettings> harvest) : PageModel
{
    public PaperList? List { get; private set; }
    public ProblemView? Problem { get; private set; }

    /// <summary>For admins only: harvests whose last attempts failed, so an instance that cannot reach arXiv is noticed.</summary>
    public List<HarvestState> FailingHarvests { get; private set; } = [];
    public HarvestSettings Harvest => harvest.Value;

    public async Task<IActionResult> OnGetAsync([FromQuery] string? cat, [FromQuery] string? view, [FromQuery] string? page, CancellationToken ct = default)
    {
        if (PaperLists.ParseQuery(view, cat, page, out var listView, out var pageNo) is { } badQuery)
            return this.ShowProblem(Problem = ProblemView.BadRequest(badQuery));
        // Members who have told For you enough (ForYouRanking.HomeThreshold positives) start there; "/?home=latest" keeps the list.
        if (User.Identity?.IsAuthenticated == true && Request.QueryString.Value is null or ""
            && await DailyPapers.Library.ForYouRanking.PrefersForYouAsync(db, CommunitySetup.UserIdOf(HttpContext), ct))
            return LocalRedirect("/for-you");
        // Signed-in pages are never output-cached, so the banner is not served to anyone else.
        if (User.IsInRole(Roles.Admin))
            FailingHarvests = await db.Set<HarvestState>().Where(s => s.ConsecutiveFailures > 0).OrderBy(s => s.Source).ThenBy(s => s.SetSpec).ToListAsync(ct);
        if (await PaperLists.LatestDayAsync(db, ct) is { } day)
            List = await PaperLists.GetAsync(db, ListPeriod.Day(day), cat, pageNo, ct: ct, view: listView);
        return Page();
    }

    /// <summary>When the background harvest tries a failing source again, in words.</summary>
    public string NextAttempt(HarvestState s) =>
        s.Source != "oai" || !Harvest.EffectiveSets.Contains(s.SetSpec) ? "not scheduled (run by hand)"
        : !Harvest.Enabled ? "not scheduled (Harvest:Enabled is false)"
        : s.NextAttemptAt is { } at ? $"next attempt after {at:yyyy-MM-dd HH:mm} UTC"
        : "next attempt at the next check";
}
