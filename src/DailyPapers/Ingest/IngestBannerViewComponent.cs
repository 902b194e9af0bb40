using DailyPapers.Admin;
using Microsoft.AspNetCore.Mvc;

namespace DailyPapers.Ingest;

/// <summary>
/// The banner admins see on every page when ingestion is more than one announcement behind. Signed-in admins see
/// it everywhere; token holders only on /admin pages (the others may be served from the output cache to anyone).
/// </summary>
public sealed class IngestBannerViewComponent(IngestHealth health, AdminAccess access) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        bool admin = AdminAccess.IsAdminMember(HttpContext) || HttpContext.Request.Path.StartsWithSegments("/admin") && access.IsAdmin(HttpContext);
        if (!admin) return Content("");
        try
        {
            var summary = await health.CachedSummaryAsync(HttpContext.RequestAborted);
            return summary.IsBehind ? View(summary) : Content("");
        }
        catch (Exception) when (!HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The layout also frames the error page: a database that is down must not fail it a second time.
            return Content("");
        }
    }
}
