using DailyPapers.Community;
using DailyPapers.Data;
using DailyPapers.Library;
using DailyPapers.Search;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Pages.Library;

/// <summary>/library: the member's collections, a form for a new one and the BibTeX import.</summary>
[Authorize]
// The form is read whole up to 8 MB, so a file over the import's 1 MB limit gets the import's own explanation (413 with
// the sizes) rather than a cut connection; beyond 8 MB the server stops reading.
[RequestSizeLimit(UploadLimit)]
[RequestFormLimits(MultipartBodyLengthLimit = UploadLimit)]
public sealed class IndexModel(AppDbContext db, PaperSearch search) : PageModel
{
    private const int UploadLimit = 8 << 20;
    public List<Collection> Collections { get; private set; } = [];
    public Dictionary<long, int> Counts { get; private set; } = [];
    public string? Error { get; private set; }
    public ImportReport? Report { get; private set; }

    private string Me => CommunitySetup.UserIdOf(HttpContext);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        Collections = await DailyPapers.Library.Collections.ListAsync(db, Me, ct);
        var ids = Collections.ConvertAll(c => c.Id);
        Counts = await db.Set<CollectionItem>().Where(i => ids.Contains(i.CollectionId)).GroupBy(i => i.CollectionId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
    }

    private async Task<IActionResult> ShowAsync(int status, CancellationToken ct)
    {
        await LoadAsync(ct);
        Response.StatusCode = status;
        HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync([FromForm] string? name, [FromForm] bool? isPublic, CancellationToken ct)
    {
        var (c, error) = await DailyPapers.Library.Collections.CreateAsync(db, Me, name, isPublic ?? false, ct);
        if (c is null) { Error = error; return await ShowAsync(400, ct); }
        return LocalRedirect($"/library/{c.Id}");
    }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, [FromForm] long? collection, CancellationToken ct)
    {
        if (file is null || file.Length == 0) { Error = "Choose a BibTeX file to import (the file was empty or missing)."; return await ShowAsync(400, ct); }
        if (file.Length > BibTexImport.MaxBytes)
        {
            Error = $"The file is {file.Length / 1024.0 / 1024.0:0.0} MB; the limit is {BibTexImport.MaxBytes / 1024 / 1024} MB (about 2,000 entries). Export a smaller collection, or split the file.";
            return await ShowAsync(413, ct);
        }
        var into = collection is { } id ? await DailyPapers.Library.Collections.OwnedAsync(db, Me, id, ct) : await DailyPapers.Library.Collections.ReadingListAsync(db, Me, ct);
        if (into is null) { Error = "You have no such collection."; return await ShowAsync(404, ct); }
        using var ms = new MemoryStream();
        await file.CopyToAsync(ms, ct);
        try
        {
            Report = await BibTexImport.ImportAsync(db, search, into, ms.ToArray(), ct);
        }
        catch (BibTexException ex)
        {
            Error = "Nothing was imported. " + ex.Message;
            return await ShowAsync(400, ct);
        }
        return await ShowAsync(200, ct);
    }
}
