using DailyPapers.Search;
using DailyPapers.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace DailyPapers.Pages;

public sealed class SearchModel(PaperSearch search) : PageModel
{
    public SearchResult? Result { get; private set; }
    public ProblemView? Problem { get; private set; }
    public string Query => Request.Query["q"].ToString();
    public string Mode => Request.Query["mode"].ToString() is { Length: > 0 } m ? m : "hybrid";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        // An empty search box shows the form and how to use it, not an error.
        if (string.IsNullOrWhiteSpace(Query)) return Page();
        try
        {
            Result = await search.SearchAsync(SearchSetup.ReadRequest(Request.Query), ct);
            return Page();
        }
        catch (SearchRequestException ex)
        {
            return this.ShowProblem(Problem = new ProblemView(400, "That search did not work", ex.Message));
        }
    }

    /// <summary>This search's URL with one parameter changed.</summary>
    public string With(string name, string? value)
    {
        var q = Request.Query.ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        if (value is null) q.Remove(name); else q[name] = value;
        return "/search" + Microsoft.AspNetCore.Http.QueryString.Create(q!).ToUriComponent();
    }
}
