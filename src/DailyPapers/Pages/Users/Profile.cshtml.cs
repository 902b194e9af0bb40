using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Papers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Users;

public sealed record ProfileComment(long Id, string ArxivId, string Title, string Html, DateTime CreatedAt);

/// <summary>A member's public page: what they upvoted, submitted and wrote (the latest 100 of each).</summary>
public sealed class ProfileModel(AppDbContext db) : PageModel
{
    private const int Shown = 100;

    public AppUser? Member { get; private set; }
    public bool IsMe { get; private set; }
    public List<PaperCard> Upvoted { get; private set; } = [];
    public List<PaperCard> Submitted { get; private set; } = [];
    public List<ProfileComment> Comments { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        Member = await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct);
        if (Member is null) { Response.StatusCode = 404; return Page(); }
        IsMe = User.Identity?.IsAuthenticated == true && CommunitySetup.UserIdOf(HttpContext) == id;
        Upvoted = await db.Set<Vote>().Where(v => v.UserId == id).OrderByDescending(v => v.CreatedAt).Take(Shown)
            .Join(db.Papers, v => v.PaperId, p => p.Id, (v, p) => p).Cards().ToListAsync(ct);
        Submitted = await db.Set<Submission>().Where(s => s.UserId == id).OrderByDescending(s => s.CreatedAt).Take(Shown)
            .Join(db.Papers, s => s.PaperId, p => p.Id, (s, p) => p).Cards().ToListAsync(ct);
        Comments = await (from c in db.Set<Comment>()
                          join p in db.Papers on c.PaperId equals p.Id
                          where c.UserId == id && !c.Deleted && !c.Hidden
                          orderby c.CreatedAt descending
                          select new ProfileComment(c.Id, p.ArxivId, p.Title, c.Html, c.CreatedAt)).Take(Shown).ToListAsync(ct);
        return Page();
    }
}
