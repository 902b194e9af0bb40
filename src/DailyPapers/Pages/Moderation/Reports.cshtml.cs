using DailyPapers.Community;
using DailyPapers.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Moderation;

public sealed record ReportedComment(long CommentId, string ArxivId, string Author, string Html, bool Hidden, int Reports, List<string> Reasons);

/// <summary>The moderators' queue: comments with open reports, most reported first.</summary>
[Authorize(Roles = Roles.Moderators)]
public sealed class ReportsModel(AppDbContext db, CommentWriter comments) : PageModel
{
    public List<ReportedComment> Queue { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var open = await (from r in db.Set<CommentReport>()
                          where r.ResolvedAt == null
                          join c in db.Set<Comment>() on r.CommentId equals c.Id
                          join p in db.Papers on c.PaperId equals p.Id
                          join u in db.Users on c.UserId equals u.Id
                          select new { r.CommentId, p.ArxivId, u.DisplayName, c.Html, c.Hidden, r.Reason, r.CreatedAt })
                         .Take(1000).ToListAsync(ct);
        Queue = open.GroupBy(x => x.CommentId)
            .Select(g => new ReportedComment(g.Key, g.First().ArxivId, g.First().DisplayName, g.First().Html, g.First().Hidden, g.Count(), g.Select(x => x.Reason).ToList()))
            .OrderByDescending(x => x.Reports).ThenBy(x => x.CommentId).ToList();
    }

    public async Task<IActionResult> OnPostDismissAsync(long id, CancellationToken ct)
    {
        await comments.ResolveReportsAsync(CommunitySetup.UserIdOf(HttpContext), id, ct);
        return RedirectToPage();
    }
}
