using System.Globalization;
using System.Xml.Linq;
using DailyPapers.Papers;

namespace DailyPapers.Ingest;

/// <summary>One announced paper of an arXiv RSS feed.</summary>
public sealed record RssItem(ArxivId Id, string AnnounceType, DateOnly? AnnouncedOn);

public sealed record RssFeed(IReadOnlyList<RssItem> Items);

/// <summary>
/// Parses rss.arxiv.org feeds (RSS 2.0, format of January 2024): each item's id comes from its guid
/// ("oai:arXiv.org:2401.12345v1"), the announcement type from <c>arxiv:announce_type</c>, the listing day from
/// <c>pubDate</c>. Metadata is then looked up through the API, which is more complete than the feed.
/// </summary>
public static class ArxivRss
{
    public static RssFeed Parse(XDocument doc)
    {
        var channel = doc.Root is { Name.LocalName: "rss" } rss ? rss.Kid("channel") : null;
        if (channel is null) throw new ArxivFormatException("not an RSS 2.0 feed");
        var items = new List<RssItem>();
        foreach (var item in channel.Kids("item"))
        {
            var guid = Text.Squash(item.KidText("guid"));
            var raw = guid.StartsWith("oai:arXiv.org:", StringComparison.OrdinalIgnoreCase) ? guid[14..] : Text.Squash(item.KidText("link"));
            if (!ArxivId.TryParse(raw, out var id)) continue;
            var type = Text.Squash(item.KidText("announce_type")).ToLowerInvariant();
            DateOnly? day = DateTimeOffset.TryParse(item.KidText("pubDate"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var pub)
                ? DateOnly.FromDateTime(pub.DateTime) : null;
            items.Add(new RssItem(id, type.Length == 0 ? "new" : type, day));
        }
        return new RssFeed(items);
    }
}
