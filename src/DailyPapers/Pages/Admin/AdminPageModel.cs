using DailyPapers.Admin;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DailyPapers.Pages.Admin;

/// <summary>
/// The base of every admin page: applies <see cref="AdminAccess"/> and handles the token form (partial
/// <c>_AdminToken</c>), so each page only says what it shows.
/// </summary>
public abstract class AdminPageModel : PageModel
{
    public bool Authorized { get; private set; }
    public string? Message { get; protected set; }

    protected AdminAccess Access => HttpContext.RequestServices.GetRequiredService<AdminAccess>();

    /// <summary>
    /// Null when the request may go on: an admin (<see cref="Authorized"/>), or an anonymous visitor to be shown the
    /// token form. Otherwise the login page (no token configured) or 403 (signed in without the admin role).
    /// </summary>
    protected IActionResult? Deny()
    {
        var verdict = Access.Check(HttpContext);
        Authorized = verdict == AdminVerdict.Allowed;
        return verdict switch
        {
            AdminVerdict.Forbidden => Forbid(),
            AdminVerdict.Login => Challenge(),
            _ => null,
        };
    }

    public IActionResult OnPostLogin([FromForm] string? token)
    {
        if (!Access.TokenEnabled) return Deny() ?? RedirectToPage();
        if (!Access.Matches(token))
        {
            Message = "That token is not right.";
            Response.StatusCode = 403;
            HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
            return Page();
        }
        AdminAccess.Remember(Response, token!);
        return RedirectToPage();
    }
}
