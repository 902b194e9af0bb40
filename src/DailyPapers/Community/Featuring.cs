using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Community;

/// <summary>A moderator's pick: puts a paper on the curated list (and gives it PaperSignals.FeatureBonus), or takes it off.</summary>
public sealed class Featuring(AppDbContext db, IOutputCacheStore cache, ILogger<Featuring> log)
{
    public static bool MayFeature(System.Security.Claims.ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Moderator);

    /// <summary>Sets the paper's featured flag; false when there is no such paper.</summary>
    public async Task<bool> SetAsync(ArxivId arxivId, bool featured, string moderatorId, CancellationToken ct = default)
    {
        var changed = await db.Papers.Named(arxivId).ExecuteUpdateAsync(u => u.SetProperty(p => p.Featured, featured), ct);
        if (changed == 0) return false;
        log.LogInformation("moderator {User} {Action} {ArxivId}", moderatorId, featured ? "featured" : "unfeatured", arxivId);
        await cache.EvictByTagAsync(CachePolicies.PapersTag, ct);
        return true;
    }
}
