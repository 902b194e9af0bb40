using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Papers;

public partial class ListPagesTests
{
    private static async Task<TestServer> ServerWithSampleAsync(string engine)
    {
        var server = await TestServer.StartAsync(engine);
        await new SnapshotImport(new PaperUpsert(server.Database.Settings)).RunAsync(TestEnv.Sample1000);
        return server;
    }

    private static HashSet<string> CardIds(string html) =>
        CardLink().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToHashSet();

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AnEmptyInstanceExplainsHowToLoadPapers(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        var response = await server.Client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no papers yet", html);
        Assert.Contains("dailypapers import", html);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task DayWeekAndMonthPagesShowExactlyThePapersListedInThatPeriod(string engine)
    {
        await using var server = await ServerWithSampleAsync(engine);
        var sample = SampleFile.Read();
        // The busiest day of the sample, so the check covers more than one paper.
        var day = sample.GroupBy(e => e.ListingDate).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        var week = $"{ISOWeek.GetYear(day.ToDateTime(TimeOnly.MinValue))}-W{ISOWeek.GetWeekOfYear(day.ToDateTime(TimeOnly.MinValue)):00}";

        var cases = new (string Url, Func<DateOnly, bool> InPeriod)[]
        {
            ($"/papers/date/{day:yyyy-MM-dd}", d => d == day),
            ($"/papers/week/{week}", d => d >= monday && d < monday.AddDays(7)),
            ($"/papers/month/{day:yyyy-MM}", d => d.Year == day.Year && d.Month == day.Month),
        };
        foreach (var (url, inPeriod) in cases)
        {
            var expected = sample.Where(e => inPeriod(e.ListingDate)).Select(e => e.Id).ToHashSet();
            var html = await server.Client.GetStringAsync(url);
            Assert.True(expected.SetEquals(CardIds(html)), $"{url}: expected {string.Join(",", expected)} got {string.Join(",", CardIds(html))}");
            Assert.Contains($"{expected.Count} paper", html);
        }
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task PreviousAndNextSkipDaysWithoutPapers(string engine)
    {
        await using var server = await ServerWithSampleAsync(engine);
        var days = SampleFile.Read().Select(e => e.ListingDate).Distinct().Order().ToList();
        // Pick a day whose neighbours in the list are not adjacent calendar days.
        int i = Enumerable.Range(1, days.Count - 2).First(k => days[k + 1].DayNumber - days[k].DayNumber > 1 && days[k].DayNumber - days[k - 1].DayNumber > 1);

        var html = await server.Client.GetStringAsync($"/papers/date/{days[i]:yyyy-MM-dd}");

        Assert.Contains($"rel=\"prev\" class=\"prev\" href=\"/papers/date/{days[i - 1]:yyyy-MM-dd}\"", html);
        Assert.Contains($"rel=\"next\" class=\"next\" href=\"/papers/date/{days[i + 1]:yyyy-MM-dd}\"", html);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TheStartPageShowsTheLatestDayAndTheCategoryFilterNarrowsIt(string engine)
    {
        await using var server = await ServerWithSampleAsync(engine);
        var sample = SampleFile.Read();
        var latest = sample.Max(e => e.ListingDate);
        var month = sample.Where(e => e.ListingDate.Year == latest.Year && e.ListingDate.Month == latest.Month).ToList();
        var category = month.SelectMany(e => e.Categories).GroupBy(c => c).OrderByDescending(g => g.Count()).First().Key;

        var home = await server.Client.GetStringAsync("/");
        Assert.True(sample.Where(e => e.ListingDate == latest).Select(e => e.Id).ToHashSet().SetEquals(CardIds(home)));

        var filtered = await server.Client.GetStringAsync($"/papers/month/{latest:yyyy-MM}?cat={category}");
        Assert.True(month.Where(e => e.Categories.Contains(category)).Select(e => e.Id).ToHashSet().SetEquals(CardIds(filtered)));

        var archive = category.Split('.')[0];
        var byArchive = await server.Client.GetStringAsync($"/papers/month/{latest:yyyy-MM}?cat={archive}");
        Assert.True(month.Where(e => e.Categories.Any(c => c == archive || c.StartsWith(archive + "."))).Select(e => e.Id).ToHashSet().SetEquals(CardIds(byArchive)));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task APaperPageShowsItsMetadataAndLinks(string engine)
    {
        await using var server = await ServerWithSampleAsync(engine);
        var html = WebUtility.HtmlDecode(await server.Client.GetStringAsync("/papers/1410.8597"));

        Assert.Contains("Consistent estimation of dynamic and multi-layer block models", html);
        // Each author is named, in order, and links to their author page.
        var authors = System.Text.RegularExpressions.Regex.Replace(html.Split("class=\"authors\"")[1].Split("</p>")[0], "<[^>]+>", "");
        Assert.Contains("Qiuyi Han, Kevin S. Xu, Edoardo M. Airoldi", authors);
        Assert.Contains("href=\"/authors/Kevin%20S.%20Xu\"", html);
        Assert.Contains("https://arxiv.org/abs/1410.8597", html);
        Assert.Contains("https://arxiv.org/pdf/1410.8597", html);
        Assert.Contains("stat.ME", html);
        Assert.Contains("v1", html);
        Assert.Contains("To appear at ICML 2015", html);
        Assert.Contains("/papers/date/2014-10-30", html);

        // Versioned ids and URLs lead to the same paper.
        var versioned = await server.Client.GetAsync("/papers/1410.8597v1");
        Assert.Equal(HttpStatusCode.OK, versioned.StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task DatesAtTheEndsOfTheCalendarGiveAnEmptyListNotAServerError(string engine)
    {
        await using var server = await ServerWithSampleAsync(engine);
        string[] urls =
        [
            "/papers/date/9999-12-31", "/papers/date/9999-12-31.bib", "/papers/month/9999-12", "/papers/week/0001-W01",
            "/papers/week/9999-W52.ris", "/papers/date/0001-01-01", "/feeds/date/9999-12-31.rss", "/feeds/month/9999-12.rss",
            "/feeds/week/9999-W52.atom", "/api/daily_papers?date=9999-12-31", "/api/daily_papers?month=9999-12",
            "/api/daily_papers?week=0001-W01", "/api/v1/papers?from=9999-12-31", "/api/v1/papers?from=9999-12-31&to=9999-12-31",
            "/api/v1/papers?from=0001-01-01&to=0001-01-31", "/api/v1/papers/search?q=graph&from=9999-12-31&to=9999-12-31",
        ];
        foreach (var url in urls)
        {
            var response = await server.Client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        }
        // The last day of the calendar links back to the latest day with papers.
        var latest = SampleFile.Read().Max(e => e.ListingDate);
        Assert.Contains($"href=\"/papers/date/{latest:yyyy-MM-dd}\"", await server.Client.GetStringAsync("/papers/date/9999-12-31"));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AVersionLaterThanTheStoredOneIsNotFoundOnEveryRoute(string engine)
    {
        await using var server = await ServerWithSampleAsync(engine);
        // 1410.8597 has one version here.
        foreach (var route in new[] { "/papers/{0}", "/papers/{0}.bib", "/papers/{0}.md", "/api/papers/{0}", "/api/v1/papers/{0}", "/api/v1/papers/{0}/comments" })
        {
            var stored = await server.Client.GetAsync(string.Format(route, "1410.8597v1"));
            Assert.True(stored.StatusCode == HttpStatusCode.OK, $"{route} v1: {(int)stored.StatusCode}");
            var missing = await server.Client.GetAsync(string.Format(route, "1410.8597v9"));
            Assert.True(missing.StatusCode == HttpStatusCode.NotFound, $"{route} v9: {(int)missing.StatusCode}");
        }
        var page = WebUtility.HtmlDecode(await (await server.Client.GetAsync("/papers/1906.05153v9")).Content.ReadAsStringAsync());
        Assert.Contains("no paper 1906.05153v9", page);
    }

    [Theory]
    [InlineData("/?page=99999999999")]
    [InlineData("/?page=2147483647")]
    [InlineData("/?page=abc")]
    [InlineData("/papers/date/2019-12-02?page=100001")]
    public async Task PageNumbersBeyondTheLastPossiblePageAreRefused(string url)
    {
        await using var server = await ServerWithSampleAsync(TestDatabase.Postgres);
        var response = await server.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a page number", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/papers/2401.99999", HttpStatusCode.NotFound, "no paper 2401.99999")]
    [InlineData("/papers/not-an-id", HttpStatusCode.BadRequest, "not an arXiv id")]
    [InlineData("/papers/2413.12345", HttpStatusCode.BadRequest, "month 13")]
    [InlineData("/papers/date/2019-02-30", HttpStatusCode.BadRequest, "not a valid date")]
    [InlineData("/papers/date/yesterday", HttpStatusCode.BadRequest, "YYYY-MM-DD")]
    [InlineData("/papers/week/2019-W54", HttpStatusCode.BadRequest, "ISO week")]
    [InlineData("/papers/month/2019-13", HttpStatusCode.BadRequest, "not a valid month")]
    [InlineData("/papers/date/2019-12-02?page=abc", HttpStatusCode.BadRequest, "not a page number")]
    [InlineData("/papers/date/2019-12-02?cat=%3Cscript%3E", HttpStatusCode.BadRequest, "not an arXiv category")]
    [InlineData("/no/such/page", HttpStatusCode.NotFound, "nothing at this address")]
    public async Task BadAddressesGetAReadablePageWithTheRightStatus(string url, HttpStatusCode status, string message)
    {
        await using var server = await TestServer.StartAsync(TestDatabase.Sqlite);
        var response = await server.Client.GetAsync(url);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, WebUtility.HtmlDecode(raw), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script>", raw); // user input is echoed encoded
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task HealthEndpointsReportLivenessAndDatabaseReadiness(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        Assert.Equal("Healthy", await server.Client.GetStringAsync("/healthz"));
        using var ready = System.Text.Json.JsonDocument.Parse(await server.Client.GetStringAsync("/healthz/ready"));
        Assert.Equal("Healthy", ready.RootElement.GetProperty("status").GetString());
        var checks = ready.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("not reconciled with arXiv yet", checks.GetProperty("ingestion").GetProperty("description").GetString());
        Assert.Equal(0, checks.GetProperty("search").GetProperty("data").GetProperty("papersBehind").GetInt64());
    }

    [Fact]
    public async Task PagesCarrySecurityHeadersAndNoInlineScript()
    {
        await using var server = await ServerWithSampleAsync(TestDatabase.Sqlite);
        var response = await server.Client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotMatch(new Regex("<script(?![^>]*\\ssrc=)[^>]*>"), html);
    }

    [GeneratedRegex("<h3 [^>]*class=\"tex\"><a href=\"/papers/([^\"]+)\">")]
    private static partial Regex CardLink();
}
