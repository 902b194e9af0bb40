using DailyPapers.Ingest;
using DailyPapers.Papers;
using DailyPapers.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Ingest;

/// <summary>The arXiv API client (id look-ups, search back-fill) and the RSS source, against a local stub.</summary>
public sealed class ApiAndRssTests
{
    private static readonly TimeSpan Spacing = TimeSpan.FromSeconds(3);
    private const string EmptyFeed = """<feed xmlns="http://www.w3.org/2005/Atom"><opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:totalResults></feed>""";

    private static async Task ServeApiAsync(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        if (q.ContainsKey("id_list")) { await ArxivStub.WriteFileAsync(ctx, Fixtures.Api("ewan-m_all_science_2019.atom.xml"), "application/atom+xml"); return; }
        // The recorded search pages start at 0, 1 and 2 (as recorded); the client asks for start = previous start + entries.
        var file = q["start"].ToString() switch { "0" => "orijtech_deep_dream_start0.atom.xml", "10" => "orijtech_deep_dream_start1.atom.xml", "11" => "orijtech_deep_dream_start2.atom.xml", _ => null };
        if (file is null) { ctx.Response.ContentType = "application/atom+xml"; await ctx.Response.WriteAsync(EmptyFeed); return; }
        await ArxivStub.WriteFileAsync(ctx, Fixtures.Api(file), "application/atom+xml");
    }

    [Fact]
    public async Task IdLookupsGoInBatchesOfTheConfiguredSize()
    {
        var clock = new VirtualClock();
        await using var stub = await ArxivStub.StartAsync(clock, Spacing, (ctx, n) => ServeApiAsync(ctx));
        var options = Fixtures.Options(stub.BaseUrl);
        options.ApiBatchSize = 2;
        using var http = clock.CreateHttp(options);
        var papers = await new ArxivApiClient(http).GetByIdsAsync(new[] { "1501.05039v1", "1503.01162", "hep-th/9901001", "1501.05039" }.Select(ArxivId.Parse));

        var requests = stub.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Contains("id_list=1501.05039%2C1503.01162", requests[0]);
        Assert.Contains("id_list=hep-th%2F9901001", requests[1]);
        Assert.Contains(papers, p => p.ArxivId == "1501.05039");
        stub.AssertPolite();
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SearchBackfillPagesUntilTheResultsEnd(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var clock = new VirtualClock();
        await using var stub = await ArxivStub.StartAsync(clock, Spacing, (ctx, n) => ServeApiAsync(ctx));
        using var http = clock.CreateHttp(Fixtures.Options(stub.BaseUrl));
        var harvester = new Harvester(db.Settings, new PaperUpsert(db.Settings), http, new ArxivApiClient(http), TimeProvider.System);

        var run = await harvester.RunAsync(new HarvestRequest("api", "cs.LG", new DateOnly(2016, 1, 1), new DateOnly(2016, 12, 31)));

        Assert.Equal(4, run.Pages);
        Assert.Contains("search_query=cat%3Acs.LG%20AND%20submittedDate%3A%5B201601010000%20TO%20201612312359%5D", stub.Requests.First());
        await using var ctx = db.Settings.CreateContext();
        var expected = new[] { "orijtech_deep_dream_start0.atom.xml", "orijtech_deep_dream_start1.atom.xml", "orijtech_deep_dream_start2.atom.xml" }
            .SelectMany(f => ArxivAtomParser.Parse(Fixtures.Load(Fixtures.Api(f))).Papers.Select(p => p.ArxivId)).Distinct().Count();
        Assert.Equal(expected, await ctx.Papers.CountAsync());
        Assert.Null((await ctx.Set<HarvestState>().SingleAsync()).ResumptionToken);
        stub.AssertPolite();
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task RssAnnouncementsAreLookedUpAndNewOnesListedOnTheirAnnouncementDay(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var clock = new VirtualClock();
        var rss = Path.Combine(AppContext.BaseDirectory, "Ingest", "Fixtures", "rss-cs.LG-handwritten.xml");
        await using var stub = await ArxivStub.StartAsync(clock, Spacing, (ctx, n) =>
            ctx.Request.Path.StartsWithSegments("/rss") ? ArxivStub.WriteFileAsync(ctx, rss, "application/rss+xml") : ServeApiAsync(ctx));
        using var http = clock.CreateHttp(Fixtures.Options(stub.BaseUrl));
        var harvester = new Harvester(db.Settings, new PaperUpsert(db.Settings), http, new ArxivApiClient(http), TimeProvider.System);

        await harvester.RunAsync(new HarvestRequest("rss", "cs.LG"));

        Assert.StartsWith("/rss/cs.LG", stub.Requests.First());
        Assert.Contains("id_list=1501.05039%2C1503.01162", stub.Requests.ElementAt(1));
        await using var ctx = db.Settings.CreateContext();
        Assert.Equal(new DateOnly(2015, 1, 6), (await ctx.Papers.SingleAsync(p => p.ArxivId == "1501.05039")).ListingDate);
        Assert.NotEqual(new DateOnly(2015, 1, 6), (await ctx.Papers.SingleAsync(p => p.ArxivId == "1503.01162")).ListingDate);
        stub.AssertPolite();
    }
}
