using DailyPapers.Ingest;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Feeds;

/// <summary>Small hand-made paper sets, written through the one write path (PaperUpsert).</summary>
public static class Seed
{
    public static PaperRecord Paper(string id, DateOnly listed, string title = "A paper", string[]? cats = null, string[]? authors = null,
        string? submitter = null, string? doi = null, string abs = "An abstract with $x^2$ and <b>not html</b> & more.") => new()
    {
        ArxivId = id,
        Title = title,
        Abstract = abs,
        Authors = (authors ?? ["Ada Lovelace", "Alan Turing"]).Select(a => new AuthorName(a)).ToList(),
        Categories = cats ?? ["cs.CL"],
        Versions = [new VersionInfo(1, listed.ToDateTime(new TimeOnly(9, 30), DateTimeKind.Utc).AddDays(-1))],
        AnnouncedOn = listed,
        Submitter = submitter,
        Doi = doi,
    };

    /// <summary>Writes papers and brings the server's search index up to date, as its background loop would within seconds.</summary>
    public static async Task UpsertAsync(TestServer server, params PaperRecord[] records)
    {
        await new PaperUpsert(server.Database.Settings).UpsertAsync(records);
        await server.App.Services.GetRequiredService<DailyPapers.Search.SearchEngine>().Keyword.CatchUpAsync(server.Database.Settings);
    }

    /// <summary>Marks a paper as listed by the curated source (HF) with that daily submitter, as the HF history import does.</summary>
    public static async Task SetHfSubmitterAsync(TestServer server, string arxivId, string handle, int hfUpvotes = 0)
    {
        await using var db = server.Database.Settings.CreateContext();
        await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ExecuteUpdateAsync(
            db.Papers.Where(p => p.ArxivId == arxivId),
            s => s.SetProperty(p => p.HfSubmitter, handle).SetProperty(p => p.CuratedSource, true).SetProperty(p => p.HfUpvotes, hfUpvotes));
    }

    /// <summary>Sets upvotes directly, faster than voting through accounts when a test only needs distinct counts.</summary>
    public static async Task SetUpvotesAsync(TestServer server, string arxivId, int upvotes)
    {
        await using var db = server.Database.Settings.CreateContext();
        await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ExecuteUpdateAsync(
            db.Papers.Where(p => p.ArxivId == arxivId), s => s.SetProperty(p => p.Upvotes, upvotes));
    }
}
