using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.OutputCaching;

namespace DailyPapers.Pages.Papers;

[OutputCache(PolicyName = CachePolicies.Lists)]
public sealed class TrendingModel(AppDbContext db, TimeProvider clock) : PageModel
{
    public List<(PaperCard Card, double Score)> Top { get; private set; } = [];
    public Trending.Window? Window { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Window = await Trending.WindowAsync(db, clock.GetUtcNow().UtcDateTime, ct);
        if (Window is not null) Top = await Trending.TopAsync(db, Window, ct: ct);
    }
}
