using Microsoft.AspNetCore.Mvc;

namespace DailyPapers.Community;

/// <summary>A paper's comments as a tree, with the forms the viewer may use.</summary>
public sealed record CommentThread(string ArxivId, long PaperId, ILookup<long?, CommentView> Children, string? ViewerId, bool ViewerModerates, int Count);

public sealed record CommentNode(CommentThread Thread, CommentView Comment, int Depth);

public sealed class CommentThreadViewComponent(CommentWriter comments) : ViewComponent
{
    /// <summary>Replies nest this deep; deeper replies are shown at this depth so narrow screens stay readable.</summary>
    public const int MaxDepth = 6;

    public async Task<IViewComponentResult> InvokeAsync(long paperId, string arxivId)
    {
        var all = await comments.ThreadAsync(paperId, HttpContext.RequestAborted);
        var viewer = User.Identity?.IsAuthenticated == true ? CommunitySetup.UserIdOf(HttpContext) : null;
        var moderates = User.IsInRole(Roles.Admin) || User.IsInRole(Roles.Moderator);
        var visible = all.Count(c => !c.Deleted && !c.Hidden);
        return View(new CommentThread(arxivId, paperId, all.ToLookup(c => c.ParentId), viewer, moderates, visible));
    }
}
