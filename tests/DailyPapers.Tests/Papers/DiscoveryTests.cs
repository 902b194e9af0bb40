using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DailyPapers.Community;
using DailyPapers.Ingest;
using DailyPapers.Tests.Api;
using DailyPapers.Tests.Feeds;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Papers;

/// <summary>Issue 15: signals from the HF history on cards, pages and APIs; ranking; curated and all views; featuring.</summary>
public sealed partial class DiscoveryTests
{
    private const string KimiK3 = "2607.24653"; // 2026-07-28: 181 HF upvotes, 2,577 stars, 402 authors
    private const string Fipo = "2603.19835";   // 2026-04-01: 250 HF upvotes, the day's most upvoted

    private static async Task<TestServer> StartWithHfHistoryAsync(string engine)
    {
        var server = await StartAsync(engine);
        var dir = HfFixtures.ExtractDays("2026-04-01", "2026-07-28");
        try
        {
            var summary = await server.App.Services.GetRequiredService<HfDailyImport>().RunAsync(dir);
            Assert.Equal(2, summary.Days);
        }
        finally { Directory.Delete(dir, true); }
        return server;
    }

    private static List<string> CardIds(string html) =>
        CardId().Matches(html).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("<h3 id=\"t-\\d+\" class=\"tex\"><a href=\"/papers/([^\"]+)\"")]
    private static partial Regex CardId();

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TheTopHfPaperOfADayRanksFirstAndItsSignalsShowEverywhere(string engine)
    {
        await using var server = await StartWithHfHistoryAsync(engine);
        var client = NewClient(server);

        var day = await client.GetStringAsync("/papers/date/2026-07-28");
        var ids = CardIds(day);
        Assert.Equal(25, ids.Count);
        Assert.Equal(KimiK3, ids[0]);
        Assert.Contains("★ 2,577", day);
        Assert.Contains("HF</abbr> ▲ 181", day);
        Assert.Contains("and 397 more", day); // 402 authors, five named
        Assert.Equal(Fipo, CardIds(await client.GetStringAsync("/papers/date/2026-04-01"))[0]);

        var page = await client.GetStringAsync($"/papers/{KimiK3}");
        Assert.Contains("href=\"https://github.com/MoonshotAI/Kimi-K3\"", page);
        Assert.Contains("Code ★ 2,577", page);
        Assert.Contains("Project page", page);
        Assert.Contains("Moonshot", page); // the organisation
        Assert.Contains("submitted by taesiri on HF", page);
        Assert.DoesNotContain("AI-generated", page); // HF had no summary for this one: nothing invented
        var fipo = await client.GetStringAsync($"/papers/{Fipo}");
        Assert.Contains("AI-generated, imported from Hugging Face", fipo);
        Assert.Contains("<ul class=\"keywords\"", fipo);
        // Comments come before similar papers.
        var comments = page.IndexOf("id=\"comments\"", StringComparison.Ordinal);
        Assert.True(comments > 0);
        var similar = page.IndexOf("id=\"similar-h\"", StringComparison.Ordinal);
        Assert.True(similar < 0 || similar > comments);

        var hf = JsonDocument.Parse(await client.GetStringAsync($"/api/papers/{KimiK3}")).RootElement;
        Assert.Equal(181, hf.GetProperty("upvotes").GetInt32());
        Assert.Equal(2577, hf.GetProperty("githubStars").GetInt32());
        Assert.Equal("https://github.com/MoonshotAI/Kimi-K3", hf.GetProperty("githubRepo").GetString());
        Assert.Equal("moonshotai", hf.GetProperty("organization").GetProperty("name").GetString());
        Assert.False(hf.TryGetProperty("ai_summary", out _));
        var hfFipo = JsonDocument.Parse(await client.GetStringAsync($"/api/papers/{Fipo}")).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(hfFipo.GetProperty("ai_summary").GetString()));
        Assert.True(hfFipo.GetProperty("ai_keywords").GetArrayLength() > 0);

        var daily = JsonDocument.Parse(await client.GetStringAsync("/api/daily_papers?date=2026-04-01")).RootElement;
        Assert.Equal(Fipo, daily[0].GetProperty("paper").GetProperty("id").GetString());
        Assert.Equal(250, daily[0].GetProperty("paper").GetProperty("upvotes").GetInt32());

        var v1 = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/papers/{KimiK3}")).RootElement;
        Assert.Equal(0, v1.GetProperty("upvotes").GetInt32()); // this instance's own votes, kept apart
        Assert.Equal(181, v1.GetProperty("signals").GetProperty("importedUpvotes").GetInt32());
        Assert.Equal(2577, v1.GetProperty("signals").GetProperty("githubStars").GetInt32());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task PapersKnownOnlyFromHfShowNoEmptyCategories(string engine)
    {
        await using var server = await StartWithHfHistoryAsync(engine);
        var client = NewClient(server);
        var day = await client.GetStringAsync("/papers/date/2026-07-28");
        Assert.DoesNotContain("?cat=\"", day);
        Assert.DoesNotContain("cat=&", day);
        Assert.DoesNotContain("<span class=\"cat\"></span>", day);
        var page = await client.GetStringAsync($"/papers/{KimiK3}");
        Assert.DoesNotContain("primary:", page);
        Assert.DoesNotContain("<dt>Categories</dt>", page);
        var rss = await client.GetStringAsync("/feeds/date/2026-07-28.rss");
        Assert.Contains($"arXiv:{KimiK3}", rss);
        Assert.DoesNotContain($"arXiv:{KimiK3} []", rss);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TrendingWorksOnAnInstanceWhoseNewestDayIsMonthsOld(string engine)
    {
        await using var server = await StartWithHfHistoryAsync(engine);
        var html = await NewClient(server).GetStringAsync("/papers/trending");
        var ids = CardIds(html);
        Assert.NotEmpty(ids);
        Assert.Equal(KimiK3, ids[0]); // the newest day's best paper; 2026-04-01 is outside the 14 days before 2026-07-28
        Assert.DoesNotContain(Fipo, ids);
        Assert.Contains("15 July 2026 – 28 July 2026", html);
        var feed = await NewClient(server).GetStringAsync("/feeds/trending.rss");
        Assert.Contains(KimiK3, feed);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task CuratedIsTheDefaultAllShowsTheHarvestAndAQuietDayFallsBack(string engine)
    {
        await using var server = await StartAsync(engine);
        var day = new DateOnly(2026, 3, 2);
        await Seed.UpsertAsync(server,
            Seed.Paper("2603.00001", day, "Upvoted here", ["cs.CL"]),
            Seed.Paper("2603.00002", day, "Nobody looked", ["cs.CL"]),
            Seed.Paper("2603.00003", day, "Also quiet", ["cs.LG"]),
            Seed.Paper("2603.00004", day.AddDays(1), "Quiet day one", ["cs.CL"]),
            Seed.Paper("2603.00005", day.AddDays(1), "Quiet day two", ["cs.CL"]));
        await Seed.SetUpvotesAsync(server, "2603.00001", 2);
        var client = NewClient(server);

        var curated = await client.GetStringAsync("/papers/date/2026-03-02");
        Assert.Equal(["2603.00001"], CardIds(curated));
        Assert.DoesNotContain("Nobody has picked", curated);
        var all = await client.GetStringAsync("/papers/date/2026-03-02?view=all");
        Assert.Equal(["2603.00001", "2603.00002", "2603.00003"], CardIds(all).Take(1).Concat(CardIds(all).Skip(1).Order()));
        Assert.Contains("href=\"/papers/date/2026-03-02?view=all&amp;cat=cs.CL\"", all); // chips keep the view

        var quiet = await client.GetStringAsync("/papers/date/2026-03-03");
        Assert.Equal(2, CardIds(quiet).Count);
        Assert.Contains("Nobody has picked a paper from this day yet", quiet);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/papers/date/2026-03-02?view=%3Cscript%3E")).StatusCode);

        var v1 = JsonDocument.Parse(await client.GetStringAsync("/api/v1/papers?from=2026-03-02&to=2026-03-02")).RootElement;
        Assert.Equal("curated", v1.GetProperty("view").GetString());
        Assert.Equal(1, v1.GetProperty("total").GetInt32());
        var v1All = JsonDocument.Parse(await client.GetStringAsync("/api/v1/papers?from=2026-03-02&to=2026-03-02&view=all")).RootElement;
        Assert.Equal(3, v1All.GetProperty("total").GetInt32());
        var v1Quiet = JsonDocument.Parse(await client.GetStringAsync("/api/v1/papers?from=2026-03-03&to=2026-03-03")).RootElement;
        Assert.Equal("all", v1Quiet.GetProperty("view").GetString());
        Assert.Equal(2, v1Quiet.GetProperty("total").GetInt32());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task OnlyAModeratorFeaturesAPaperOntoTheCuratedList(string engine)
    {
        await using var server = await StartAsync(engine);
        var day = new DateOnly(2026, 3, 2);
        await Seed.UpsertAsync(server, Seed.Paper("2603.00001", day, "Voted", ["cs.CL"]), Seed.Paper("2603.00002", day, "Picked by a moderator", ["cs.CL"]));
        await Seed.SetUpvotesAsync(server, "2603.00001", 1);
        var member = UniqueEmail("member");
        var mod = UniqueEmail("mod");
        await CreateMemberAsync(server, member, "Member");
        await CreateMemberAsync(server, mod, "Mo", Roles.Moderator);

        var anon = NewClient(server);
        Assert.DoesNotContain("2603.00002", string.Join(" ", CardIds(await anon.GetStringAsync("/papers/date/2026-03-02"))));

        var asMember = await LoggedInClientAsync(server, member);
        var page = await asMember.GetStringAsync("/papers/2603.00002");
        Assert.DoesNotContain(">Feature</button>", page);
        var refused = await PostFormAsync(asMember, "/papers/2603.00001", "/papers/2603.00002?handler=Feature", new() { ["featured"] = "true" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(["2603.00001"], CardIds(await anon.GetStringAsync("/papers/date/2026-03-02")));

        var asMod = await LoggedInClientAsync(server, mod);
        Assert.Contains(">Feature</button>", await asMod.GetStringAsync("/papers/2603.00002"));
        var featured = await PostFormAsync(asMod, "/papers/2603.00002", "/papers/2603.00002?handler=Feature", new() { ["featured"] = "true" });
        Assert.True(featured.IsSuccessStatusCode || featured.StatusCode == HttpStatusCode.Redirect, featured.StatusCode.ToString());
        // Featured: on the curated list, and first (the feature bonus outweighs one vote).
        var after = await anon.GetStringAsync("/papers/date/2026-03-02");
        Assert.Equal(["2603.00002", "2603.00001"], CardIds(after));
        Assert.Contains("★ Featured", after);

        await PostFormAsync(asMod, "/papers/2603.00002", "/papers/2603.00002?handler=Feature", new() { ["featured"] = "false" });
        Assert.Equal(["2603.00001"], CardIds(await anon.GetStringAsync("/papers/date/2026-03-02")));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task CategoryChipCountsEqualTheFilteredTotals(string engine)
    {
        await using var server = await StartAsync(engine);
        var day = new DateOnly(2026, 3, 2);
        // Cross-lists: a paper counts under every category it is listed in, as the filter selects it.
        await Seed.UpsertAsync(server,
            Seed.Paper("2603.00001", day, "a", ["cs.CL", "cs.LG"]),
            Seed.Paper("2603.00002", day, "b", ["cs.LG", "cs.CL", "stat.ML"]),
            Seed.Paper("2603.00003", day, "c", ["stat.ML"]),
            Seed.Paper("2603.00004", day, "d", ["cs.CV", "cs.CL"]),
            Seed.Paper("2603.00005", day, "e", ["math.OC"]));
        var client = NewClient(server);
        var html = await client.GetStringAsync("/papers/date/2026-03-02?view=all");
        var chips = ChipPattern().Matches(html).Select(m => (Code: m.Groups[1].Value, Count: int.Parse(m.Groups[2].Value))).ToList();
        Assert.Equal(5, chips.Count); // cs.CL, cs.LG, stat.ML, cs.CV, math.OC
        Assert.Contains(("cs.CL", 3), chips);
        foreach (var (code, count) in chips)
        {
            var filtered = await client.GetStringAsync($"/papers/date/2026-03-02?view=all&cat={code}");
            Assert.Equal(count, CardIds(filtered).Count);
            Assert.Contains($"{count} {(count == 1 ? "paper" : "papers")} in {code}", filtered);
        }
    }

    [GeneratedRegex("cat=([a-z\\-]+\\.[A-Za-z\\-]+)\" ?[^>]*>[a-z\\-]+\\.[A-Za-z\\-]+ <small>(\\d+)</small>")]
    private static partial Regex ChipPattern();

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TheDigestCallsOnlyPapersWithASignalTrending(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var upsert = new PaperUpsert(db.Settings);
        var quiet = new DateOnly(2026, 3, 2);
        var busy = new DateOnly(2026, 3, 3);
        await upsert.UpsertAsync([Record("2603.00001", quiet), Record("2603.00002", quiet), Record("2603.00003", busy), Record("2603.00004", busy)]);
        await using (var ctx = db.Settings.CreateContext())
            await ctx.Papers.Where(p => p.ArxivId == "2603.00003").ExecuteUpdateAsync(u => u.SetProperty(p => p.HfUpvotes, 12).SetProperty(p => p.CuratedSource, true));
        var (_, mail, _) = DailyPapers.Tests.Digest.DigestTestData.Runner(db.Settings, new DailyPapers.Digest.DigestSettings(), DailyPapers.Tests.Digest.DigestTestData.Mail(25));
        await using var read = db.Settings.CreateContext();

        var q = await DailyPapers.Digest.DigestPapers.EditionAsync(read, DailyPapers.Digest.DigestFrequency.Daily, quiet, 10);
        Assert.Equal(2, q.Top.Count);
        Assert.Empty(q.Trending);
        var quietMail = mail.Digest(q, new DailyPapers.Digest.DigestRecipient(1, "a@example.test"), []);
        Assert.DoesNotContain("rending", quietMail.Subject + quietMail.TextBody + quietMail.HtmlBody);
        Assert.Contains("Newest papers", quietMail.TextBody);

        var b = await DailyPapers.Digest.DigestPapers.EditionAsync(read, DailyPapers.Digest.DigestFrequency.Daily, busy, 10);
        Assert.Equal(["2603.00003"], b.Trending.Select(c => c.ArxivId));
        Assert.Equal(["2603.00004"], b.Newest.Select(c => c.ArxivId));
        var busyMail = mail.Digest(b, new DailyPapers.Digest.DigestRecipient(1, "a@example.test"), []);
        Assert.Contains("Trending papers", busyMail.TextBody);
        Assert.Contains("Also new", busyMail.TextBody);
        Assert.Contains("12 on Hugging Face", busyMail.TextBody);
        Assert.True(busyMail.TextBody!.IndexOf("2603.00003", StringComparison.Ordinal) < busyMail.TextBody.IndexOf("Also new", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TexTextReadsAsUnicodeOnPagesFeedsAndBibTexWhileMathStaysForKatex(string engine)
    {
        await using var server = await StartAsync(engine);
        var day = new DateOnly(2026, 3, 2);
        await Seed.UpsertAsync(server, Seed.Paper("2603.00001", day, "Computa\\c{c}\\~ao Urbana da Teoria \\`a Pr\\'atica: \\emph{\\textbf{$\\alpha$-stable}} maps",
            ["cs.CY"], abs: "We study \\textit{Schr\\\"odinger} bridges -- fast."));
        var client = NewClient(server);
        var html = await client.GetStringAsync("/papers/date/2026-03-02");
        Assert.Contains("Computação Urbana da Teoria à Prática: <em><strong>$\\alpha$-stable</strong></em> maps", html);
        Assert.Contains("We study <em>Schrödinger</em> bridges – fast.", html);
        var page = await client.GetStringAsync("/papers/2603.00001");
        Assert.Contains("<title>Computação Urbana da Teoria à Prática: $\\alpha$-stable maps · DailyPapers</title>", page);
        var rss = await client.GetStringAsync("/feeds/date/2026-03-02.rss");
        Assert.Contains("Computação Urbana da Teoria à Prática: $\\alpha$-stable maps", rss);
        Assert.DoesNotContain("\\c{c}", rss);
        var bib = await client.GetStringAsync("/papers/2603.00001.bib");
        Assert.Contains("Computação Urbana", bib);
        Assert.DoesNotContain("\\~ao", bib);
    }
}
