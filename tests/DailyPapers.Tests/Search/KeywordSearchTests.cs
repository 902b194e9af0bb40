using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using static DailyPapers.Tests.Search.SearchTestSupport;

namespace DailyPapers.Tests.Search;

public sealed class KeywordSearchTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task KeywordSearchFindsPaperByItsWordsAndHighlightsThem(string engine)
    {
        await using var server = await StartWithSampleAsync(engine);
        var r = await SearchAsync(server, "q=energy+disaggregation&mode=keyword");
        Assert.Equal(NilmId, Ids(r)[0]);
        var top = r.GetProperty("results")[0];
        Assert.Contains("<mark>Energy</mark> <mark>Disaggregation</mark>", top.GetProperty("titleHtml").GetString());
        Assert.Contains("<mark>disaggregation</mark>", top.GetProperty("snippetHtml").GetString());
        Assert.Equal("keyword", r.GetProperty("mode").GetString());

        // Stemming: "disaggregating" finds "disaggregation".
        Assert.Contains(NilmId, Ids(await SearchAsync(server, "q=disaggregating&mode=keyword")));
        // Field queries.
        Assert.Equal([NilmId], Ids(await SearchAsync(server, "q=author:Knottenbelt&mode=keyword")));
        Assert.Contains(NilmId, Ids(await SearchAsync(server, "q=neural+cat:cs.NE&mode=keyword")));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task FiltersPhrasesAndPagingRestrictAndSplitResults(string engine)
    {
        await using var server = await StartWithSampleAsync(engine);

        var all = await SearchAsync(server, "q=neural+network&mode=keyword&page_size=100");
        int total = all.GetProperty("total").GetInt32();
        Assert.True(total > 40, $"expected many matches, got {total}");

        var phrase = await SearchAsync(server, "q=%22neural+network%22&mode=keyword&page_size=100");
        Assert.True(phrase.GetProperty("total").GetInt32() < total);
        foreach (var p in phrase.GetProperty("results").EnumerateArray())
        {
            var text = (p.GetProperty("title").GetString() + " " + p.GetProperty("summary").GetString()).ToLowerInvariant().Replace("\n", " ");
            Assert.Matches(@"neural\W+network", text);
        }

        var cat = await SearchAsync(server, "q=neural+network&mode=keyword&cat=cs.NE&page_size=100");
        Assert.NotEmpty(Ids(cat));
        Assert.All(cat.GetProperty("results").EnumerateArray(), p => Assert.Contains("cs.NE", p.GetProperty("categories").EnumerateArray().Select(c => c.GetString())));

        var dated = await SearchAsync(server, "q=neural+network&mode=keyword&from=2015-07-01&to=2015-07-31&page_size=100");
        Assert.Contains(NilmId, Ids(dated));
        Assert.All(dated.GetProperty("results").EnumerateArray(), p => Assert.StartsWith("2015-07", p.GetProperty("listingDate").GetString()));

        Assert.Equal([NilmId], Ids(await SearchAsync(server, "q=neural&mode=keyword&author=Jack+Kelly")));

        var page1 = Ids(await SearchAsync(server, "q=neural+network&mode=keyword&page_size=10&page=1"));
        var page2 = Ids(await SearchAsync(server, "q=neural+network&mode=keyword&page_size=10&page=2"));
        Assert.Equal(10, page1.Count);
        Assert.Equal(10, page2.Count);
        Assert.Empty(page1.Intersect(page2));
        Assert.Equal(Ids(all).Take(20), page1.Concat(page2));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task HostileQueriesGetAClearAnswerNeverAServerError(string engine)
    {
        await using var server = await StartWithSampleAsync(engine);
        string[] fine = ["%22unclosed+phrase", "(((+neural", "title%3A", "*", "neural+AND", "a~b%5Ec%5D%7B", "%C3%BCn%C3%AFc%C3%B6d%C3%A9+%E6%95%B0%E5%AD%A6+%F0%9F%9A%80", "cat%3A", "-neural", "author%3A%22%22"];
        foreach (var q in fine)
        {
            var res = await server.Client.GetAsync("api/v1/papers/search?mode=keyword&q=" + q);
            Assert.True(res.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{q}: {res.StatusCode}");
            var html = await server.Client.GetAsync("search?q=" + q);
            Assert.True(html.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"page {q}: {html.StatusCode}");
        }

        foreach (var (q, expect) in new[]
        {
            ("q=", "Type something"),
            ("q=the+of+and&mode=keyword", "common words"),
            // Only operators, in every mode (semantic search would otherwise embed the punctuation).
            ("q=%22", "only search operators"),
            ("q=AND+OR", "only search operators"),
            ("q=*&mode=semantic", "only search operators"),
            ("q=(((+-+)&mode=keyword", "only search operators"),
            ("q=%2B+-+%22%22+NOT", "only search operators"),
            ("q=" + new string('x', 251), "limit is 250"),
            ("q=" + new string('a', 5000), "limit is 250"),
            ("q=neural&mode=fuzzy", "Unknown search mode"),
            ("q=neural&from=2019-13-01", "YYYY-MM-DD"),
            ("q=neural&page=0", "page"),
            ("q=neural&page=abc", "whole number"),
        })
        {
            var res = await server.Client.GetAsync("api/v1/papers/search?" + q);
            Assert.True(res.StatusCode == HttpStatusCode.BadRequest, $"{q}: {res.StatusCode}");
            Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
            var problem = await res.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(expect, problem.GetProperty("detail").GetString());
        }

        var page = await server.Client.GetAsync("search?q=" + new string('a', 300));
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("limit is 250", await page.Content.ReadAsStringAsync());

        // A 10 kB string through the service itself (a URL that long is refused by the web server first).
        using var scope = server.App.Services.CreateScope();
        var search = scope.ServiceProvider.GetRequiredService<DailyPapers.Search.PaperSearch>();
        var ex = await Assert.ThrowsAsync<DailyPapers.Search.SearchRequestException>(() => search.SearchAsync(new(new string('q', 10_240))));
        Assert.Contains("limit is 250", ex.Message);
    }

    /// <summary>
    /// Issue 17: '/' started a Lucene regexp. Malformed ones were 500s on all four search endpoints, a pasted abstract
    /// with "HAM/TSP" in it was one, and a large repetition count overflowed the stack and killed the process.
    /// </summary>
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SlashesAreTextOnEverySearchEndpointNeverARegularExpression(string engine)
    {
        await using var server = await StartWithSampleAsync(engine);
        string[] endpoints = ["search?mode=keyword&q=", "api/v1/papers/search?mode=keyword&q=", "api/papers/search?q=", "feeds/search.rss?q="];
        string[] queries = ["/[/", "/a{/", "/(/", "/[a-/", "title:/[/", "/\\/", "/a{1,99999}/", "/a{1,300000}/",
            "human T-lymphotropic virus type 1 associated myelopathy / tropical spastic paraparesis (HAM/TSP) patients produce"];
        foreach (var endpoint in endpoints)
            foreach (var q in queries)
            {
                var res = await server.Client.GetAsync(endpoint + Uri.EscapeDataString(q));
                Assert.True(res.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{endpoint}{q}: {(int)res.StatusCode}");
            }
        // Words joined by a slash are searched as words.
        Assert.Contains(NilmId, Ids(await SearchAsync(server, "mode=keyword&q=" + Uri.EscapeDataString("neural/energy disaggregation"))));
        Assert.Contains(NilmId, Ids(await SearchAsync(server, "q=" + Uri.EscapeDataString("/energy/ disaggregation"))));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task NewlyImportedPaperBecomesSearchableWithoutRestart(string engine)
    {
        await using var server = await StartWithSampleAsync(engine);
        Assert.Empty(Ids(await SearchAsync(server, "q=zorblaxian&mode=keyword")));
        await new PaperUpsert(server.Database.Settings).UpsertAsync([new PaperRecord
        {
            ArxivId = "1912.99999",
            Title = "Zorblaxian lattices for sparse attention",
            Abstract = "We introduce zorblaxian lattices.",
            Authors = [new AuthorName("Ada Example")],
            Categories = ["cs.LG"],
            Versions = [new VersionInfo(1, new DateTime(2019, 12, 30, 0, 0, 0, DateTimeKind.Utc))],
        }]);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (Ids(await SearchAsync(server, "q=zorblaxian&mode=keyword")) is var ids && !ids.Contains("1912.99999"))
        {
            Assert.True(DateTime.UtcNow < until, "the new paper never became searchable");
            await Task.Delay(200);
        }
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task SearchPageShowsHighlightedResultsAndTheHeaderHasASearchBox(string engine)
    {
        await using var server = await StartWithSampleAsync(engine);
        var html = await server.Client.GetStringAsync("search?q=energy+disaggregation&mode=keyword");
        Assert.Contains("<form class=\"search\" action=\"/search\" method=\"get\"", html);
        Assert.Contains("value=\"energy disaggregation\"", html);
        Assert.Contains("<mark>Disaggregation</mark>", html);
        Assert.Contains($"href=\"/papers/{NilmId}\"", html);
        Assert.Matches(@"\d+ results? for", html);
        var home = await server.Client.GetStringAsync("/");
        Assert.Contains("<form class=\"search\"", home);
        // Hybrid without embeddings says plainly that it is keyword-only.
        var hybrid = await server.Client.GetStringAsync("search?q=energy+disaggregation");
        Assert.Contains("keyword results only", hybrid);
    }
}
