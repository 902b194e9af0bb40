using System.Net;
using System.Text.Json;
using DailyPapers.Community;
using DailyPapers.Library;
using DailyPapers.Tests.Feeds;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static DailyPapers.Tests.Community.CommunityKit;
using static DailyPapers.Tests.Library.LibraryKit;

namespace DailyPapers.Tests.Library;

public sealed class ForYouTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly DateOnly Earlier = Today.AddDays(-60);

    /// <summary>Sixty days ago: 6 graph and 6 quantum papers (the reader's history); today: 8 of each topic and 8 on astronomy, interleaved.</summary>
    private static async Task<TestServer> StartWithTopicsAsync(string engine)
    {
        var server = await StartAsync(engine);
        var records = new List<DailyPapers.Ingest.PaperRecord>();
        for (int n = 1; n <= 6; n++)
        {
            records.Add(Topic($"2401.{n:00000}", Earlier, "graph", n));
            records.Add(Topic($"2401.{100 + n:00000}", Earlier, "quantum", n));
        }
        for (int n = 1; n <= 8; n++)
        {
            records.Add(Topic($"2501.{n:00000}", Today, "astro", n));
            records.Add(Topic($"2501.{100 + n:00000}", Today, "quantum", 10 + n));
            records.Add(Topic($"2501.{200 + n:00000}", Today, "graph", 10 + n));
        }
        await Seed.UpsertAsync(server, [.. records]);
        return server;
    }

    private static async Task<List<(string ArxivId, string Reason)>> RecommendationsAsync(TestServer server, string token, string period = "today")
    {
        var (status, body) = await CallAsync(server, HttpMethod.Get, $"api/v1/me/recommendations?period={period}&limit=100", token);
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("items").EnumerateArray()
            .Select(i => (i.GetProperty("paper").GetProperty("arxivId").GetString()!, i.GetProperty("reason").GetString()!)).ToList();
    }

    private static async Task VoteAsync(TestServer server, Caller who, params string[] arxivIds)
    {
        foreach (var id in arxivIds)
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(server, HttpMethod.Put, $"api/v1/papers/{id}/vote", who.Write)).Status);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AMemberWhoUpvotedGraphPapersGetsGraphPapersFirst(string engine)
    {
        await using var server = await StartWithTopicsAsync(engine);
        var ada = await MemberAsync(server, "Ada");
        await VoteAsync(server, ada, "2401.00001", "2401.00002", "2401.00003", "2401.00004", "2401.00005");

        var recs = await RecommendationsAsync(server, ada.Read);
        Assert.Equal(24, recs.Count);
        Assert.All(recs.Take(8), r => Assert.StartsWith("2501.002", r.ArxivId));
        Assert.Contains("you upvoted", recs[0].Reason);

        // The page shows the same order with the reason line, and five positives make For you the home page.
        var page = await ada.Web.GetStringAsync("/for-you");
        Assert.Contains("like ", page);
        Assert.DoesNotContain("Make this page yours", page);
        Assert.True(page.IndexOf("/papers/2501.00201", StringComparison.Ordinal) < page.IndexOf("/papers/2501.00001", StringComparison.Ordinal));
        var home = await ada.Web.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/for-you", home.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await ada.Web.GetAsync("/?home=latest")).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TheAdminDigestPreviewShowsAMembersPersonalPicksAsTheMailWillHoldThem(string engine)
    {
        await using var server = await StartWithTopicsAsync(engine);
        var ada = await MemberAsync(server, "Ada");
        await VoteAsync(server, ada, "2401.00001", "2401.00002", "2401.00003", "2401.00004", "2401.00005");
        await using (var db = server.Database.Settings.CreateContext())
        {
            // Subscribed with no categories, keywords or authors: only the For-you ranking can fill the personal section.
            db.Add(new DailyPapers.Digest.Subscription { Email = ada.User.Email!.ToLowerInvariant(), State = DailyPapers.Digest.SubscriptionState.Confirmed, CreatedAt = DateTime.UtcNow, ConfirmedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var adminEmail = UniqueEmail("admin");
        await CreateMemberAsync(server, adminEmail, "Admin", Roles.Admin);
        var admin = await LoggedInClientAsync(server, adminEmail);
        var res = await admin.GetAsync($"/admin/digest/preview?email={Uri.EscapeDataString(ada.User.Email!)}&frequency=daily");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var preview = System.Net.WebUtility.HtmlDecode(await res.Content.ReadAsStringAsync());
        var section = preview.IndexOf("Matching your interests", StringComparison.Ordinal);
        Assert.True(section > 0, "no personal section in the preview");
        var personal = preview[section..];
        Assert.Contains("you upvoted", personal);
        // Graph papers lead the section, as on Ada's For-you page.
        var graph = personal.IndexOf("Graph neural networks", StringComparison.Ordinal);
        Assert.True(graph > 0, "no graph paper among the personal picks");
        foreach (var other in new[] { "Quantum error correction", "Galaxy cluster" })
        {
            var at = personal.IndexOf(other, StringComparison.Ordinal);
            Assert.True(at < 0 || at > graph, other + " before the graph papers");
        }
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task NotInterestedHidesThePaperAndLowersSimilarOnes(string engine)
    {
        await using var server = await StartWithTopicsAsync(engine);
        var ada = await MemberAsync(server, "Ada");
        // Likes both topics equally: graph and quantum papers mix at the top.
        await VoteAsync(server, ada, "2401.00001", "2401.00002", "2401.00003", "2401.00101", "2401.00102", "2401.00103");
        var before = await RecommendationsAsync(server, ada.Read);
        double MeanQuantumRank(List<(string ArxivId, string Reason)> list) =>
            list.Select((r, i) => (r.ArxivId, i)).Where(x => x.ArxivId.StartsWith("2501.001")).Average(x => (double)x.i);

        // From a card, without JavaScript.
        var res = await PostFormAsync(ada.Web, "/for-you", "/feedback/not-interested/2501.00101", new() { ["on"] = "true", ["returnUrl"] = "/for-you" });
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(server, HttpMethod.Put, "api/v1/me/feedback/not-interested/2501.00102", ada.Write)).Status);
        var after = await RecommendationsAsync(server, ada.Read);
        Assert.DoesNotContain(after, r => r.ArxivId is "2501.00101" or "2501.00102");
        Assert.True(MeanQuantumRank(after) > MeanQuantumRank(before) + 1, $"quantum papers' mean rank {MeanQuantumRank(before):0.0} → {MeanQuantumRank(after):0.0}");
        Assert.DoesNotContain("/papers/2501.00101\"", await ada.Web.GetStringAsync("/for-you"));

        // Taking it back brings the paper back.
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(server, HttpMethod.Delete, "api/v1/me/feedback/not-interested/2501.00102", ada.Write)).Status);
        Assert.Contains(await RecommendationsAsync(server, ada.Read), r => r.ArxivId == "2501.00102");
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AMemberWithNoFeedbackSeesTheCuratedListWithAnInvitationNeverAnEmptyPage(string engine)
    {
        await using var server = await StartWithTopicsAsync(engine);
        await Seed.SetUpvotesAsync(server, "2501.00005", 3);
        var eve = await MemberAsync(server, "Eve");

        var page = await eve.Web.GetStringAsync("/for-you");
        Assert.Contains("Make this page yours", page);
        Assert.Contains("/papers/2501.00005", page);
        var (status, body) = await CallAsync(server, HttpMethod.Get, "api/v1/me/recommendations", eve.Read);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("personalised").GetBoolean());
        Assert.Equal("2501.00005", body.GetProperty("items")[0].GetProperty("paper").GetProperty("arxivId").GetString());
        // Home stays the daily list.
        Assert.Equal(HttpStatusCode.OK, (await eve.Web.GetAsync("/")).StatusCode);

        // Nobody picked anything this week on a fresh instance: all new papers rather than nothing.
        await Seed.SetUpvotesAsync(server, "2501.00005", 0);
        Assert.Contains("/papers/2501.", await eve.Web.GetStringAsync("/for-you?period=week"));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task FollowedAuthorsNewPapersComeFirstWithTheirReason(string engine)
    {
        await using var server = await StartAsync(engine);
        await Seed.UpsertAsync(server,
            Topic("2501.00001", Today, "graph", 1), Topic("2501.00002", Today, "graph", 2),
            Topic("2501.00003", Today, "astro", 3, authors: ["Vera Rubin", "Someone Else"]));
        await Seed.SetUpvotesAsync(server, "2501.00001", 9);
        var ada = await MemberAsync(server, "Ada");
        // The author page lists the paper and has the follow button; following from it works without JavaScript.
        var authorPage = await ada.Web.GetStringAsync("/authors/Vera%20Rubin");
        Assert.Contains("/papers/2501.00003", authorPage);
        Assert.DoesNotContain("/papers/2501.00001", authorPage);
        var res = await PostFormAsync(ada.Web, "/authors/Vera%20Rubin", "/follow", new() { ["kind"] = "author", ["name"] = "Vera Rubin", ["on"] = "true", ["returnUrl"] = "/authors/Vera%20Rubin" });
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        Assert.Contains("✓ Following", await ada.Web.GetStringAsync("/authors/Vera%20Rubin"));
        // Cards link author names to their pages.
        Assert.Contains("href=\"/authors/Vera%20Rubin\"", await ada.Web.GetStringAsync($"/papers/date/{Today:yyyy-MM-dd}?view=all"));

        var recs = await RecommendationsAsync(server, ada.Read);
        Assert.Equal("2501.00003", recs[0].ArxivId);
        Assert.Equal("by Vera Rubin, an author you follow", recs[0].Reason);
        var (_, follows) = await CallAsync(server, HttpMethod.Get, "api/v1/me/follows", ada.Read);
        Assert.Equal("Vera Rubin", follows[0].GetProperty("name").GetString());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task RecommendationsAndLibrariesArePrivateToTheirMember(string engine)
    {
        await using var server = await StartWithTopicsAsync(engine);
        var ada = await MemberAsync(server, "Ada");
        var eve = await MemberAsync(server, "Eve");
        var (status, created) = await CallAsync(server, HttpMethod.Post, "api/v1/me/collections", ada.Write, new { name = "Secret", isPublic = false });
        Assert.Equal(HttpStatusCode.Created, status);
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Created, (await CallAsync(server, HttpMethod.Post, $"api/v1/me/collections/{id}/items", ada.Write, new { arxivId = "2501.00001", note = "mine" })).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(server, HttpMethod.Get, $"api/v1/me/collections/{id}", eve.Read)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(server, HttpMethod.Delete, $"api/v1/me/collections/{id}", eve.Write)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(server, HttpMethod.Post, $"api/v1/me/collections/{id}/items", eve.Write, new { arxivId = "2501.00002" })).Status);
        Assert.Equal(0, (await CallAsync(server, HttpMethod.Get, "api/v1/me/collections", eve.Read)).Body.GetArrayLength());
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(server, HttpMethod.Get, "api/v1/me/recommendations", null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(server, HttpMethod.Post, "api/v1/me/collections", ada.Read, new { name = "x" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await eve.Web.GetAsync($"/library/{id}")).StatusCode);
        var signedOut = await server.Client.GetAsync("/for-you");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.StartsWith("/account/login", signedOut.Headers.Location!.PathAndQuery);

        // The owner's view and the rest of the API's shape.
        var (_, detail) = await CallAsync(server, HttpMethod.Get, $"api/v1/me/collections/{id}", ada.Read);
        Assert.Equal("mine", detail.GetProperty("items")[0].GetProperty("note").GetString());
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(server, HttpMethod.Patch, $"api/v1/me/collections/{id}/items/2501.00001", ada.Write, new { read = true })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await CallAsync(server, HttpMethod.Post, "api/v1/me/collections", ada.Write, new { name = "Secret" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Post, $"api/v1/me/collections/{id}/items", ada.Write, new { arxivId = "not an id" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(server, HttpMethod.Post, $"api/v1/me/collections/{id}/items", ada.Write, new { arxivId = "2612.99999" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Get, "api/v1/me/recommendations?period=year", ada.Read)).Status);
        var (patched, made) = await CallAsync(server, HttpMethod.Patch, $"api/v1/me/collections/{id}", ada.Write, new { isPublic = true });
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(new Uri(made.GetProperty("publicUrl").GetString()!).PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(server, HttpMethod.Delete, $"api/v1/me/collections/{id}", ada.Write)).Status);

        var openapi = await server.Client.GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/v1/me/recommendations", "/api/v1/me/collections/{id}/items", "/api/v1/me/follows", "/api/v1/me/saved-searches", "/api/v1/me/feedback/not-interested/{arxivId}" })
            Assert.Contains($"\"{path}\"", openapi);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ASavedSearchBecomesATabAndAPrivateFeedThatAWrongTokenCannotRead(string engine)
    {
        await using var server = await StartWithTopicsAsync(engine);
        var ada = await MemberAsync(server, "Ada");
        var res = await PostFormAsync(ada.Web, "/search?q=surface+codes&mode=keyword", "/for-you?handler=SaveSearch",
            new() { ["q"] = "surface codes", ["mode"] = "keyword", ["name"] = "error correction" });
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        await using var db = server.Database.Settings.CreateContext();
        var saved = await db.Set<SavedSearch>().SingleAsync(s => s.UserId == ada.User.Id);
        Assert.Equal("error correction", saved.Name);

        var tab = await ada.Web.GetStringAsync(res.Headers.Location!.OriginalString);
        Assert.Contains("matches your saved search “error correction”", tab);
        Assert.Contains("/papers/2501.00101", tab);
        Assert.DoesNotContain("/papers/2501.00201", tab);
        // The For you list gives the match its reason too.
        Assert.Contains(await RecommendationsAsync(server, ada.Read), r => r.Reason == "matches your saved search “error correction”");

        var feed = await server.Client.GetAsync($"/feeds/saved/{saved.FeedToken}.atom");
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        var xml = await feed.Content.ReadAsStringAsync();
        Assert.Contains("https://arxiv.org/abs/2501.00101", xml);
        Assert.DoesNotContain("2501.00201", xml);
        Assert.Contains("private", feed.Headers.CacheControl!.ToString());
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/feeds/saved/{saved.FeedToken}.rss");
        var first = await server.Client.GetAsync($"/feeds/saved/{saved.FeedToken}.rss");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await server.Client.SendAsync(again)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/feeds/saved/{saved.FeedToken[..^1]}{(saved.FeedToken[^1] == 'x' ? 'y' : 'x')}.rss")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/feeds/for-you/not-a-token.rss")).StatusCode);

        // The For you feed: its token is on the page, and renewing it retires the old address.
        var forYou = await db.Set<ForYouFeed>().SingleAsync(f => f.UserId == ada.User.Id);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"/feeds/for-you/{forYou.Token}.rss")).StatusCode);
        await PostFormAsync(ada.Web, "/for-you", "/for-you?handler=NewFeedToken", []);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/feeds/for-you/{forYou.Token}.rss")).StatusCode);

        var (_, searches) = await CallAsync(server, HttpMethod.Get, "api/v1/me/saved-searches", ada.Read);
        Assert.EndsWith($"/feeds/saved/{saved.FeedToken}.rss", searches[0].GetProperty("rssUrl").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(server, HttpMethod.Post, "api/v1/me/saved-searches", ada.Write, new { query = "x", mode = "fuzzy" })).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(server, HttpMethod.Delete, $"api/v1/me/saved-searches/{saved.Id}", ada.Write)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/feeds/saved/{saved.FeedToken}.rss")).StatusCode);
    }
}
