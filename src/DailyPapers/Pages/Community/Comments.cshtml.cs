using DailyPapers.Community;
using DailyPapers.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Community;

/// <summary>The comment actions (POST /comments/new, edit, delete, report, hide, unhide); each redirects back to the thread.</summary>
[Authorize]
public sealed class CommentsModel(CommentWriter comments, AppDbContext db, TimeProvider clock) : PageModel
{
    /// <summary>Where the kept text can be sent again: a new comment (paper and parent) or an edit (comment id).</summary>
    public sealed record ResendForm(string Action, long? PaperId, long? ParentId, long? CommentId);

    public string? Error { get; private set; }
    public string? Body { get; private set; }
    public string Back { get; private set; } = "/";
    public ResendForm? Resend { get; private set; }

    private string Me => CommunitySetup.UserIdOf(HttpContext);
    private bool Moderates => User.IsInRole(Roles.Admin) || User.IsInRole(Roles.Moderator);

    public IActionResult OnGet() => NotFound();

    public async Task<IActionResult> OnPostNewAsync(long paperId, long? parentId, string? body, CancellationToken ct)
    {
        var r = await comments.PostAsync(Me, paperId, parentId, body, ct);
        var arxivId = await db.Papers.Where(p => p.Id == paperId).Select(p => p.ArxivId).FirstOrDefaultAsync(ct);
        if (r.Outcome != CommentOutcome.Done)
        {
            Resend = new("/comments/new", paperId, parentId, null);
            return Fail(r, body, arxivId is null ? "/" : $"/papers/{arxivId}#comments");
        }
        return LocalRedirect($"/papers/{arxivId}#c-{r.Id}");
    }

    public async Task<IActionResult> OnPostEditAsync(long id, string? body, CancellationToken ct)
    {
        var r = await comments.EditAsync(Me, id, body, ct);
        if (r.Outcome == CommentOutcome.Done) return await BackToAsync(id, ct);
        Resend = new("/comments/edit", null, null, id);
        return Fail(r, body, $"/comments/{id}/edit");
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        var back = await BackToAsync(id, ct);
        var outcome = await comments.DeleteAsync(Me, id, ct);
        return outcome == CommentOutcome.Done ? back : Fail(outcome, null, null, "/");
    }

    public async Task<IActionResult> OnPostReportAsync(long id, string? reason, CancellationToken ct)
    {
        var outcome = await comments.ReportAsync(Me, id, reason, ct);
        return outcome == CommentOutcome.Done ? await BackToAsync(id, ct) : Fail(outcome, null, null, "/");
    }

    public Task<IActionResult> OnPostHideAsync(long id, CancellationToken ct) => SetHiddenAsync(id, true, ct);
    public Task<IActionResult> OnPostUnhideAsync(long id, CancellationToken ct) => SetHiddenAsync(id, false, ct);

    private async Task<IActionResult> SetHiddenAsync(long id, bool hidden, CancellationToken ct)
    {
        if (!Moderates) return Forbid();
        var outcome = await comments.SetHiddenAsync(Me, id, hidden, ct);
        if (outcome != CommentOutcome.Done) return Fail(outcome, null, null, "/");
        var back = Request.Form["returnUrl"].ToString();
        return back == "/moderation/reports" ? LocalRedirect(back) : await BackToAsync(id, ct);
    }

    private async Task<IActionResult> BackToAsync(long commentId, CancellationToken ct)
    {
        var arxivId = await db.Set<Comment>().Where(c => c.Id == commentId)
            .Join(db.Papers, c => c.PaperId, p => p.Id, (c, p) => p.ArxivId).FirstOrDefaultAsync(ct);
        return LocalRedirect(arxivId is null ? "/" : $"/papers/{arxivId}#c-{commentId}");
    }

    private PageResult Fail(CommentResult r, string? body, string back)
    {
        if (r.Limit is not { } limit) return Fail(r.Outcome, r.Error, body, back);
        // Over the budget: 429 with the real wait, and the text back in a form to send again.
        Response.Headers.RetryAfter = RateBudget.RetryAfterHeader(limit.Wait);
        return Fail(r.Outcome, limit.Detail(clock.GetUtcNow()) + " Your text is kept below.", body, back);
    }

    private PageResult Fail(CommentOutcome outcome, string? error, string? body, string back)
    {
        Response.StatusCode = outcome switch { CommentOutcome.NotFound => 404, CommentOutcome.NotYours => 403, CommentOutcome.OverLimit => 429, _ => 400 };
        HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        Error = error ?? outcome switch
        {
            CommentOutcome.NotFound => "That comment or paper no longer exists.",
            CommentOutcome.NotYours => "You can only change your own comments.",
            _ => "That comment is not valid.",
        };
        Body = body;
        Back = back;
        // Only a new comment or an edit can be sent again; a vanished paper or comment can't take it.
        if (outcome is CommentOutcome.NotFound or CommentOutcome.NotYours) Resend = null;
        return Page();
    }
}
