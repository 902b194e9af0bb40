using System.Net;
using DailyPapers.Community;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

public sealed class VoteTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task UpvoteTogglesWithAPlainFormAndWithHtmx(string engine)
    {
        await using var server = await StartAsync(engine);
        var ids = await SeedPapersAsync(server, 2);
        var email = UniqueEmail("voter");
        await CreateMemberAsync(server, email);
        var client = await LoggedInClientAsync(server, email);
        var day = DateTime.UtcNow.ToString("yyyy-MM-dd");

        // Without JavaScript: form post, redirect back to the list.
        var res = await PostFormAsync(client, $"/papers/date/{day}", "/vote/2501.00001", new() { ["returnUrl"] = $"/papers/date/{day}" });
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        Assert.Equal($"/papers/date/{day}", res.Headers.Location!.OriginalString);
        var list = await client.GetStringAsync($"/papers/date/{day}");
        Assert.Contains("aria-pressed=\"true\"", list);

        // With htmx: the response is just the new button.
        var hx = await PostFormAsync(client, $"/papers/date/{day}", "/vote/2501.00001", [], new() { ["HX-Request"] = "true" });
        Assert.Equal(HttpStatusCode.OK, hx.StatusCode);
        var fragment = await hx.Content.ReadAsStringAsync();
        Assert.StartsWith("<form", fragment.TrimStart());
        Assert.DoesNotContain("<html", fragment);
        Assert.Contains("aria-pressed=\"false\"", fragment);
        Assert.Contains("<span class=\"count\">0</span>", fragment);

        // Old-style ids have a slash in them.
        await server.App.Services.GetRequiredService<DailyPapers.Ingest.PaperUpsert>().UpsertAsync([Record("hep-th/9901001", DateOnly.FromDateTime(DateTime.UtcNow))]);
        var old = await PostFormAsync(client, "/papers/hep-th/9901001", "/vote/hep-th/9901001", [], new() { ["HX-Request"] = "true" });
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Contains("<span class=\"count\">1</span>", await old.Content.ReadAsStringAsync());

        await using var db = server.Database.Settings.CreateContext();
        Assert.Equal(1, await db.Set<Vote>().CountAsync());
        Assert.Equal(0, (await db.Papers.SingleAsync(p => p.Id == ids[0])).Upvotes);
        Assert.Equal(1, (await db.Papers.SingleAsync(p => p.ArxivId == "hep-th/9901001")).Upvotes);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AnonymousListIsCachedButAVoteShowsUpAtOnce(string engine)
    {
        await using var server = await StartAsync(engine);
        await SeedPapersAsync(server, 1);
        var day = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var anon = NewClient(server);
        var before = await anon.GetStringAsync($"/papers/date/{day}");
        Assert.Contains("<span class=\"count\">0</span>", before);
        Assert.DoesNotContain("__RequestVerificationToken", before);

        var email = UniqueEmail("cache");
        await CreateMemberAsync(server, email);
        var member = await LoggedInClientAsync(server, email);
        await PostFormAsync(member, $"/papers/date/{day}", "/vote/2501.00001", []);

        var after = await anon.GetStringAsync($"/papers/date/{day}");
        Assert.Contains("<span class=\"count\">1</span>", after);
        Assert.Contains("aria-pressed=\"true\"", await member.GetStringAsync($"/papers/date/{day}"));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task FiftyParallelClientsVotingLeaveCountsEqualToRows(string engine)
    {
        await using var server = await StartAsync(engine, b => b.Configuration["Community:AuthAttemptsPerIpPerMinute"] = "1000");
        var ids = await SeedPapersAsync(server, 3);
        var clients = new List<HttpClient>();
        for (int i = 0; i < 50; i++)
        {
            var email = UniqueEmail($"load{i}");
            await CreateMemberAsync(server, email);
            clients.Add(await LoggedInClientAsync(server, email));
        }
        var day = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var tokens = new List<string>();
        foreach (var c in clients)
        {
            var html = await c.GetStringAsync($"/papers/date/{day}");
            tokens.Add(WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value));
        }
        // Every client flips each paper three times, in a shuffled order: each must end up voted on each paper.
        var failures = 0;
        await Task.WhenAll(clients.Select(async (c, i) =>
        {
            var order = Enumerable.Range(0, 9).Select(k => k % 3 + 1).OrderBy(_ => Random.Shared.Next()).ToList();
            foreach (var n in order)
            {
                using var req = new HttpRequestMessage(HttpMethod.Post, $"/vote/2501.{n:00000}")
                {
                    Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = tokens[i] }),
                };
                req.Headers.Add("HX-Request", "true");
                var r = await c.SendAsync(req);
                if (r.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
            }
        }));
        Assert.Equal(0, failures);
        await using var db = server.Database.Settings.CreateContext();
        foreach (var id in ids)
        {
            var rows = await db.Set<Vote>().CountAsync(v => v.PaperId == id);
            var count = (await db.Papers.SingleAsync(p => p.Id == id)).Upvotes;
            Assert.Equal(rows, count);
            Assert.Equal(50, count);
        }
    }
}
