using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Library;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Library;

/// <summary>/c/{slug}: a public collection, readable signed out; a private one is a 404 for everyone but its owner. Notes stay private.</summary>
public sealed class SharedModel(AppDbContext db) : PageModel
{
    public Collection? Collection { get; private set; }
    public List<SavedItem> Items { get; private set; } = [];
    public string Owner { get; private set; } = "";
    public bool IsOwner { get; private set; }
    public ProblemView? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? slug, CancellationToken ct)
    {
        Collection = await LibraryEndpoints.ReadableAsync(db, HttpContext, slug, ct);
        if (Collection is null) return this.ShowProblem(Problem = ProblemView.NotFound("There is no such collection, or it is private."));
        IsOwner = User.Identity?.IsAuthenticated == true && CommunitySetup.UserIdOf(HttpContext) == Collection.UserId;
        var ownerId = Collection.UserId;
        Owner = await db.Users.Where(u => u.Id == ownerId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? "a member";
        Items = await Collections.ItemsAsync(db, Collection.Id, ct);
        if (!Collection.IsPublic) Response.Headers.CacheControl = "private, no-store";
        return Page();
    }
}
