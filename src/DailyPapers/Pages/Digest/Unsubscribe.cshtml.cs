using DailyPapers.Data;
using DailyPapers.Digest;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Digest;

/// <summary>
/// RFC 8058 one-click unsubscribe: a POST to the signed URL, from a mail client with no cookies, unsubscribes and
/// answers 200 (no redirect). GET and HEAD only show a confirmation button: link scanners must not unsubscribe anyone.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class UnsubscribeModel(AppDbContext db, DigestLinks links) : PageModel
{
    public string? Email { get; private set; }
    public bool Unsubscribed { get; private set; }
    public string? PreferencesUrl { get; private set; }
    public ProblemView? Problem { get; private set; }

    private static readonly ProblemView BadLink = ProblemView.NotFound("This unsubscribe link is not valid. Use the link from the most recent digest email.");

    public async Task<IActionResult> OnGetAsync(long id, string sig, CancellationToken ct)
    {
        if (!links.Verify("unsub", id, sig) || await db.Set<Subscription>().FirstOrDefaultAsync(s => s.Id == id, ct) is not { } sub)
            return this.ShowProblem(Problem = BadLink);
        Email = sub.Email;
        Unsubscribed = sub.State == SubscriptionState.Unsubscribed;
        PreferencesUrl = links.PreferencesUrl(id);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, string sig, CancellationToken ct)
    {
        if (!links.Verify("unsub", id, sig) || await db.Set<Subscription>().FirstOrDefaultAsync(s => s.Id == id, ct) is not { } sub)
            return this.ShowProblem(Problem = BadLink);
        await Subscriptions.UnsubscribeAsync(db, id, ct);
        Email = sub.Email;
        Unsubscribed = true;
        return Page();
    }
}
