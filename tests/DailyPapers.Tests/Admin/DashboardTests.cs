using System.Net;
using System.Text.RegularExpressions;
using DailyPapers.Community;
using DailyPapers.Digest;
using DailyPapers.Ingest;
using DailyPapers.Tests.Community;
using DailyPapers.Tests.Digest;
using DailyPapers.Tests.Ingest;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Admin;

/// <summary>/admin on the real app: who may see it, and that every chart's numbers are its table's numbers and the database's.</summary>
public sealed partial class DashboardTests
{
    private const string Page = "arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml";

    public static Task<TestServer> StartAsync(string engine, ArxivStub? stub = null, Dictionary<string, string>? settings = null) =>
        CommunityKit.StartAsync(engine, b =>
        {
            if (stub is not null) b.Configuration["Arxiv:OaiBaseUrl"] = stub.BaseUrl + "oai";
            b.Configuration["Arxiv:MinSpacing"] = "00:00:00";
            b.Configuration["Arxiv:Contact"] = "ops@example.org";
            b.Configuration["Harvest:Sets:0"] = "cs";
            b.Configuration["Digest:PublicBaseUrl"] = "https://papers.example.test";
            b.Configuration["Digest:SchedulerEnabled"] = "false";
            b.Configuration["Search:Embeddings"] = "false";
            foreach (var (k, v) in settings ?? []) b.Configuration[k] = v;
        });

    public static async Task<HttpClient> AdminAsync(TestServer server)
    {
        var email = CommunityKit.UniqueEmail("ops-admin");
        await CommunityKit.CreateMemberAsync(server, email, role: Roles.Admin);
        return await CommunityKit.LoggedInClientAsync(server, email);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TheDashboardIsForAdminsAnonymousGoToLoginAndMembersAreRefused(string engine)
    {
        await using var server = await StartAsync(engine);
        var anonymous = await server.Client.GetAsync("admin");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/account/login", anonymous.Headers.Location!.PathAndQuery);

        var memberEmail = CommunityKit.UniqueEmail("ops-member");
        await CommunityKit.CreateMemberAsync(server, memberEmail);
        var member = await CommunityKit.LoggedInClientAsync(server, memberEmail);
        foreach (var page in new[] { "admin", "admin/ingest" })
        {
            var denied = await member.GetAsync(page);
            Assert.StartsWith("/account/denied", denied.Headers.Location!.PathAndQuery);
            Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync(denied.Headers.Location)).StatusCode);
        }
        Assert.DoesNotContain("href=\"/admin\"", await member.GetStringAsync("/"));

        var admin = await AdminAsync(server);
        var home = await admin.GetStringAsync("/");
        Assert.Contains("href=\"/admin\"", home);
        var dashboard = await admin.GetAsync("admin");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.Contains("id=\"glance\"", html);
        Assert.Contains("<svg class=\"chart-svg\"", html); // the embedding samples exist from the start
        Assert.DoesNotContain("<script", html[html.IndexOf("<main", StringComparison.Ordinal)..]);
    }

    [Theory]
    [InlineData("Harvest:AdminToken")]
    [InlineData("Digest:AdminToken")]
    public async Task ARetiredPageTokenStopsTheStartAndNamesTheOneOperatorToken(string retired)
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => StartAsync(TestDatabase.Sqlite, settings: new() { [retired] = "old-token-9" }));
        Assert.Contains(retired, ex.Message);
        Assert.Contains("Admin:Token", ex.Message);
    }

    [Fact]
    public async Task TheOperatorTokenOpensEveryAdminPage()
    {
        await using var server = await StartAsync(TestDatabase.Sqlite, settings: new() { ["Admin:Token"] = "ops-token-3c1" });
        var form = await server.Client.GetStringAsync("admin");
        Assert.Contains("Admin:Token", form);
        Assert.DoesNotContain("id=\"glance\"", form);
        foreach (var page in new[] { "admin", "admin/harvest", "admin/digest", "admin/ingest" })
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, page);
            req.Headers.Add(DailyPapers.Admin.AdminAccess.HeaderName, "ops-token-3c1");
            var res = await server.Client.SendAsync(req);
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            Assert.Contains("href=\"/admin/ingest\"", await res.Content.ReadAsStringAsync()); // the admin navigation, shown to admins only
        }
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "admin");
        wrong.Headers.Add(DailyPapers.Admin.AdminAccess.HeaderName, "ops-token-3c");
        Assert.DoesNotContain("id=\"glance\"", await (await server.Client.SendAsync(wrong)).Content.ReadAsStringAsync());

        // Entered once on one page, the token opens the others through its cookie.
        var client = CommunityKit.NewClient(server);
        var login = await CommunityKit.PostFormAsync(client, "admin/digest", "admin/digest?handler=Login", new() { ["token"] = "ops-token-3c1" });
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Contains("id=\"glance\"", await client.GetStringAsync("admin"));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task EveryChartsNumbersEqualItsTablesAndTheDatabases(string engine)
    {
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) => ArxivStub.WriteFileAsync(ctx, Fixtures.Oai(Page)));
        await using var server = await StartAsync(engine, stub);
        var admin = await AdminAsync(server);
        var db = server.Database.Settings;

        // Papers on two listing days, one of them submitted by a member; arXiv's count reconciled for one day.
        var d1 = new DateOnly(2019, 12, 2);
        var d2 = new DateOnly(2019, 12, 3);
        var day1 = await CommunityKit.SeedPapersAsync(server, 3, d1);
        var upsert = server.App.Services.GetRequiredService<PaperUpsert>();
        await upsert.UpsertAsync([CommunityKit.Record("2501.90001", d2), CommunityKit.Record("2501.90002", d2)]);
        var voterEmail = CommunityKit.UniqueEmail("ops-voter");
        var voter = await CommunityKit.CreateMemberAsync(server, voterEmail);
        await using (var ctx = db.CreateContext())
        {
            var now = DateTime.UtcNow;
            ctx.AddRange(day1.Select(id => new Vote { UserId = voter.Id, PaperId = id, CreatedAt = now }));
            ctx.Add(new Submission { PaperId = day1[0], UserId = voter.Id, CreatedAt = now });
            ctx.Add(new Comment { PaperId = day1[1], UserId = voter.Id, Markdown = "Nice", Html = "<p>Nice</p>", CreatedAt = now });
            ctx.Add(new IngestDay { SetSpec = "cs", Day = d2, Status = IngestDayStatus.Short, Listed = 4, Stored = 2, CheckedAt = now });
            await ctx.SaveChangesAsync();
        }
        // A harvest run, a digest edition and two searches.
        await server.App.Services.GetRequiredService<HarvestRunner>().TryRunAsync(["cs"], "admin", CancellationToken.None);
        await DigestTestData.AddConfirmedAsync(db, [MailInbox.NewAddress("ops-digest")]);
        await server.App.Services.GetRequiredService<DigestRunner>().SendAsync(new DigestRequest(DigestFrequency.Daily, d1));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("search?q=study&mode=keyword")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("api/v1/papers/search?q=%22%22&mode=keyword")).StatusCode);

        var html = await admin.GetStringAsync("admin");
        var charts = Charts(html);
        Assert.Equal(["papers", "harvest-duration", "harvest-pages", "embeddings", "digest", "community", "search-requests", "search-latency"], charts.Keys);
        foreach (var (id, (drawn, table)) in charts)
        {
            Assert.NotEmpty(drawn);
            Assert.Equal(table.Select(p => p.ToString()).Order(StringComparer.Ordinal), drawn.Select(p => p.ToString()).Order(StringComparer.Ordinal));
        }

        string Cell(string chart, string series, string label) => charts[chart].Drawn.Single(c => c.Series == series && c.Label == label).Value;
        Assert.Equal("2", Cell("papers", "from arXiv (harvest, import)", "12-02"));
        Assert.Equal("1", Cell("papers", "submitted by members", "12-02"));
        Assert.Equal("2", Cell("papers", "from arXiv (harvest, import)", "12-03"));
        Assert.Equal("4", Cell("papers", "arXiv listed (cs)", "12-03"));
        var today = DateTime.UtcNow.ToString("MM-dd");
        Assert.Equal("3", Cell("community", "votes", today));
        Assert.Equal("1", Cell("community", "comments", today));
        Assert.Equal("2", Cell("community", "sign-ups", today)); // the admin and the voter
        Assert.Equal("1", Cell("community", "submissions", today));
        Assert.Equal("1", Cell("digest", "sent", "daily:2019-12-02"));
        Assert.Equal("0", Cell("digest", "bounced", "daily:2019-12-02"));
        var run = Assert.Single(charts["harvest-pages"].Drawn, c => c.Series == "pages");
        Assert.Equal("1", run.Value);
        Assert.Equal("2", Cell("harvest-pages", "new or updated papers", run.Label));
        Assert.Equal("2", Cell("search-requests", "keyword", today));
        Assert.Equal("1", Cell("search-requests", "4xx", today));
        Assert.Equal("0", Cell("search-requests", "5xx", today));
        Assert.Single(charts["search-latency"].Drawn);
        // Embeddings are off here: every sample's backlog is all its papers, and nothing is embedded.
        var samples = charts["embeddings"].Drawn;
        Assert.All(samples.Where(c => c.Series == "embedded"), c => Assert.Equal("0", c.Value));
        Assert.All(samples.Where(c => c.Series == "backlog"), c => Assert.Equal(samples.Single(x => x.Series == "papers" && x.Label == c.Label).Value, c.Value));
    }

    [GeneratedRegex("<(?:rect|circle) [^>]*data-series=\"([^\"]*)\" data-label=\"([^\"]*)\" data-value=\"([^\"]*)\"")]
    private static partial Regex Mark();

    [GeneratedRegex("<tr><th scope=\"row\">([^<]*)</th>(.*?)</tr>")]
    private static partial Regex Row();

    [GeneratedRegex("<td data-series=\"([^\"]*)\">([^<]*)</td>")]
    private static partial Regex Cell();

    public sealed record Point(string Series, string Label, string Value);

    /// <summary>Each chart's drawn points (SVG data attributes) and its table's filled cells, by chart id.</summary>
    public static Dictionary<string, (List<Point> Drawn, List<Point> Table)> Charts(string html)
    {
        var result = new Dictionary<string, (List<Point>, List<Point>)>();
        foreach (Match figure in Regex.Matches(html, "<figure class=\"chart\" id=\"chart-([^\"]+)\">(.*?)</figure>", RegexOptions.Singleline))
        {
            var body = figure.Groups[2].Value;
            var drawn = Mark().Matches(body).Select(m => new Point(D(m.Groups[1].Value), D(m.Groups[2].Value), D(m.Groups[3].Value))).ToList();
            var table = new List<Point>();
            foreach (Match row in Row().Matches(body))
                foreach (Match cell in Cell().Matches(row.Groups[2].Value))
                    if (D(cell.Groups[2].Value) != "–") table.Add(new Point(D(cell.Groups[1].Value), D(row.Groups[1].Value), D(cell.Groups[2].Value)));
            result[figure.Groups[1].Value] = (drawn, table);
        }
        return result;
    }

    private static string D(string s) => WebUtility.HtmlDecode(s);
}
