using DailyPapers.Data;
using DailyPapers.Digest;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Digest;

/// <summary>Reached from the signed link in every digest: change frequency and interests without an account.</summary>
public sealed class PreferencesModel(AppDbContext db, DigestLinks links) : PageModel
{
    public string? Email { get; private set; }
    public string State { get; private set; } = "";
    public PreferenceForm Form { get; private set; } = new();
    public bool Saved { get; private set; }
    public string? UnsubscribeUrl { get; private set; }
    public ProblemView? Problem { get; private set; }

    private static readonly ProblemView BadLink = ProblemView.NotFound("This preferences link is not valid. Use the link from the most recent digest email.");

    public async Task<IActionResult> OnGetAsync(long id, string sig, CancellationToken ct)
    {
        if (await LoadAsync(id, sig, ct) is not { } sub) return this.ShowProblem(Problem = BadLink);
        Form = PreferenceForm.From(sub);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, string sig, [FromForm] PreferenceForm form, CancellationToken ct)
    {
        if (await LoadAsync(id, sig, ct) is null) return this.ShowProblem(Problem = BadLink);
        Form = form;
        form.Errors = Subscriptions.Validate(new(null, form.Frequency, form.Categories, form.Keywords, form.Authors), needEmail: false,
            out _, out var frequency, out var categories, out var keywords, out var authors);
        if (form.Errors.Count > 0)
        {
            Response.StatusCode = 400;
            HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
            return Page();
        }
        await db.Set<Subscription>().Where(s => s.Id == id).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.Frequency, frequency).SetProperty(s => s.Categories, categories)
            .SetProperty(s => s.Keywords, keywords).SetProperty(s => s.Authors, authors), ct);
        Form = new PreferenceForm { Frequency = frequency.ToString().ToLowerInvariant(), Categories = categories, Keywords = keywords, Authors = authors };
        Saved = true;
        return Page();
    }

    private async Task<Subscription?> LoadAsync(long id, string sig, CancellationToken ct)
    {
        if (!links.Verify("prefs", id, sig)) return null;
        var sub = await db.Set<Subscription>().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (sub is null) return null;
        Email = sub.Email;
        State = sub.State.ToString().ToLowerInvariant();
        UnsubscribeUrl = links.UnsubscribeUrl(id);
        return sub;
    }
}
