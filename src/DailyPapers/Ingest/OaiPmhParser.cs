using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DailyPapers.Papers;

namespace DailyPapers.Ingest;

/// <summary>One record of an OAI-PMH list: a paper, a deletion, or a record we could not use (with the reason).</summary>
public sealed record OaiItem(string ArxivId, DateOnly Datestamp, bool Deleted, PaperRecord? Paper, string? Rejected);

/// <summary>One page of ListRecords/GetRecord: its items and the token for the next page (null at the end).</summary>
public sealed record OaiPage(IReadOnlyList<OaiItem> Items, string? ResumptionToken, long? CompleteListSize);

/// <summary>One header of a ListIdentifiers page: an id and its datestamp; deleted records are marked.</summary>
public sealed record OaiHeader(string ArxivId, DateOnly Datestamp, bool Deleted);

/// <summary>One page of ListIdentifiers: its headers and the token for the next page (null at the end).</summary>
public sealed record OaiHeaderPage(IReadOnlyList<OaiHeader> Headers, string? ResumptionToken);

/// <summary>The server answered with an OAI-PMH error other than "no records match".</summary>
public sealed class OaiPmhErrorException(string code, string message) : Exception($"OAI-PMH error {code}: {message}")
{
    public string Code { get; } = code;
}

/// <summary>
/// Parses OAI-PMH responses of arXiv in its three metadata formats: <c>arXivRaw</c> (all versions with dates and
/// sizes: preferred), <c>arXiv</c> (structured authors, only created/updated dates) and <c>oai_dc</c> (subjects as
/// names, mapped through <see cref="ArxivTaxonomy"/>). Elements are matched by local name because arXiv's own
/// responses are not always consistent about namespaces.
/// </summary>
public static partial class OaiPmhParser
{
    public static OaiPage Parse(XDocument doc)
    {
        if (Root(doc) is not { } root) return new OaiPage([], null, 0);
        var list = root.Kid("ListRecords") ?? root.Kid("GetRecord")
            ?? throw new ArxivFormatException("OAI-PMH response has neither ListRecords nor GetRecord");
        var items = list.Kids("record").Select(ParseRecord).ToList();
        var (token, size) = Token(list);
        return new OaiPage(items, token, size);
    }

    /// <summary>
    /// Parses a ListIdentifiers page. Headers whose identifier is not an arXiv id are left out: the harvest rejects
    /// those records too, so they could never be stored.
    /// </summary>
    public static OaiHeaderPage ParseIdentifiers(XDocument doc)
    {
        if (Root(doc) is not { } root) return new OaiHeaderPage([], null);
        var list = root.Kid("ListIdentifiers") ?? throw new ArxivFormatException("OAI-PMH response has no ListIdentifiers");
        var headers = new List<OaiHeader>();
        foreach (var header in list.Kids("header"))
        {
            var identifier = Text.Squash(header.KidText("identifier"));
            var rawId = identifier.StartsWith("oai:arXiv.org:", StringComparison.OrdinalIgnoreCase) ? identifier[14..] : identifier;
            if (!ArxivId.TryParse(rawId, out var id, out _)) continue;
            DateOnly.TryParseExact(Text.Squash(header.KidText("datestamp")), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var datestamp);
            headers.Add(new OaiHeader(id.BaseId, datestamp, (string?)header.Attribute("status") == "deleted"));
        }
        return new OaiHeaderPage(headers, Token(list).Token);
    }

    /// <summary>The OAI-PMH root element; null for "no records match"; other OAI-PMH errors throw.</summary>
    private static XElement? Root(XDocument doc)
    {
        var root = doc.Root;
        if (root is null || root.Name.LocalName != "OAI-PMH")
            throw new ArxivFormatException($"not an OAI-PMH response (root element <{root?.Name.LocalName}>)");
        if (root.Kid("error") is { } error)
        {
            var code = (string?)error.Attribute("code") ?? "unknown";
            if (code == "noRecordsMatch") return null;
            throw new OaiPmhErrorException(code, Text.Squash(error.Value));
        }
        return root;
    }

    private static (string? Token, long? Size) Token(XElement list)
    {
        if (list.Kid("resumptionToken") is not { } rt) return (null, null);
        var token = string.IsNullOrWhiteSpace(rt.Value) ? null : rt.Value.Trim();
        return (token, long.TryParse((string?)rt.Attribute("completeListSize"), out var n) ? n : null);
    }

    private static OaiItem ParseRecord(XElement record)
    {
        var header = record.Kid("header") ?? throw new ArxivFormatException("OAI-PMH record without header");
        var identifier = Text.Squash(header.KidText("identifier"));
        var rawId = identifier.StartsWith("oai:arXiv.org:", StringComparison.OrdinalIgnoreCase) ? identifier[14..] : identifier;
        DateOnly.TryParseExact(Text.Squash(header.KidText("datestamp")), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var datestamp);
        if (!ArxivId.TryParse(rawId, out var id, out var idError))
            return new OaiItem(rawId, datestamp, false, null, idError);
        if ((string?)header.Attribute("status") == "deleted")
            return new OaiItem(id.BaseId, datestamp, true, null, null);

        var metadata = record.Kid("metadata")?.Elements().FirstOrDefault();
        if (metadata is null) return new OaiItem(id.BaseId, datestamp, false, null, $"{id.BaseId}: record without metadata");
        string? error;
        var paper = metadata.Name.LocalName switch
        {
            "arXivRaw" => FromArxivRaw(metadata, id, out error),
            "arXiv" => FromArxiv(metadata, id, out error),
            "dc" => FromOaiDc(metadata, id, out error),
            var other => Fail($"{id.BaseId}: unknown metadata format <{other}>", out error),
        };
        return new OaiItem(id.BaseId, datestamp, false, paper, error);
    }

    private static PaperRecord? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }

    private static PaperRecord? FromArxivRaw(XElement m, ArxivId id, out string? error)
    {
        var versions = new List<VersionInfo>();
        foreach (var v in m.Kids("version"))
        {
            var label = (string?)v.Attribute("version") ?? "";
            if (label.Length < 2 || !int.TryParse(label.AsSpan(1), out var n) || n < 1) return Fail($"{id.BaseId}: bad version '{label}'", out error);
            if (ParseRfc1123(v.KidText("date")) is not { } created) return Fail($"{id.BaseId}: bad version date '{v.KidText("date")}'", out error);
            versions.Add(new VersionInfo(n, created, Text.NullIfBlank(v.KidText("size"))));
        }
        var authors = AuthorList.Split(m.KidText("authors")).Select(a => new AuthorName(a)).ToList();
        return Build(id, m.KidText("title"), m.KidText("abstract"), authors, SplitCategories(m.KidText("categories")), versions,
            m, submitter: m.KidText("submitter"), updated: null, out error);
    }

    private static PaperRecord? FromArxiv(XElement m, ArxivId id, out string? error)
    {
        // The arXiv format names no version numbers: only the first version's date and the last update's.
        if (ParseDay(m.KidText("created")) is not { } created) return Fail($"{id.BaseId}: bad created date '{m.KidText("created")}'", out error);
        var authors = new List<AuthorName>();
        foreach (var a in m.Kid("authors")?.Kids("author") ?? [])
        {
            var last = Text.Squash(a.KidText("keyname"));
            var first = Text.Squash(a.KidText("forenames"));
            var suffix = Text.Squash(a.KidText("suffix"));
            var name = string.Join(' ', new[] { first, last, suffix }.Where(s => s.Length > 0));
            if (name.Length > 0) authors.Add(new AuthorName(name, last.Length > 0 ? last : null, first.Length > 0 ? first : null));
        }
        return Build(id, m.KidText("title"), m.KidText("abstract"), authors, SplitCategories(m.KidText("categories")), [new VersionInfo(1, created)],
            m, submitter: null, updated: ParseDay(m.KidText("updated")), out error);
    }

    private static PaperRecord? FromOaiDc(XElement m, ArxivId id, out string? error)
    {
        var authors = m.Kids("creator").Select(c => AuthorList.FromLastCommaFirst(c.Value)).Where(a => a is not null).Select(a => a!).ToList();
        var subjects = m.Kids("subject").Select(s => s.Value).ToList();
        var descriptions = m.Kids("description").Select(d => d.Value).ToList();
        var dates = m.Kids("date").Select(d => d.Value).ToList();
        var identifiers = m.Kids("identifier").Select(d => d.Value).ToList();
        return FromDublinCore(id, m.Kids("title").Select(t => t.Value).FirstOrDefault(), authors, subjects, descriptions, dates, identifiers, out error);
    }

    /// <summary>
    /// Maps Dublin Core fields (as arXiv fills them) to a record: subjects are category names, the abstract is the
    /// description that does not start with "Comment:", each date is a version, identifiers hold the abs URL, a
    /// "doi:" and otherwise the journal reference. Shared by the XML parser and the JSON-lines replay format.
    /// </summary>
    public static PaperRecord? FromDublinCore(ArxivId id, string? title, IReadOnlyList<AuthorName> authors, IEnumerable<string> subjects,
        IEnumerable<string> descriptions, IEnumerable<string> dates, IEnumerable<string> identifiers, out string? error)
    {
        var categories = subjects.Select(ArxivTaxonomy.CodeFor).OfType<string>().Distinct().ToList();
        if (categories.Count == 0 && id.IsOldStyle) categories.Add(id.BaseId[..id.BaseId.IndexOf('/')]);
        if (categories.Count == 0) return Fail($"{id.BaseId}: no subject names an arXiv category", out error);

        string? abs = null, comments = null;
        foreach (var d in descriptions)
        {
            var t = d.TrimStart();
            if (t.StartsWith("Comment:", StringComparison.Ordinal)) comments ??= t[8..];
            else abs ??= d;
        }
        var versions = new List<VersionInfo>();
        foreach (var d in dates)
        {
            if (ParseDay(d) is not { } day) return Fail($"{id.BaseId}: bad date '{d}'", out error);
            versions.Add(new VersionInfo(versions.Count + 1, day));
        }
        string? doi = null, journal = null;
        foreach (var raw in identifiers)
        {
            var s = Text.Squash(raw);
            if (s.StartsWith("doi:", StringComparison.OrdinalIgnoreCase)) doi ??= s[4..].Trim();
            else if (!s.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !s.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) journal ??= s;
        }
        return Build(id, title, abs, authors, categories, versions, null, submitter: null, updated: null, out error, comments, journal, doi);
    }

    private static PaperRecord? Build(ArxivId id, string? rawTitle, string? rawAbstract, IReadOnlyList<AuthorName> authors, IReadOnlyList<string> categories,
        List<VersionInfo> versions, XElement? m, string? submitter, DateTime? updated, out string? error,
        string? comments = null, string? journalRef = null, string? doi = null)
    {
        var title = Text.Squash(rawTitle);
        if (title.Length == 0) return Fail($"{id.BaseId}: missing title", out error);
        var abs = Text.Squash(rawAbstract);
        if (abs.Length == 0) return Fail($"{id.BaseId}: missing abstract", out error);
        if (categories.Count == 0) return Fail($"{id.BaseId}: missing categories", out error);
        if (versions.Count == 0) return Fail($"{id.BaseId}: no versions", out error);
        comments = Text.NullIfBlank(comments ?? m?.KidText("comments"));
        error = null;
        return new PaperRecord
        {
            ArxivId = id.BaseId,
            Title = title,
            Abstract = abs,
            Authors = authors,
            Categories = categories,
            Versions = versions,
            Comments = comments,
            JournalRef = Text.NullIfBlank(journalRef ?? m?.KidText("journal-ref")),
            Doi = Text.NullIfBlank(doi ?? m?.KidText("doi")),
            ReportNo = Text.NullIfBlank(m?.KidText("report-no")),
            License = Text.NullIfBlank(m?.KidText("license")),
            Submitter = Text.NullIfBlank(submitter),
            UpdatedAt = updated,
            Withdrawn = Withdrawal.IsWithdrawn(comments),
        };
    }

    internal static IReadOnlyList<string> SplitCategories(string? s) =>
        Text.Squash(s).Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();

    internal static DateTime? ParseDay(string? s) =>
        DateTime.TryParseExact(Text.Squash(s), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : null;

    private static readonly string[] Rfc1123Formats = ["ddd, d MMM yyyy HH:mm:ss 'GMT'", "ddd, dd MMM yyyy HH:mm:ss 'GMT'", "r"];

    internal static DateTime? ParseRfc1123(string? s) =>
        DateTime.TryParseExact(Text.Squash(s), Rfc1123Formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : null;
}

/// <summary>arXiv marks a withdrawal with a new version whose comment says so; there is no separate flag in its metadata.</summary>
public static partial class Withdrawal
{
    public static bool IsWithdrawn(string? comments) => comments is not null && Pattern().IsMatch(comments);

    [GeneratedRegex(@"^\W*(?:this (?:paper|article|submission|manuscript|preprint|work) (?:has been|is|was) withdrawn|withdrawn\b|paper withdrawn)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>Splits arXiv's free-text author lists.</summary>
public static partial class AuthorList
{
    /// <summary>"A (X, Y), B and C" → [A, B, C]: affiliations in parentheses are dropped first so their commas do not split names.</summary>
    public static IEnumerable<string> Split(string? authors)
    {
        var s = Text.Squash(authors);
        // Nested parentheses are rare but exist; strip innermost groups until none is left.
        for (int guard = 0; guard < 5 && s.Contains('('); guard++) s = Parenthesised().Replace(s, "");
        return Text.Squash(s)
            .Replace(", and ", ", ", StringComparison.Ordinal)
            .Replace(" and ", ", ", StringComparison.Ordinal)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(x => x.Length > 0);
    }

    /// <summary>"Last, First" (Dublin Core creators) → an author with both parts; a name without a comma is kept whole.</summary>
    public static AuthorName? FromLastCommaFirst(string creator)
    {
        var s = Text.Squash(creator);
        if (s.Length == 0) return null;
        var comma = s.IndexOf(',');
        if (comma < 0) return new AuthorName(s);
        var last = s[..comma].Trim();
        var first = s[(comma + 1)..].Trim();
        var name = first.Length > 0 ? $"{first} {last}" : last;
        return new AuthorName(name, last.Length > 0 ? last : null, first.Length > 0 ? first : null);
    }

    [GeneratedRegex(@"\([^()]*\)")]
    private static partial Regex Parenthesised();
}
