using DailyPapers.Data;
using DailyPapers.Digest;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DailyPapers.Pages.Digest;

/// <summary>
/// GET shows a button and changes nothing (mail scanners open links); POST uses the token. No antiforgery token:
/// the unguessable confirmation token is itself the proof, and the browser may hold no cookie at all.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ConfirmModel(AppDbContext db, DigestLinks links) : PageModel
{
    public string? Token { get; private set; }
    public string? Email { get; private set; }
    public string Frequency { get; private set; } = "daily";
    public bool Confirmed { get; private set; }
    public string? PreferencesUrl { get; private set; }
    public ProblemView? Problem { get; private set; }

    private static readonly ProblemView Expired = new(404, "This confirmation link is not valid",
        "It has expired or was already used. Subscribe again to get a new link; if you already confirmed, you are subscribed.");

    public async Task<IActionResult> OnGetAsync([FromQuery] string? token, CancellationToken ct)
    {
        if (await Subscriptions.FindByTokenAsync(db, token, ct) is not { } sub) return this.ShowProblem(Problem = Expired);
        Token = token;
        Email = sub.Email;
        Frequency = sub.Frequency.ToString().ToLowerInvariant();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? token, CancellationToken ct)
    {
        if (await Subscriptions.FindByTokenAsync(db, token, ct) is not { } sub || !await Subscriptions.ConfirmAsync(db, token, ct))
            return this.ShowProblem(Problem = Expired);
        Confirmed = true;
        Email = sub.Email;
        Frequency = sub.Frequency.ToString().ToLowerInvariant();
        PreferencesUrl = links.PreferencesUrl(sub.Id);
        return Page();
    }
}
