using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Search;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Papers;

public sealed class PaperModel(AppDbContext db, PaperSearch search) : PageModel
{
    public IReadOnlyList<PaperCard> Similar { get; private set; } = [];
    public Paper? Paper { get; private set; }
    public ProblemView? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? id, CancellationToken ct)
    {
        if (!ArxivId.TryParse(id, out var arxivId, out var error))
            return this.ShowProblem(Problem = ProblemView.BadRequest(error));
        Paper = await db.Papers.Named(arxivId).AsSplitQuery()
            .Include(p => p.Versions).Include(p => p.CategoryList)
            .FirstOrDefaultAsync(ct);
        if (Paper is null)
            return this.ShowProblem(Problem = ProblemView.NotFound(PaperLookup.NotHere(arxivId) + " It may not have been imported or harvested yet."));
        Similar = await search.SimilarAsync(Paper.Id, 5, ct);
        return Page();
    }
}
