using System.Globalization;
using DailyPapers.Data;
using DailyPapers.Digest;
using DailyPapers.Papers;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DailyPapers.Pages.Admin;

/// <summary>Run history, "send now" (through the scheduler, the same operation as the CLI) and preview. Guarded by the admin token.</summary>
public sealed class DigestAdminModel(AppDbContext db, DigestScheduler scheduler, IOptions<DigestSettings> options) : PageModel
{
    public bool Authorized { get; private set; }
    public string? Message { get; private set; }
    public ProblemView? Problem { get; private set; }
    public List<DigestRun> Runs { get; private set; } = [];
    public int Confirmed { get; private set; }
    public int Unconfirmed { get; private set; }
    public int Unsubscribed { get; private set; }
    public int Bouncing { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] string? message, CancellationToken ct)
    {
        if (Disabled() is { } off) return off;
        Authorized = DigestAdmin.IsAuthorized(HttpContext, options.Value);
        if (!Authorized) return Page();
        Message = message;
        Runs = await db.Set<DigestRun>().OrderByDescending(r => r.Id).Take(100).ToListAsync(ct);
        var counts = await db.Set<Subscription>().GroupBy(s => s.State).Select(g => new { g.Key, N = g.Count() }).ToListAsync(ct);
        int Of(SubscriptionState s) => counts.FirstOrDefault(c => c.Key == s)?.N ?? 0;
        (Confirmed, Unconfirmed, Unsubscribed, Bouncing) = (Of(SubscriptionState.Confirmed), Of(SubscriptionState.Unconfirmed), Of(SubscriptionState.Unsubscribed), Of(SubscriptionState.Bouncing));
        return Page();
    }

    public IActionResult OnPostLogin([FromForm] string? token)
    {
        if (Disabled() is { } off) return off;
        if (!DigestAdmin.Matches(options.Value, token))
        {
            Message = "That token is not right.";
            Response.StatusCode = 403;
            HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
            return Page();
        }
        Response.Cookies.Append(DigestAdmin.CookieName, token!, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = Request.IsHttps, Path = "/admin", MaxAge = TimeSpan.FromHours(12),
        });
        return RedirectToPage();
    }

    public IActionResult OnPostSend([FromForm] string? frequency, [FromForm] string? date)
    {
        if (Disabled() is { } off) return off;
        if (!DigestAdmin.IsAuthorized(HttpContext, options.Value)) return RedirectToPage();
        if (!Enum.TryParse<DigestFrequency>(frequency, true, out var f) || !Enum.IsDefined(f))
            return RedirectToPage(new { message = "Choose daily or weekly." });
        DateOnly? day = null;
        if (!string.IsNullOrEmpty(date))
        {
            if (!ListPeriod.TryParseDay(date, out var d))
                return RedirectToPage(new { message = $"'{date}' is not a date (YYYY-MM-DD)." });
            day = d;
        }
        scheduler.Enqueue(new DigestRequest(f, day));
        return RedirectToPage(new { message = "Queued: the run appears below once it starts. Reload to follow it." });
    }

    private IActionResult? Disabled()
    {
        if (DigestAdmin.IsEnabled(options.Value) || DigestAdmin.IsAdminMember(HttpContext)) return null;
        return this.ShowProblem(Problem = ProblemView.NotFound("The digest admin is for admins: sign in with an admin account, or set Digest:AdminToken (env DAILYPAPERS_Digest__AdminToken)."));
    }
}
