using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Library;
using DailyPapers.Pages.Account;
using DailyPapers.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DailyPapers.Pages.Library;

/// <summary>POST /follow (kind=author|category, name, on): follows or unfollows; htmx gets the new button, a plain form a redirect back.</summary>
[Authorize]
public sealed class FollowModel(AppDbContext db) : PageModel
{
    public ProblemView Problem { get; private set; } = ProblemView.NotFound("Follow authors from their pages (/authors/…) and categories from the lists.");

    public IActionResult OnGet() => this.ShowProblem(Problem);

    public async Task<IActionResult> OnPostAsync([FromForm] string? kind, [FromForm] string? name, [FromForm] bool? on, [FromForm] string? returnUrl, CancellationToken ct)
    {
        FollowKind k;
        switch (kind)
        {
            case "author": k = FollowKind.Author; break;
            case "category": k = FollowKind.Category; break;
            default: return this.ShowProblem(Problem = ProblemView.BadRequest("kind must be author or category."));
        }
        var want = on ?? true;
        if (await Follows.SetAsync(db, CommunitySetup.UserIdOf(HttpContext), k, name, want, ct) is { } error)
            return this.ShowProblem(Problem = ProblemView.BadRequest(error));
        var back = AccountPage.SafeReturn(returnUrl);
        if (Request.Headers.ContainsKey("HX-Request"))
        {
            var partial = Partial("_FollowButton", new FollowState(k, name!.Trim(), want));
            partial.ViewData["ReturnUrl"] = back;
            return partial;
        }
        return LocalRedirect(back);
    }
}
