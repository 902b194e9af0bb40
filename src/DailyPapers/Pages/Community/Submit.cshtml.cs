using DailyPapers.Community;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace DailyPapers.Pages.Community;

[Authorize]
public sealed class SubmitModel(Submissions submissions, IOptions<CommunitySettings> settings, TimeProvider clock) : PageModel
{
    public string? Id { get; private set; }
    public SubmissionResult? Result { get; private set; }
    public int MaxAgeDays => settings.Value.SubmissionMaxAgeDays;

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? id, CancellationToken ct)
    {
        Id = id;
        Result = await submissions.SubmitAsync(CommunitySetup.UserIdOf(HttpContext), id, clock.GetUtcNow().UtcDateTime, ct);
        if (Result.Outcome == SubmissionOutcome.Added) return LocalRedirect("/papers/" + Result.ArxivId);
        Response.StatusCode = Result.Outcome switch
        {
            SubmissionOutcome.Duplicate => 409,
            SubmissionOutcome.UnknownPaper => 404,
            SubmissionOutcome.OverDailyLimit => 429,
            SubmissionOutcome.SourceUnavailable => 503,
            _ => 400,
        };
        HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        return Page();
    }
}
