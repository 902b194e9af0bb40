using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Library;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Authors;

/// <summary>/authors/{name}: the papers listing an author of exactly that name, newest first, with a follow button.</summary>
public sealed class AuthorModel(AppDbContext db) : PageModel
{
    public string Name { get; private set; } = "";
    public List<PaperCard> Papers { get; private set; } = [];
    public int Total { get; private set; }
    public int PageNo { get; private set; } = 1;
    public int PageCount => Math.Max(1, (Total + AuthorPages.PageSize - 1) / AuthorPages.PageSize);
    public bool Following { get; private set; }
    public ProblemView? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? name, [FromQuery] string? page, CancellationToken ct)
    {
        Name = Uri.UnescapeDataString(name ?? "").Trim();
        if (Name.Length is 0 or > 200 || Name.Any(char.IsControl))
            return this.ShowProblem(Problem = ProblemView.BadRequest("Give an author's name as it appears on a paper, such as /authors/Yoshua%20Bengio (at most 200 characters)."));
        if (!PaperLists.TryParsePage(page, out var p)) return this.ShowProblem(Problem = ProblemView.BadRequest($"'{page}' is not a page number."));
        PageNo = p;
        var q = AuthorPages.PapersBy(db, Name);
        Total = await q.CountAsync(ct);
        Papers = await q.OrderByDescending(x => x.ListingDate).ThenByDescending(x => x.Id)
            .Skip((PageNo - 1) * AuthorPages.PageSize).Take(AuthorPages.PageSize).Cards().ToListAsync(ct);
        if (User.Identity?.IsAuthenticated == true)
            Following = await Follows.IsFollowingAsync(db, CommunitySetup.UserIdOf(HttpContext), FollowKind.Author, Name, ct);
        return Page();
    }
}
