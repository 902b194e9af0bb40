using DailyPapers.Admin;
using Microsoft.AspNetCore.Mvc;

namespace DailyPapers.Pages.Admin;

/// <summary>The operations dashboard: figures at a glance and one chart per concern, each with its table.</summary>
public sealed class DashboardModel(Dashboard dashboard) : AdminPageModel
{
    public DashboardView View { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Deny() is { } denied) return denied;
        if (!Authorized) return Page();
        View = await dashboard.BuildAsync(ct);
        return Page();
    }
}
