using System.Net;
using System.Net.Http.Headers;
using DailyPapers.Digest;
using DailyPapers.Ingest;
using DailyPapers.Tests.Community;
using DailyPapers.Tests.Digest;
using DailyPapers.Tests.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DailyPapers.Tests.Admin;

/// <summary>/metrics on the real app: Prometheus text that a strict parser accepts, counters that move, and its access setting.</summary>
public sealed class MetricsTests
{
    private const string Page = "arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml";

    private static Task<TestServer> StartAsync(string engine, ArxivStub? stub = null, Dictionary<string, string>? settings = null) =>
        DashboardTests.StartAsync(engine, stub, settings);

    private static async Task<PrometheusText.Scrape> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private const string Requests = "dailypapers_http_request_duration_seconds_count";

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task MetricsParseAndCountersMoveAfterARequestAHarvestAndADigest(string engine)
    {
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) => ArxivStub.WriteFileAsync(ctx, Fixtures.Oai(Page)));
        await using var server = await StartAsync(engine, stub);
        var first = await ScrapeAsync(server.Client);
        Assert.Equal("histogram", first.Families["dailypapers_http_request_duration_seconds"].Type);
        Assert.Equal("counter", first.Families["dailypapers_harvest_runs_total"].Type);
        Assert.True(first.Value("dailypapers_database_size_bytes") > 0);
        Assert.True(first.Families.ContainsKey("process_cpu_seconds_total"));

        // A request: one more in its route group and status class, nothing in another group.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("papers/trending")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("papers/week/1999-W77")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("api/v1/papers/search?q=%22%22&mode=keyword")).StatusCode);
        var afterRequests = await ScrapeAsync(server.Client);
        Assert.Equal(first.Value(Requests, ("group", "lists"), ("code", "2xx")) + 1, afterRequests.Value(Requests, ("group", "lists"), ("code", "2xx")));
        Assert.Equal(first.Value(Requests, ("group", "lists"), ("code", "4xx")) + 1, afterRequests.Value(Requests, ("group", "lists"), ("code", "4xx")));
        Assert.Equal(first.Value(Requests, ("group", "metrics"), ("code", "2xx")) + 1, afterRequests.Value(Requests, ("group", "metrics"), ("code", "2xx")));
        Assert.Equal(0, afterRequests.Value(Requests, ("group", "feeds"), ("code", "2xx")));
        Assert.Equal(1, afterRequests.Value("dailypapers_search_requests_total", ("mode", "keyword"), ("outcome", "client_error")));
        Assert.Equal(1, afterRequests.Value("dailypapers_search_duration_seconds_count", ("mode", "keyword")));

        // A harvest, through the same runner as the scheduler.
        var runs = await server.App.Services.GetRequiredService<HarvestRunner>().TryRunAsync(["cs"], "admin", CancellationToken.None);
        Assert.Single(runs!);
        var afterHarvest = await ScrapeAsync(server.Client);
        Assert.Equal(first.Value("dailypapers_harvest_runs_total", ("source", "oai"), ("outcome", "ok")) + 1,
            afterHarvest.Value("dailypapers_harvest_runs_total", ("source", "oai"), ("outcome", "ok")));
        Assert.Equal(2, afterHarvest.Value("dailypapers_harvest_records_total", ("outcome", "inserted")));
        Assert.Equal(2, afterHarvest.Value("dailypapers_papers"));
        Assert.True(afterHarvest.Value("dailypapers_harvest_last_success_timestamp_seconds", ("set", "cs")) > 1.7e9);

        // A digest, through the same runner as the scheduler and the CLI.
        await DigestTestData.SeedPapersAsync(server.Database.Settings);
        var address = MailInbox.NewAddress("metrics");
        await DigestTestData.AddConfirmedAsync(server.Database.Settings, [address]);
        await server.App.Services.GetRequiredService<DigestRunner>().SendAsync(new DigestRequest(DigestFrequency.Daily, DigestTestData.Day));
        var afterDigest = await ScrapeAsync(server.Client);
        Assert.Equal(first.Value("dailypapers_digest_deliveries_total", ("state", "sent")) + 1, afterDigest.Value("dailypapers_digest_deliveries_total", ("state", "sent")));
        Assert.Equal(1, afterDigest.Value("dailypapers_digest_editions_total", ("status", "complete")));
        await using var ctx = server.Database.Settings.CreateContext();
        Assert.Equal(await ctx.Papers.CountAsync(), afterDigest.Value("dailypapers_papers"));
    }

    [Fact]
    public async Task AccessFollowsItsSettingOffLoopbackOrToken()
    {
        await using (var off = await StartAsync(TestDatabase.Sqlite, settings: new() { ["Metrics:Access"] = "Off" }))
            Assert.Equal(HttpStatusCode.NotFound, (await off.Client.GetAsync("metrics")).StatusCode);

        await using (var loopback = await StartAsync(TestDatabase.Sqlite))
        {
            Assert.Equal(HttpStatusCode.OK, (await loopback.Client.GetAsync("metrics")).StatusCode);
            // A proxy on the same machine would make every visitor local: a forwarded request is refused.
            using var proxied = new HttpRequestMessage(HttpMethod.Get, "metrics");
            proxied.Headers.Add("X-Forwarded-For", "203.0.113.9");
            Assert.Equal(HttpStatusCode.Forbidden, (await loopback.Client.SendAsync(proxied)).StatusCode);
        }

        await using (var token = await StartAsync(TestDatabase.Sqlite, settings: new() { ["Metrics:Access"] = "Token", ["Metrics:Token"] = "scrape-secret-71" }))
        {
            var none = await token.Client.GetAsync("metrics");
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "scrape-secret-7") } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await token.Client.SendAsync(wrong)).StatusCode);
            using var right = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "scrape-secret-71") } };
            var ok = await token.Client.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            PrometheusText.Parse(await ok.Content.ReadAsStringAsync());
        }

        var missing = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(TestDatabase.Sqlite, settings: new() { ["Metrics:Access"] = "Token" }));
        Assert.Contains("Metrics:Token", missing.Message);
    }

    [Fact]
    public void TheParserRefusesWhatPrometheusWouldRefuse()
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse("x 1\n")); // no TYPE
        Assert.Throws<FormatException>(() => PrometheusText.Parse("# TYPE x counter\nx{a=\"1} 1\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("# TYPE x counter\nx 1\nx 2\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"));
        var ok = PrometheusText.Parse("# HELP x A \\\"quoted\\\" help.\n# TYPE x counter\nx{a=\"q\\\"uote\"} 3\n");
        Assert.Equal(3, ok.Value("x", ("a", "q\"uote")));
    }
}
