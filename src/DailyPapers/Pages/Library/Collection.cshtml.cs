using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Library;
using DailyPapers.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DailyPapers.Pages.Library;

/// <summary>/library/{id}: one of the member's collections, with notes, read marks and its settings. Someone else's id is a 404.</summary>
[Authorize]
public sealed class CollectionModel(AppDbContext db) : PageModel
{
    public Collection? Collection { get; private set; }
    public List<SavedItem> Items { get; private set; } = [];
    public ProblemView? Problem { get; private set; }
    public string? Error { get; private set; }

    private string Me => CommunitySetup.UserIdOf(HttpContext);

    private async Task<bool> FindAsync(long id, CancellationToken ct)
    {
        Collection = await Collections.OwnedAsync(db, Me, id, ct);
        if (Collection is null) { Problem = ProblemView.NotFound("You have no such collection."); return false; }
        return true;
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await FindAsync(id, ct)) return this.ShowProblem(Problem!);
        Items = await Collections.ItemsAsync(db, id, ct);
        return Page();
    }

    private async Task<IActionResult> After(long id, string? error, CancellationToken ct)
    {
        if (error is null) return LocalRedirect($"/library/{id}");
        Error = error;
        Items = await Collections.ItemsAsync(db, id, ct);
        Response.StatusCode = 400;
        HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        return Page();
    }

    public async Task<IActionResult> OnPostVisibilityAsync(long id, [FromForm] bool isPublic, CancellationToken ct)
    {
        if (!await FindAsync(id, ct)) return this.ShowProblem(Problem!);
        return await After(id, await Collections.UpdateAsync(db, Collection!, null, isPublic, ct), ct);
    }

    public async Task<IActionResult> OnPostRenameAsync(long id, [FromForm] string? name, CancellationToken ct)
    {
        if (!await FindAsync(id, ct)) return this.ShowProblem(Problem!);
        return await After(id, await Collections.UpdateAsync(db, Collection!, name ?? "", null, ct), ct);
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        if (!await FindAsync(id, ct)) return this.ShowProblem(Problem!);
        await Collections.DeleteAsync(db, Me, id, ct);
        return LocalRedirect("/library");
    }

    public async Task<IActionResult> OnPostNoteAsync(long id, [FromForm] long paper, [FromForm] string? note, CancellationToken ct)
    {
        if (!await FindAsync(id, ct)) return this.ShowProblem(Problem!);
        if (Collections.NoteProblem(note) is { } bad) return await After(id, bad, ct);
        if (await Collections.UpdateItemAsync(db, id, paper, note ?? "", null, ct) == 0) return this.ShowProblem(Problem = ProblemView.NotFound("That paper is not in this collection."));
        return await After(id, null, ct);
    }

    public async Task<IActionResult> OnPostReadAsync(long id, [FromForm] long paper, [FromForm] bool read, CancellationToken ct)
    {
        if (!await FindAsync(id, ct)) return this.ShowProblem(Problem!);
        if (await Collections.UpdateItemAsync(db, id, paper, null, read, ct) == 0) return this.ShowProblem(Problem = ProblemView.NotFound("That paper is not in this collection."));
        return await After(id, null, ct);
    }

    public async Task<IActionResult> OnPostRemoveAsync(long id, [FromForm] long paper, CancellationToken ct)
    {
        if (!await FindAsync(id, ct)) return this.ShowProblem(Problem!);
        await Collections.RemoveAsync(db, id, paper, ct);
        return await After(id, null, ct);
    }
}
