using System.Net;
using System.Text.Json;
using DailyPapers.Tests.Feeds;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Api;

public sealed class V1ApiTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task PapersAreListedByDateRangeAndCategoryAndFetchedOneByOne(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        await Seed.UpsertAsync(server,
            Seed.Paper("1912.00001", new DateOnly(2019, 12, 2), "One", ["cs.CL"]),
            Seed.Paper("1912.00002", new DateOnly(2019, 12, 3), "Two", ["math.CO", "cs.DM"]),
            Seed.Paper("1912.00003", new DateOnly(2019, 12, 4), "Three", ["cs.CL"]),
            Seed.Paper("1912.00004", new DateOnly(2019, 12, 5), "Four", ["stat.ML"]));

        var range = JsonDocument.Parse(await server.Client.GetStringAsync("api/v1/papers?from=2019-12-02&to=2019-12-04&pageSize=2")).RootElement;
        Assert.Equal(3, range.GetProperty("total").GetInt32());
        Assert.Equal(["1912.00003", "1912.00002"], range.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("arxivId").GetString()));
        var next = range.GetProperty("next").GetString()!;
        var page2 = JsonDocument.Parse(await server.Client.GetStringAsync(next)).RootElement;
        Assert.Equal(["1912.00001"], page2.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("arxivId").GetString()));
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("next").ValueKind);

        var cs = JsonDocument.Parse(await server.Client.GetStringAsync("api/v1/papers?from=2019-12-01&to=2019-12-31&cat=cs")).RootElement;
        Assert.Equal(["1912.00003", "1912.00002", "1912.00001"], cs.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("arxivId").GetString()));
        var latest = JsonDocument.Parse(await server.Client.GetStringAsync("api/v1/papers")).RootElement;
        Assert.Equal(["1912.00004"], latest.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("arxivId").GetString()));

        var one = JsonDocument.Parse(await server.Client.GetStringAsync("api/v1/papers/arXiv:1912.00002v1")).RootElement;
        Assert.Equal("Two", one.GetProperty("title").GetString());
        Assert.Equal(["math.CO", "cs.DM"], one.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("2019-12-03", one.GetProperty("listingDate").GetString());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task BadInputAndUnknownPapersAreProblemDetails(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        foreach (var (url, status) in new[]
        {
            ("api/v1/papers?from=2019-12-40", 400), ("api/v1/papers?from=2019-12-05&to=2019-12-01", 400),
            ("api/v1/papers?from=2018-01-01&to=2019-12-31", 400), ("api/v1/papers?cat=x%20y", 400),
            ("api/v1/papers?pageSize=1000", 400), ("api/v1/papers/not-an-id", 400),
            ("api/v1/papers/1912.09999", 404), ("api/v1/no-such-endpoint", 404),
        })
        {
            var r = await server.Client.GetAsync(url);
            Assert.Equal((HttpStatusCode)status, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType!.MediaType);
            var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(status, body.GetProperty("status").GetInt32());
        }
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ReadsAllowAnyOriginAndWritesDoNot(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        using var get = new HttpRequestMessage(HttpMethod.Get, "api/v1/papers");
        get.Headers.Add("Origin", "https://example.org");
        var r = await server.Client.SendAsync(get);
        Assert.Equal("*", r.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var hf = new HttpRequestMessage(HttpMethod.Get, "api/daily_papers");
        hf.Headers.Add("Origin", "https://example.org");
        Assert.Equal("*", (await server.Client.SendAsync(hf)).Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "api/v1/tokens/1");
        preflight.Headers.Add("Origin", "https://example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "DELETE");
        var p = await server.Client.SendAsync(preflight);
        Assert.False(p.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task OpenApiDocumentDescribesTheApisAndTheDocsPageServesItsOwnScript(string engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        var doc = JsonDocument.Parse(await server.Client.GetStringAsync("openapi/v1.json")).RootElement;
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/api/daily_papers", "/api/papers/search", "/api/papers/{arxivId}", "/api/v1/papers", "/api/v1/papers/{arxivId}", "/api/v1/tokens/{id}", "/feeds/latest.{format}" })
            Assert.Contains(path, paths);
        Assert.Equal("bearer", doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());

        var page = await server.Client.GetAsync("api/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"scalar.js\"></script>", html);
        Assert.DoesNotContain("https://", html);
        var script = await server.Client.GetAsync("api/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("connect-src 'self'", csp);
        // The relaxation is for the docs only.
        Assert.DoesNotContain("unsafe-inline", (await server.Client.GetAsync("/")).Headers.GetValues("Content-Security-Policy").Single());
    }
}
