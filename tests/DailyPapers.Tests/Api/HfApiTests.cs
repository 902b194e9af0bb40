using System.Net;
using System.Text.Json;
using DailyPapers.Tests.Feeds;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Api;

/// <summary>The behaviour Hugging Face's API promises, on our implementation.</summary>
public sealed class HfApiTests
{
    private static async Task<JsonElement> GetJsonAsync(TestServer s, string url)
    {
        var r = await s.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
    }

    private static string[] Ids(JsonElement entries) =>
        entries.EnumerateArray().Select(e => e.GetProperty("paper").GetProperty("id").GetString()!).ToArray();

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task InvalidDatesAndParametersAreRejectedWithAnErrorBody(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        foreach (var q in new[] { "date=2025-13-40", "week=2025-W54", "month=2025-13", "limit=101", "limit=0", "p=-1", "sort=best", "date=2025-01-01&week=2025-W01" })
        {
            var r = await server.Client.GetAsync("api/daily_papers?" + q);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()), q);
        }
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task LimitPagesAndLinkHeaderWalkTheWholeDayThenAnEmptyList(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        var day = new DateOnly(2025, 6, 2);
        await Seed.UpsertAsync(server, [.. Enumerable.Range(1, 60).Select(i => Seed.Paper($"2506.{i:00000}", day, $"Paper {i}"))]);

        var first = await server.Client.GetAsync("api/daily_papers?date=2025-06-02&limit=10");
        var page0 = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(10, page0.GetArrayLength());
        var next = first.Headers.GetValues("Link").Single();
        Assert.Matches("^<http://127\\.0\\.0\\.1:\\d+/api/daily_papers\\?.*p=1.*>; rel=\"next\"$", next);
        Assert.Contains("date=2025-06-02", next);

        var seen = Ids(page0).ToList();
        var url = next[1..next.IndexOf('>')];
        while (true)
        {
            var r = await server.Client.GetAsync(url);
            seen.AddRange(Ids(JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement));
            if (!r.Headers.TryGetValues("Link", out var link)) break;
            url = link.Single()[1..link.Single().IndexOf('>')];
        }
        Assert.Equal(60, seen.Count);
        Assert.Equal(60, seen.Distinct().Count());

        var past = await GetJsonAsync(server, "api/daily_papers?date=2025-06-02&limit=10&p=6");
        Assert.Equal(JsonValueKind.Array, past.ValueKind);
        Assert.Equal(0, past.GetArrayLength());
        Assert.Equal(50, (await GetJsonAsync(server, "api/daily_papers")).GetArrayLength()); // the default limit
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SubmitterFiltersTheListByTheSubmitterTheEntriesShow(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        var day = new DateOnly(2025, 6, 2);
        // arXiv's own "submitter" (who uploaded the paper) is not who put it on a daily list: it is never shown as one.
        await Seed.UpsertAsync(server,
            Seed.Paper("2506.00001", day, submitter: "Uploader One"),
            Seed.Paper("2506.00002", day),
            Seed.Paper("2506.00003", day.AddDays(1)),
            Seed.Paper("2506.00004", day.AddDays(1), submitter: "Harvested"));
        await Seed.SetHfSubmitterAsync(server, "2506.00001", "akhaliq");
        await Seed.SetHfSubmitterAsync(server, "2506.00002", "taesiri");
        await Seed.SetHfSubmitterAsync(server, "2506.00003", "akhaliq");
        var mine = await GetJsonAsync(server, "api/daily_papers?submitter=akhaliq");
        Assert.Equal(["2506.00003", "2506.00001"], Ids(mine));
        Assert.All(mine.EnumerateArray(), e =>
        {
            Assert.Equal("akhaliq", e.GetProperty("submittedBy").GetProperty("name").GetString());
            Assert.Equal("akhaliq", e.GetProperty("paper").GetProperty("submittedOnDailyBy").GetProperty("user").GetString());
        });
        Assert.Equal(["2506.00001"], Ids(await GetJsonAsync(server, "api/daily_papers?submitter=akhaliq&date=2025-06-02")));
        Assert.Empty(Ids(await GetJsonAsync(server, "api/daily_papers?submitter=nobody")));
        // A harvested paper has no daily submitter: none is invented, and none can be filtered for.
        var all = await GetJsonAsync(server, "api/daily_papers?view=all&date=2025-06-03");
        var harvested = all.EnumerateArray().Single(e => e.GetProperty("paper").GetProperty("id").GetString() == "2506.00004");
        Assert.False(harvested.TryGetProperty("submittedBy", out _));
        Assert.False(harvested.GetProperty("paper").TryGetProperty("submittedOnDailyBy", out _));
        Assert.Empty(Ids(await GetJsonAsync(server, "api/daily_papers?submitter=arxiv")));
        Assert.Empty(Ids(await GetJsonAsync(server, "api/daily_papers?submitter=Harvested")));
    }

    /// <summary>Our week is the ISO week: Monday to Sunday, numbered as ISO 8601 (2025-W23 is 2 to 8 June 2025).</summary>
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AWeekSpansMondayToSundayOfItsIsoWeekAndAMonthItsCalendarDays(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        await Seed.UpsertAsync(server,
            Seed.Paper("2506.00001", new DateOnly(2025, 6, 1), "Sunday before"),
            Seed.Paper("2506.00002", new DateOnly(2025, 6, 2), "Monday"),
            Seed.Paper("2506.00003", new DateOnly(2025, 6, 8), "Sunday"),
            Seed.Paper("2506.00004", new DateOnly(2025, 6, 9), "Monday after"),
            Seed.Paper("2506.00005", new DateOnly(2025, 6, 30), "Last of June"),
            Seed.Paper("2507.00001", new DateOnly(2025, 7, 1), "First of July"),
            Seed.Paper("2505.00001", new DateOnly(2025, 5, 31), "Last of May"));
        Assert.Equal(["2506.00002", "2506.00003"], Ids(await GetJsonAsync(server, "api/daily_papers?week=2025-W23")).Order());
        Assert.Equal(["2506.00001", "2506.00002", "2506.00003", "2506.00004", "2506.00005"], Ids(await GetJsonAsync(server, "api/daily_papers?month=2025-06")).Order());
        Assert.Equal(["2506.00001"], Ids(await GetJsonAsync(server, "api/daily_papers?date=2025-06-01")));
        // ISO week 1 of 2026 starts on Monday 29 December 2025.
        Assert.Empty(Ids(await GetJsonAsync(server, "api/daily_papers?week=2026-W01")));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SortPublishedAtIsNewestDayFirstAndTrendingIsMostUpvotedFirst(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        await Seed.UpsertAsync(server,
            Seed.Paper("2506.00001", new DateOnly(2025, 6, 2)),
            Seed.Paper("2506.00002", new DateOnly(2025, 6, 3)),
            Seed.Paper("2506.00003", new DateOnly(2025, 6, 3)));
        await Seed.SetUpvotesAsync(server, "2506.00001", 30);
        await Seed.SetUpvotesAsync(server, "2506.00003", 5);
        Assert.Equal(["2506.00003", "2506.00002", "2506.00001"], Ids(await GetJsonAsync(server, "api/daily_papers?sort=publishedAt&month=2025-06&view=all")));
        Assert.Equal(["2506.00001", "2506.00003", "2506.00002"], Ids(await GetJsonAsync(server, "api/daily_papers?sort=trending&month=2025-06&view=all")));
        Assert.Equal(["2506.00001", "2506.00003", "2506.00002"], Ids(await GetJsonAsync(server, "api/daily_papers?sort=trending&view=all")));
        // The default, curated view leaves out the paper nobody voted on, like HF's own list.
        Assert.Equal(["2506.00003", "2506.00001"], Ids(await GetJsonAsync(server, "api/daily_papers?sort=publishedAt&month=2025-06")));
        Assert.Equal(["2506.00001", "2506.00003"], Ids(await GetJsonAsync(server, "api/daily_papers?sort=trending")));
        var bad = await server.Client.GetAsync("api/daily_papers?view=everything");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task PaperInfoIsTheFlatPaperObjectAndUnknownPapersAre404(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        await Seed.UpsertAsync(server, Seed.Paper("2506.00001", new DateOnly(2025, 6, 2), "Flat", authors: ["Grace Hopper"]));
        // A version the paper has is found; one newer than its latest is not (the shared version check).
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("api/papers/2506.00001v3")).StatusCode);
        var paper = await GetJsonAsync(server, "api/papers/2506.00001v1");
        Assert.Equal("2506.00001", paper.GetProperty("id").GetString());
        Assert.Equal("Flat", paper.GetProperty("title").GetString());
        Assert.Equal("Grace Hopper", paper.GetProperty("authors")[0].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Number, paper.GetProperty("upvotes").ValueKind);
        Assert.False(paper.TryGetProperty("paper", out _));

        var missing = await server.Client.GetAsync("api/papers/2506.09999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.True(JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.TryGetProperty("error", out _));
        var unknownRoute = await server.Client.GetAsync("api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, unknownRoute.StatusCode);
        Assert.Equal("application/json", unknownRoute.Content.Headers.ContentType!.MediaType);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SearchValidatesItsLimitsAndFindsPapersByTitle(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        await Seed.UpsertAsync(server,
            Seed.Paper("2506.00001", new DateOnly(2025, 6, 2), "Scaling Laws for Sparse Transformers"),
            Seed.Paper("2506.00002", new DateOnly(2025, 6, 2), "Protein folding"));
        // The matching paper leads; once embeddings exist, hybrid search may list semantic neighbours after it.
        Assert.Equal("2506.00001", Ids(await GetJsonAsync(server, "api/papers/search?q=sparse%20TRANSFORMERS")).First());
        Assert.Equal(2, (await GetJsonAsync(server, "api/papers/search?q=&limit=120")).GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("api/papers/search?q=x&limit=121")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("api/papers/search?q=" + new string('a', 251))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("api/papers/search?q=" + new string('a', 250))).StatusCode);
    }
}
