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

/// <summary>Run history, "send now" (through the scheduler, the same operation as the CLI) and preview, for admins (<see cref="DailyPapers.Admin.AdminAccess"/>).</summary>
public sealed class DigestAdminModel(AppDbContext db, DigestScheduler scheduler) : AdminPageModel
{
    public List<DigestRun> Runs { get; private set; } = [];
    public int Confirmed { get; private set; }
    public int Unconfirmed { get; private set; }
    public int Unsubscribed { get; private set; }
    public int Bouncing { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] string? message, CancellationToken ct)
    {
        if (Deny() is { } denied) return denied;
        if (!Authorized) return Page();
        Message = message;
        Runs = await db.Set<DigestRun>().OrderByDescending(r => r.Id).Take(100).ToListAsync(ct);
        var counts = await db.Set<Subscription>().GroupBy(s => s.State).Select(g => new { g.Key, N = g.Count() }).ToListAsync(ct);
        int Of(SubscriptionState s) => counts.FirstOrDefault(c => c.Key == s)?.N ?? 0;
        (Confirmed, Unconfirmed, Unsubscribed, Bouncing) = (Of(SubscriptionState.Confirmed), Of(SubscriptionState.Unconfirmed), Of(SubscriptionState.Unsubscribed), Of(SubscriptionState.Bouncing));
        return Page();
    }

    public IActionResult OnPostSend([FromForm] string? frequency, [FromForm] string? date)
    {
        if (Deny() is { } denied) return denied;
        if (!Authorized) return RedirectToPage();
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
}
