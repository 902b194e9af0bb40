using System.Globalization;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using DailyPapers.Papers;

namespace DailyPapers.Ingest;

/// <summary>One page of arXiv API results: the papers, how many entries were unusable, and where the next page starts (null at the end).</summary>
public sealed record AtomPage(IReadOnlyList<PaperRecord> Papers, int Rejected, long TotalResults, int StartIndex, int? NextStart);

/// <summary>
/// Client of the arXiv API (<c>/api/query</c>, Atom): id look-ups in batches and search back-fills with opensearch
/// paging. Goes through <see cref="ArxivHttp"/>, so it shares the politeness rules with every other arXiv source.
/// Returns records; callers write them with <see cref="PaperUpsert"/>.
/// </summary>
public sealed class ArxivApiClient(ArxivHttp http)
{
    /// <summary>Results per search page; arXiv recommends slices of at most a few thousand, 200 keeps pages small.</summary>
    public const int SearchPageSize = 200;

    /// <summary>Looks up papers by id (any version; the latest is returned). Unknown ids are simply absent from the result.</summary>
    public async Task<IReadOnlyList<PaperRecord>> GetByIdsAsync(IEnumerable<ArxivId> ids, CancellationToken ct = default)
    {
        var distinct = ids.Select(i => i.BaseId).Distinct(StringComparer.Ordinal).ToList();
        var result = new List<PaperRecord>(distinct.Count);
        foreach (var batch in distinct.Chunk(http.Options.ApiBatchSize))
        {
            var url = Url(("id_list", string.Join(',', batch)), ("max_results", batch.Length.ToString(CultureInfo.InvariantCulture)));
            var page = ArxivAtomParser.Parse(SafeXml.Load(await http.GetAsync(url, ct), url.ToString()));
            result.AddRange(page.Papers);
        }
        return result;
    }

    /// <summary>
    /// Looks up one paper for someone waiting on a page (a submission): one request within
    /// <see cref="ArxivSettings.InteractiveTimeout"/>, no retries. Null when arXiv has no such paper.
    /// </summary>
    public async Task<PaperRecord?> LookUpAsync(ArxivId id, CancellationToken ct = default)
    {
        var url = Url(("id_list", id.BaseId), ("max_results", "1"));
        var page = ArxivAtomParser.Parse(SafeXml.Load(await http.GetInteractiveAsync(url, ct), url.ToString()));
        return page.Papers.FirstOrDefault(r => r.ArxivId == id.BaseId);
    }

    /// <summary>Pages through a <c>search_query</c> (oldest submission first) from <paramref name="start"/> until the results end.</summary>
    public async IAsyncEnumerable<AtomPage> SearchPagesAsync(string query, int start = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            var url = Url(("search_query", query), ("start", start.ToString(CultureInfo.InvariantCulture)),
                ("max_results", SearchPageSize.ToString(CultureInfo.InvariantCulture)), ("sortBy", "submittedDate"), ("sortOrder", "ascending"));
            var page = ArxivAtomParser.Parse(SafeXml.Load(await http.GetAsync(url, ct), url.ToString()));
            int got = page.Papers.Count + page.Rejected;
            int next = page.StartIndex + got;
            // An empty page before the announced total is arXiv's known flakiness; stopping is safer than looping.
            var last = got == 0 || next >= page.TotalResults;
            yield return page with { NextStart = last ? null : next };
            if (last) yield break;
            start = next;
        }
    }

    private Uri Url(params (string Key, string Value)[] query)
    {
        var b = http.Options.ApiBaseUrl;
        return new Uri(b + (b.Contains('?') ? "&" : "?") + string.Join('&', query.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}")));
    }
}

/// <summary>Parses the arXiv API's Atom feed (with its arxiv: and opensearch: extensions).</summary>
public static class ArxivAtomParser
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    public static AtomPage Parse(XDocument doc)
    {
        var feed = doc.Root;
        if (feed is null || feed.Name != Atom + "feed") throw new ArxivFormatException($"not an Atom feed (root element <{feed?.Name.LocalName}>)");
        long total = long.TryParse(feed.KidText("totalResults"), out var t) ? t : 0;
        int start = int.TryParse(feed.KidText("startIndex"), out var s) ? s : 0;
        var papers = new List<PaperRecord>();
        int rejected = 0;
        foreach (var entry in feed.Kids("entry"))
        {
            var idText = Text.Squash(entry.KidText("id"));
            if (idText.Contains("/api/errors", StringComparison.Ordinal))
                throw new ArxivFormatException($"arXiv API error: {Text.Squash(entry.KidText("summary"))}");
            if (FromEntry(entry, idText) is { } r) papers.Add(r); else rejected++;
        }
        return new AtomPage(papers, rejected, total, start, null);
    }

    private static PaperRecord? FromEntry(XElement e, string idText)
    {
        if (!ArxivId.TryParse(idText, out var id)) return null;
        var title = Text.Squash(e.KidText("title"));
        var abs = Text.Squash(e.KidText("summary"));
        if (title.Length == 0 || abs.Length == 0) return null;
        if (!DateTime.TryParse(e.KidText("published"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var published)) return null;
        DateTime.TryParse(e.KidText("updated"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var updated);
        published = DateTime.SpecifyKind(published, DateTimeKind.Utc);
        updated = DateTime.SpecifyKind(updated, DateTimeKind.Utc);

        // The API gives the first version's date (published) and the latest one's (updated), not those in between.
        var versions = new List<VersionInfo> { new(1, published) };
        if (id.Version is int v && v > 1) versions.Add(new VersionInfo(v, updated > published ? updated : published));

        var primary = (string?)e.Kid("primary_category")?.Attribute("term");
        var categories = new List<string>();
        if (!string.IsNullOrWhiteSpace(primary)) categories.Add(primary.Trim());
        foreach (var c in e.Kids("category"))
            if ((string?)c.Attribute("term") is { } term && Categories.IsValidCode(term.Trim()) && !categories.Contains(term.Trim())) categories.Add(term.Trim());
        if (categories.Count == 0) return null;

        var comments = Text.NullIfBlank(e.KidText("comment"));
        return new PaperRecord
        {
            ArxivId = id.BaseId,
            Title = title,
            Abstract = abs,
            Authors = e.Kids("author").Select(a => Text.Squash(a.KidText("name"))).Where(n => n.Length > 0).Select(n => new AuthorName(n)).ToList(),
            Categories = categories,
            Versions = versions,
            Comments = comments,
            JournalRef = Text.NullIfBlank(e.KidText("journal_ref")),
            Doi = Text.NullIfBlank(e.KidText("doi")),
            Withdrawn = Withdrawal.IsWithdrawn(comments),
        };
    }
}
