using System.Net;
using System.Text;
using DailyPapers.Data;
using DailyPapers.Papers;
using Microsoft.AspNetCore.Html;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Library;

/// <summary>Author pages: /authors/{name} lists the papers with that author name, newest first.</summary>
public static class AuthorPages
{
    public const int PageSize = 50;

    public static string Url(string name) => "/authors/" + Uri.EscapeDataString(name);

    /// <summary>Author names joined by ", ", each a link to its page (HTML-encoded).</summary>
    public static IHtmlContent Links(IEnumerable<string> names)
    {
        var sb = new StringBuilder();
        foreach (var n in names)
        {
            if (sb.Length > 0) sb.Append(", ");
            sb.Append("<a class=\"author\" href=\"").Append(WebUtility.HtmlEncode(Url(n))).Append("\">").Append(WebUtility.HtmlEncode(n)).Append("</a>");
        }
        return new HtmlString(sb.ToString());
    }

    /// <summary>Papers with an author of exactly this name (the index on paper_authors.Name), newest listing first.</summary>
    public static IQueryable<Paper> PapersBy(AppDbContext db, string name) =>
        db.Papers.Where(p => db.PaperAuthors.Any(a => a.PaperId == p.Id && a.Name == name));
}
