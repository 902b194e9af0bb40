using System.Globalization;
using System.Text;
using System.Xml;
using DailyPapers.Papers;

namespace DailyPapers.Feeds;

public enum FeedFormat { Rss, Atom }

/// <summary>One feed to write: what the list is, where it lives, and its papers in list order.</summary>
/// <param name="SelfUrl">The feed's own absolute URL; also the Atom feed id, so it must not carry volatile parameters.</param>
/// <param name="PageUrl">The HTML page showing the same list.</param>
/// <param name="EmptyUpdated">The feed's update time when it has no items (a feed must always state one).</param>
public sealed record FeedChannel(string Title, string Description, string SelfUrl, string PageUrl, string SiteUrl, DateTime EmptyUpdated);

/// <summary>
/// Writes RSS 2.0 and Atom 1.0 with XmlWriter, which escapes all text; no syndication library is needed to write
/// two fixed formats. Item ids are the papers' arXiv abstract URLs: unique, stable across hosts and feeds.
/// </summary>
public static class FeedWriter
{
    private const string AtomNs = "http://www.w3.org/2005/Atom";
    private const string DcNs = "http://purl.org/dc/elements/1.1/";

    public static string ContentType(FeedFormat f) => f == FeedFormat.Rss ? "application/rss+xml; charset=utf-8" : "application/atom+xml; charset=utf-8";

    public static DateTime LastModified(FeedChannel channel, IReadOnlyList<ListItem> items) =>
        items.Count == 0 ? channel.EmptyUpdated : items.Max(i => i.LastUpdatedAt);

    public static byte[] Write(FeedFormat format, FeedChannel channel, IReadOnlyList<ListItem> items, Func<ListItem, string> pageUrl)
    {
        using var ms = new MemoryStream();
        using (var w = XmlWriter.Create(ms, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, Async = false }))
        {
            if (format == FeedFormat.Rss) WriteRss(w, channel, items, pageUrl);
            else WriteAtom(w, channel, items, pageUrl);
        }
        return ms.ToArray();
    }

    /// <summary>RFC 822 date as RSS 2.0 requires, always in GMT.</summary>
    public static string Rfc822(DateTime utc) => utc.ToString("r", CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 date as Atom requires.</summary>
    public static string Rfc3339(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static DateTime ListedAt(ListItem i) => i.ListingDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private static void WriteRss(XmlWriter w, FeedChannel c, IReadOnlyList<ListItem> items, Func<ListItem, string> pageUrl)
    {
        w.WriteStartDocument();
        w.WriteStartElement("rss");
        w.WriteAttributeString("version", "2.0");
        w.WriteAttributeString("xmlns", "atom", null, AtomNs);
        w.WriteAttributeString("xmlns", "dc", null, DcNs);
        w.WriteStartElement("channel");
        w.WriteElementString("title", Clean(c.Title));
        w.WriteElementString("link", c.PageUrl);
        w.WriteElementString("description", Clean(c.Description));
        w.WriteElementString("language", "en");
        w.WriteElementString("generator", "DailyPapers");
        w.WriteElementString("lastBuildDate", Rfc822(LastModified(c, items)));
        w.WriteStartElement("atom", "link", AtomNs);
        w.WriteAttributeString("href", c.SelfUrl);
        w.WriteAttributeString("rel", "self");
        w.WriteAttributeString("type", "application/rss+xml");
        w.WriteEndElement();
        foreach (var i in items)
        {
            w.WriteStartElement("item");
            w.WriteElementString("title", Clean(PaperText.Text(i.Title)));
            w.WriteElementString("link", pageUrl(i));
            w.WriteElementString("description", Clean(Description(i)));
            w.WriteStartElement("guid");
            w.WriteAttributeString("isPermaLink", "true");
            w.WriteString(AbsUrl(i));
            w.WriteEndElement();
            w.WriteElementString("pubDate", Rfc822(ListedAt(i)));
            foreach (var cat in i.Categories) w.WriteElementString("category", Clean(cat));
            foreach (var a in i.Authors) w.WriteElementString("dc", "creator", DcNs, Clean(PaperText.Text(a)));
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static void WriteAtom(XmlWriter w, FeedChannel c, IReadOnlyList<ListItem> items, Func<ListItem, string> pageUrl)
    {
        w.WriteStartDocument();
        w.WriteStartElement("feed", AtomNs);
        w.WriteElementString("id", AtomNs, c.SelfUrl);
        WriteText(w, "title", c.Title);
        WriteText(w, "subtitle", c.Description);
        w.WriteElementString("updated", AtomNs, Rfc3339(LastModified(c, items)));
        WriteLink(w, c.SelfUrl, "self", "application/atom+xml");
        WriteLink(w, c.PageUrl, "alternate", "text/html");
        // A feed-level author makes every entry valid even when a paper lists no authors.
        w.WriteStartElement("author", AtomNs);
        w.WriteElementString("name", AtomNs, "DailyPapers");
        w.WriteElementString("uri", AtomNs, c.SiteUrl);
        w.WriteEndElement();
        w.WriteElementString("generator", AtomNs, "DailyPapers");
        foreach (var i in items)
        {
            w.WriteStartElement("entry", AtomNs);
            w.WriteElementString("id", AtomNs, AbsUrl(i));
            WriteText(w, "title", PaperText.Text(i.Title));
            w.WriteElementString("updated", AtomNs, Rfc3339(i.LastUpdatedAt));
            w.WriteElementString("published", AtomNs, Rfc3339(i.FirstSubmittedAt));
            WriteLink(w, pageUrl(i), "alternate", "text/html");
            WriteLink(w, AbsUrl(i), "related", "text/html");
            foreach (var a in i.Authors)
            {
                w.WriteStartElement("author", AtomNs);
                w.WriteElementString("name", AtomNs, Clean(PaperText.Text(a)));
                w.WriteEndElement();
            }
            foreach (var cat in i.Categories)
            {
                w.WriteStartElement("category", AtomNs);
                w.WriteAttributeString("term", Clean(cat));
                w.WriteEndElement();
            }
            WriteText(w, "summary", PaperText.Text(i.Abstract));
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static string AbsUrl(ListItem i) => $"https://arxiv.org/abs/{i.ArxivId}";

    private static string Description(ListItem i)
    {
        var sb = new StringBuilder();
        if (i.Authors.Count > 0) sb.Append(PaperText.Text(string.Join(", ", i.Authors))).Append(". ");
        sb.Append("arXiv:").Append(i.ArxivId);
        // Papers known only from a curated source have no categories until arXiv's metadata arrives: no empty brackets.
        if (i.Categories.Count > 0) sb.Append(" [").AppendJoin(' ', i.Categories).Append(']');
        sb.Append("\n\n").Append(PaperText.Text(i.Abstract));
        return sb.ToString();
    }

    private static void WriteText(XmlWriter w, string name, string text)
    {
        w.WriteStartElement(name, AtomNs);
        w.WriteAttributeString("type", "text");
        w.WriteString(Clean(text));
        w.WriteEndElement();
    }

    /// <summary>
    /// Drops characters XML 1.0 cannot carry: control characters and unpaired surrogates, in metadata or in a search's
    /// own words (a NUL in <c>q</c>), would otherwise fail the whole feed.
    /// </summary>
    public static string Clean(string s)
    {
        for (int i = 0; i < s.Length; i++)
            if (!CanCarry(s, i))
            {
                var sb = new StringBuilder(s.Length);
                for (int j = 0; j < s.Length; j++)
                    if (CanCarry(s, j)) sb.Append(s[j]);
                return sb.ToString();
            }
        return s;
    }

    private static bool CanCarry(string s, int i) =>
        XmlConvert.IsXmlChar(s[i])
        || (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        || (char.IsLowSurrogate(s[i]) && i > 0 && char.IsHighSurrogate(s[i - 1]));

    private static void WriteLink(XmlWriter w, string href, string rel, string type)
    {
        w.WriteStartElement("link", AtomNs);
        w.WriteAttributeString("rel", rel);
        w.WriteAttributeString("type", type);
        w.WriteAttributeString("href", href);
        w.WriteEndElement();
    }
}
