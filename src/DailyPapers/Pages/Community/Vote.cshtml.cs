using DailyPapers.Community;
using DailyPapers.Pages.Account;
using DailyPapers.Papers;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DailyPapers.Pages.Community;

/// <summary>POST /vote/{arxivId} toggles the member's upvote: an htmx request gets the new button, a plain form a redirect back.</summary>
[Authorize]
public sealed class VoteModel(VoteToggle votes) : PageModel
{
    /// <summary>A vote link opened in the browser leads to the paper; anything but an arXiv id leads nowhere.</summary>
    public IActionResult OnGet(string? id) => ArxivId.TryParse(id, out var arxivId) ? Redirect("/papers/" + arxivId) : NotFound();

    public async Task<IActionResult> OnPostAsync(string id, [FromForm] string? returnUrl, [FromForm] bool? on, CancellationToken ct)
    {
        if (!ArxivId.TryParse(id, out var arxivId, out var error)) return BadRequest(error);
        var state = await votes.SetAsync(CommunitySetup.UserIdOf(HttpContext), arxivId, on, ct);
        if (state is null) return NotFound();
        var back = AccountPage.SafeReturn(returnUrl ?? "/papers/" + state.ArxivId);
        if (Request.Headers.ContainsKey("HX-Request"))
        {
            var partial = Partial("_VoteButton", state);
            partial.ViewData["ReturnUrl"] = back;
            return partial;
        }
        return LocalRedirect(back);
    }
}
