using System.Globalization;
using System.Text;
using DailyPapers.Data;
using DailyPapers.Papers;
using DailyPapers.Web;

namespace DailyPapers.Feeds;

/// <summary>
/// A paper or a list in other formats, by suffix on its page URL: <c>/papers/{id}.bib|.ris|.md</c> and
/// <c>/papers/{date|week|month}/{value}.bib|.ris?cat=…</c>. These complex segments outrank the pages' catch-all
/// routes, so <c>/papers/2405.15738.md</c> reaches this endpoint and <c>/papers/2405.15738</c> the HTML page.
/// </summary>
public static class ExportEndpoints
{
    /// <summary>The most papers a list export holds: more than any month has had so far (~4,000 in late 2019 at most).</summary>
    public const int MaxListItems = 5000;
    private const string CacheControl = "public, max-age=300";

    public static IEndpointRouteBuilder MapExports(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/papers").WithTags("Exports");
        g.MapMethods("/{id}.{format:regex(^(bib|ris|md)$)}", FeedEndpoints.GetHead, (string id, string format, AppDbContext db, HttpContext ctx, CancellationToken ct) =>
            PaperExport(db, ctx, id, format, ct))
            .WithSummary("One paper as BibTeX, RIS or Markdown (the Markdown is Hugging Face's /papers/{id}.md)");
        g.MapMethods("/{archive}/{id}.{format:regex(^(bib|ris|md)$)}", FeedEndpoints.GetHead, (string archive, string id, string format, AppDbContext db, HttpContext ctx, CancellationToken ct) =>
            PaperExport(db, ctx, archive + "/" + id, format, ct))
            .WithSummary("An old-style arXiv id (archive/number) as BibTeX, RIS or Markdown");
        g.MapMethods("/{segment:regex(^(date|week|month)$)}/{value}.{format:regex(^(bib|ris)$)}", FeedEndpoints.GetHead,
            async (string segment, string value, string format, string? cat, string? view, AppDbContext db, HttpContext ctx, CancellationToken ct) =>
            {
                if (Categories.CodeError(cat) is { } badCategory)
                    return Results.Problem(statusCode: 400, title: "Invalid category", detail: badCategory);
                if (!ListViews.TryParse(view, out var listView))
                    return Results.Problem(statusCode: 400, title: "Invalid view", detail: ListViews.Error);
                if (!ListPeriod.TryParse(segment, value, out var period, out var error))
                    return Results.Problem(statusCode: 400, title: "Invalid period", detail: error);
                var (papers, _) = await PaperLists.InViewAsync(PaperLists.InPeriod(db, period, cat), listView, ct);
                var items = await ListItems.LoadAsync(db, papers.Ranked(), MaxListItems, ct);
                var name = $"papers-{period.Value}{(cat is null ? "" : "-" + cat)}.{format}";
                return Write(ctx, items, format, name);
            })
            .WithSummary("A day, week or month list as BibTeX or RIS, best first (curated, or every paper with view=all)");
        return app;
    }

    private static async Task<IResult> PaperExport(AppDbContext db, HttpContext ctx, string id, string format, CancellationToken ct)
    {
        if (!ArxivId.TryParse(id, out var arxivId, out var error))
            return Results.Problem(statusCode: 400, title: "Invalid arXiv id", detail: error);
        var items = await ListItems.LoadAsync(db, db.Papers.Named(arxivId), 1, ct);
        if (items.Count == 0)
        {
            var message = PaperLookup.NotHere(arxivId);
            return format == "md" ? Results.Text(message, "text/plain; charset=utf-8", statusCode: 404)
                : Results.Problem(statusCode: 404, title: "Not found", detail: message);
        }
        if (format == "md")
        {
            var body = Encoding.UTF8.GetBytes(Markdown(items[0], FeedEndpoints.SiteUrl(ctx)));
            return ConditionalGet.Respond(ctx, body, "text/markdown; charset=utf-8", items[0].LastUpdatedAt, CacheControl);
        }
        return Write(ctx, items, format, arxivId.BaseId.Replace('/', '_') + "." + format);
    }

    private static IResult Write(HttpContext ctx, IReadOnlyList<ListItem> items, string format, string fileName)
    {
        var text = format == "bib" ? Citations.BibTex(items) : Citations.Ris(items);
        ctx.Response.Headers.ContentDisposition = $"inline; filename=\"{fileName}\"";
        var lastModified = items.Count == 0 ? DateTime.UnixEpoch : items.Max(i => i.LastUpdatedAt);
        return ConditionalGet.Respond(ctx, Encoding.UTF8.GetBytes(text), format == "bib" ? Citations.BibTexType : Citations.RisType, lastModified, CacheControl);
    }

    /// <summary>The paper as Markdown: title, authors, abstract and links, as Hugging Face's <c>read_paper</c> returns it.</summary>
    public static string Markdown(ListItem p, string site)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(PaperText.Text(p.Title)).Append("\n\n");
        if (p.Authors.Count > 0) sb.Append("**Authors:** ").AppendJoin(", ", p.Authors.Select(PaperText.Text)).Append("\n\n");
        sb.Append("**arXiv:** ").Append(p.ArxivId).Append(" (v").Append(p.LatestVersion).Append(") · **Categories:** ").AppendJoin(", ", p.Categories).Append("\n\n");
        sb.Append("**Published:** ").Append(p.FirstSubmittedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
          .Append(" · **Listed:** ").Append(p.ListingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append("\n\n");
        sb.Append("## Abstract\n\n").Append(PaperText.Text(p.Abstract)).Append("\n\n");
        sb.Append("## Links\n\n");
        sb.Append("- arXiv: https://arxiv.org/abs/").Append(p.ArxivId).Append('\n');
        sb.Append("- PDF: https://arxiv.org/pdf/").Append(p.ArxivId).Append('\n');
        if (p.Doi is not null) sb.Append("- DOI: https://doi.org/").Append(p.Doi).Append('\n');
        sb.Append("- DailyPapers: ").Append(site).Append("/papers/").Append(p.ArxivId).Append('\n');
        if (p.JournalRef is not null) sb.Append("\nJournal reference: ").Append(p.JournalRef).Append('\n');
        if (p.Comments is not null) sb.Append("\nComments: ").Append(p.Comments).Append('\n');
        return sb.ToString();
    }
}

/// <summary>Export URLs of a list page.</summary>
public static class ExportLinks
{
    public static string Bib(PaperList list) => Link(list, "bib");
    public static string Ris(PaperList list) => Link(list, "ris");
    private static string Link(PaperList list, string ext)
    {
        var href = PaperList.Href(list.Period, list.View, list.Category, 1);
        int q = href.IndexOf('?');
        return q < 0 ? $"{href}.{ext}" : $"{href[..q]}.{ext}{href[q..]}";
    }
}
