using System.Net;
using System.Net.Http.Headers;
using System.ServiceModel.Syndication;
using System.Xml;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Feeds;

public sealed class FeedTests
{
    private static readonly DateOnly Monday = new(2019, 12, 2);

    private static async Task<TestServer> StartWithPapersAsync(string engine)
    {
        var server = await TestServer.StartAsync(engine);
        await Seed.UpsertAsync(server,
            Seed.Paper("1912.00001", Monday, "Attention <is> all & \"more\"", ["cs.CL", "cs.LG"], doi: "10.1000/xyz"),
            Seed.Paper("1912.00002", Monday, "Graphs of $\\alpha$-things", ["math.CO"]),
            Seed.Paper("1912.00003", Monday.AddDays(1), "Tuesday paper", ["cs.CL"]),
            Seed.Paper("1912.00004", Monday.AddDays(1), "Tuesday stats", ["stat.ML"]));
        await Seed.SetUpvotesAsync(server, "1912.00002", 5);
        return server;
    }

    private static SyndicationFeed Parse(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml));
        return SyndicationFeed.Load(reader);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task DayFeedsAreValidRssAndAtomWithEveryPaperRankedAndEscaped(string engine)
    {
        await using var server = await StartWithPapersAsync(engine);
        foreach (var format in new[] { "rss", "atom" })
        {
            var response = await server.Client.GetAsync($"feeds/date/2019-12-02.{format}?view=all");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(format == "rss" ? "application/rss+xml" : "application/atom+xml", response.Content.Headers.ContentType!.MediaType);
            var feed = Parse(await response.Content.ReadAsStringAsync());

            Assert.Contains("Monday, 2 December 2019", feed.Title.Text);
            Assert.Contains(feed.Links, l => l.Uri.AbsolutePath == "/papers/date/2019-12-02");
            Assert.NotEqual(default, feed.LastUpdatedTime);
            var items = feed.Items.ToList();
            // Most upvoted first, and only that day's papers.
            Assert.Equal(["https://arxiv.org/abs/1912.00002", "https://arxiv.org/abs/1912.00001"], items.Select(i => i.Id));
            Assert.Equal("Attention <is> all & \"more\"", items[1].Title.Text);
            foreach (var item in items)
            {
                Assert.False(string.IsNullOrWhiteSpace(item.Title.Text));
                Assert.Contains(item.Links, l => l.Uri.AbsolutePath == "/papers/" + item.Id[^10..]);
                Assert.Contains("<b>not html</b> & more.", item.Summary.Text);
                Assert.NotEqual(default, item.PublishDate);
                Assert.NotEmpty(item.Categories);
            }
            if (format == "atom")
            {
                Assert.All(items, i => Assert.NotEqual(default, i.LastUpdatedTime));
                Assert.Equal(["Ada Lovelace", "Alan Turing"], items[0].Authors.Select(a => a.Name));
                Assert.Equal(server.BaseAddress + "feeds/date/2019-12-02.atom?view=all", feed.Id);
            }
            else
            {
                Assert.Equal(new DateTimeOffset(2019, 12, 2, 0, 0, 0, TimeSpan.Zero), items[0].PublishDate);
            }
        }
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task LatestFeedFollowsTheLatestDayAndTheCategoryFilter(string engine)
    {
        await using var server = await StartWithPapersAsync(engine);
        var all = Parse(await server.Client.GetStringAsync("feeds/latest.atom"));
        Assert.Equal(["https://arxiv.org/abs/1912.00003", "https://arxiv.org/abs/1912.00004"], all.Items.Select(i => i.Id).Order());
        Assert.Equal(server.BaseAddress + "feeds/latest.atom", all.Id);

        var cl = Parse(await server.Client.GetStringAsync("feeds/latest.rss?cat=cs.CL"));
        Assert.Equal(["https://arxiv.org/abs/1912.00003"], cl.Items.Select(i => i.Id));
        var archive = Parse(await server.Client.GetStringAsync("feeds/latest.rss?cat=stat"));
        Assert.Equal(["https://arxiv.org/abs/1912.00004"], archive.Items.Select(i => i.Id));

        var week = Parse(await server.Client.GetStringAsync("feeds/week/2019-W49.rss?view=all"));
        Assert.Equal(4, week.Items.Count());
        // The curated view (the default) keeps the week's one upvoted paper; the latest day has none, so it showed all.
        var curated = Parse(await server.Client.GetStringAsync("feeds/week/2019-W49.rss"));
        Assert.Equal(["https://arxiv.org/abs/1912.00002"], curated.Items.Select(i => i.Id));
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("feeds/week/2019-W49.rss?view=nope")).StatusCode);
        var month = Parse(await server.Client.GetStringAsync("feeds/month/latest.atom?cat=cs"));
        Assert.Equal(2, month.Items.Count());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SecondRequestWithTheETagOrDateGetsNotModified(string engine)
    {
        await using var server = await StartWithPapersAsync(engine);
        var first = await server.Client.GetAsync("feeds/date/2019-12-02.rss");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.NotNull(first.Content.Headers.LastModified);
        Assert.True(first.Headers.CacheControl!.Public);
        Assert.True(first.Headers.CacheControl.MaxAge > TimeSpan.Zero);

        using var again = new HttpRequestMessage(HttpMethod.Get, "feeds/date/2019-12-02.rss");
        again.Headers.IfNoneMatch.Add(etag!);
        var second = await server.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());

        using var byDate = new HttpRequestMessage(HttpMethod.Get, "feeds/date/2019-12-02.atom");
        byDate.Headers.IfModifiedSince = first.Content.Headers.LastModified;
        Assert.Equal(HttpStatusCode.NotModified, (await server.Client.SendAsync(byDate)).StatusCode);

        using var stale = new HttpRequestMessage(HttpMethod.Get, "feeds/date/2019-12-03.rss");
        stale.Headers.IfNoneMatch.Add(etag!);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(stale)).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task FeedOfAnInvalidPeriodOrCategoryIsAProblem(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        foreach (var url in new[] { "feeds/date/2019-13-40.rss", "feeds/week/2019-W60.atom", "feeds/latest.rss?cat=not%20a%20cat" })
        {
            var response = await server.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
        // An empty instance still serves a valid (empty) latest feed, so a subscription made early keeps working.
        var empty = Parse(await server.Client.GetStringAsync("feeds/latest.rss"));
        Assert.Empty(empty.Items);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ListPagesAdvertiseAndLinkTheirFeeds(string engine)
    {
        await using var server = await StartWithPapersAsync(engine);
        var day = await server.Client.GetStringAsync("papers/date/2019-12-02?cat=cs.CL");
        Assert.Contains("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Monday, 2 December 2019 in cs.CL (RSS)\" href=\"/feeds/date/2019-12-02.rss?cat=cs.CL\">", day);
        Assert.Contains("<link rel=\"alternate\" type=\"application/atom+xml\"", day);
        Assert.Contains("<a href=\"/feeds/date/2019-12-02.rss?cat=cs.CL\" type=\"application/rss+xml\">RSS</a>", day);
        var week = await server.Client.GetStringAsync("papers/week/2019-W49");
        Assert.Contains("href=\"/feeds/week/2019-W49.atom\"", week);
        var front = await server.Client.GetStringAsync("/");
        Assert.Contains("href=\"/feeds/latest.rss\"", front);
        // Every advertised feed resolves.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("feeds/date/2019-12-02.rss?cat=cs.CL")).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task FeedsAnswerHeadRequests(string engine)
    {
        await using var server = await StartWithPapersAsync(engine);
        var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "feeds/latest.rss"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.NotNull(head.Headers.ETag);
    }
}

public sealed class SearchFeedTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SearchFeedReturnsTheSamePapersAsTheSearchApi(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        var day = new DateOnly(2019, 12, 2);
        await Seed.UpsertAsync(server,
            Seed.Paper("1912.00001", day, "Sparse attention for long documents"),
            Seed.Paper("1912.00002", day, "Dense retrieval"),
            Seed.Paper("1912.00003", day.AddDays(1), "Attention is sparse"));
        await Seed.SetUpvotesAsync(server, "1912.00003", 4);
        async Task<List<string>> Api() => System.Text.Json.JsonDocument.Parse(await server.Client.GetStringAsync("api/papers/search?q=sparse")).RootElement
            .EnumerateArray().Select(e => "https://arxiv.org/abs/" + e.GetProperty("paper").GetProperty("id").GetString()).ToList();
        // The semantic index fills in the background and may add neighbours between two requests: compare the feed
        // with the API at a moment the API answers the same before and after it.
        List<string> api = [];
        SyndicationFeed feed = null!;
        for (int attempt = 0; attempt < 40; attempt++)
        {
            api = await Api();
            using var reader = XmlReader.Create(new StringReader(await server.Client.GetStringAsync("feeds/search.atom?q=sparse")));
            feed = SyndicationFeed.Load(reader);
            if (api.SequenceEqual(await Api())) break;
            await Task.Delay(500);
        }
        // The two papers with the word lead, in the search's own order; hybrid search may add semantic neighbours after them.
        Assert.Equal(["https://arxiv.org/abs/1912.00001", "https://arxiv.org/abs/1912.00003"], feed.Items.Take(2).Select(i => i.Id).Order());
        Assert.Equal(api, feed.Items.Select(i => i.Id));
        Assert.EndsWith("/search?q=sparse", feed.Links.Single(l => l.RelationshipType == "alternate").Uri.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("feeds/search.rss?q=")).StatusCode);
    }
}

public sealed class TrendingFeedTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TrendingFeedListsRisingPapersInTheTrendingPagesOrder(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await Seed.UpsertAsync(server,
            Seed.Paper("2511.00001", today, "Fresh and liked"),
            Seed.Paper("2511.00002", today.AddDays(-3), "Older with more votes"),
            Seed.Paper("2511.00003", today, "Nobody voted"));
        await Seed.SetUpvotesAsync(server, "2511.00001", 5);
        await Seed.SetUpvotesAsync(server, "2511.00002", 8);

        using var reader = XmlReader.Create(new StringReader(await server.Client.GetStringAsync("feeds/trending.atom")));
        var feed = SyndicationFeed.Load(reader);

        // 5 votes today outrank 8 votes three days ago (score decays as age^1.5); unvoted papers do not trend.
        Assert.Equal(["https://arxiv.org/abs/2511.00001", "https://arxiv.org/abs/2511.00002"], feed.Items.Select(i => i.Id));
        var page = await server.Client.GetStringAsync("papers/trending");
        Assert.Contains("href=\"/feeds/trending.rss\"", page);
        Assert.Contains("application/atom+xml", page);
        Assert.True(page.IndexOf("2511.00001", StringComparison.Ordinal) < page.IndexOf("2511.00002", StringComparison.Ordinal));
    }
}
