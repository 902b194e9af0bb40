using DailyPapers.Community;
using DailyPapers.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Community;

[Authorize]
public sealed class EditCommentModel(AppDbContext db) : PageModel
{
    public long Id { get; private set; }
    public string Body { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var me = CommunitySetup.UserIdOf(HttpContext);
        var c = await db.Set<Comment>().FirstOrDefaultAsync(c => c.Id == id && !c.Deleted, ct);
        if (c is null) return NotFound();
        if (c.UserId != me) return Forbid();
        Id = id;
        Body = c.Markdown;
        return Page();
    }
}
