using System.Net;
using DailyPapers.Ingest;
using DailyPapers.Tests.Admin;
using DailyPapers.Tests.Community;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Ingest;

/// <summary>/admin/ingest and the banner on the real app, with the 2017 OAI stream behind the local stub.</summary>
public sealed class IngestAdminTests
{
    private static readonly Lazy<OaiDailyStream> Stream2017 = new(() => OaiDailyStream.Load());

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AdminsSeeTheBannerWhenTwoAnnouncementsBehindAndReharvestingTheShortDayClearsIt(string engine)
    {
        var stream = Stream2017.Value;
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) => stream.HandleAsync(ctx));
        await using var server = await DashboardTests.StartAsync(engine, stub, new() { ["Arxiv:OaiMetadataPrefix"] = "oai_dc", ["Admin:Token"] = "ingest-token-5" });
        var admin = await DashboardTests.AdminAsync(server);
        var health = server.App.Services.GetRequiredService<IngestHealth>();
        var window = health.Window;

        // The newest day not yet checked, the one before short: two announcements behind.
        await using (var ctx = server.Database.Settings.CreateContext())
        {
            ctx.Add(new IngestDay { SetSpec = "cs", Day = window[1], Status = IngestDayStatus.Short, Listed = 7, Stored = 5, Missing = "1701.00001 1701.00002", CheckedAt = DateTime.UtcNow });
            ctx.AddRange(window.Skip(2).Select(d => new IngestDay { SetSpec = "cs", Day = d, Status = IngestDayStatus.Complete, Listed = 3, Stored = 3, CheckedAt = DateTime.UtcNow }));
            await ctx.SaveChangesAsync();
        }
        var home = await admin.GetStringAsync("/");
        Assert.Contains("id=\"ingest-banner\"", home);
        Assert.Contains($"newest complete day {window[2]:yyyy-MM-dd}, 2 announcements behind", home);
        Assert.DoesNotContain("id=\"ingest-banner\"", await server.Client.GetStringAsync("/"));
        var memberEmail = CommunityKit.UniqueEmail("ingest-member");
        await CommunityKit.CreateMemberAsync(server, memberEmail);
        Assert.DoesNotContain("id=\"ingest-banner\"", await (await CommunityKit.LoggedInClientAsync(server, memberEmail)).GetStringAsync("/"));
        // A token holder sees it on admin pages only: the others may come from the output cache, to anyone.
        using (var req = new HttpRequestMessage(HttpMethod.Get, "admin/harvest"))
        {
            req.Headers.Add(DailyPapers.Admin.AdminAccess.HeaderName, "ingest-token-5");
            Assert.Contains("id=\"ingest-banner\"", await (await server.Client.SendAsync(req)).Content.ReadAsStringAsync());
        }
        using (var req = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            req.Headers.Add(DailyPapers.Admin.AdminAccess.HeaderName, "ingest-token-5");
            Assert.DoesNotContain("id=\"ingest-banner\"", await (await server.Client.SendAsync(req)).Content.ReadAsStringAsync());
        }

        var page = await admin.GetStringAsync("admin/ingest");
        Assert.Contains($"<td>{window[1]:yyyy-MM-dd}</td><td>cs</td><td><span class=\"status status-short\">short</span></td>", page);
        Assert.Contains("<td>7</td><td>5</td>", page);
        Assert.Contains("1701.00001 1701.00002", page);
        Assert.Contains($"<td>{window[0]:yyyy-MM-dd}</td><td>cs</td><td><span class=\"status status-unchecked\">unchecked</span></td>", page);

        // A day arXiv has not announced yet, or a set not configured, is refused with a message and starts nothing.
        var future = await CommunityKit.PostFormAsync(admin, "admin/ingest", "admin/ingest?handler=Reharvest", new() { ["set"] = "cs", ["day"] = window[0].AddDays(3).ToString("yyyy-MM-dd") });
        Assert.Contains("has not been announced yet", WebUtility.HtmlDecode(await admin.GetStringAsync(future.Headers.Location)));
        var badSet = await CommunityKit.PostFormAsync(admin, "admin/ingest", "admin/ingest?handler=Reharvest", new() { ["set"] = "math", ["day"] = window[1].ToString("yyyy-MM-dd") });
        Assert.Contains("is not one of the configured sets", WebUtility.HtmlDecode(await admin.GetStringAsync(badSet.Headers.Location)));
        Assert.Empty(stub.Requests);

        // Re-harvest the short day: the harvest for that day alone, then its check (the stub has nothing for 2026: 0 of 0).
        var post = await CommunityKit.PostFormAsync(admin, "admin/ingest", "admin/ingest?handler=Reharvest", new() { ["set"] = "cs", ["day"] = window[1].ToString("yyyy-MM-dd") });
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Contains("Re-harvest of cs for", WebUtility.HtmlDecode(await admin.GetStringAsync(post.Headers.Location)));
        await server.App.Services.GetRequiredService<HarvestRunner>().Background.WaitAsync(TimeSpan.FromMinutes(1));
        var requests = stub.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Contains($"verb=ListRecords&metadataPrefix=oai_dc&from={window[1]:yyyy-MM-dd}&until={window[1]:yyyy-MM-dd}&set=cs", requests[0]);
        Assert.Contains($"verb=ListIdentifiers&metadataPrefix=oai_dc&from={window[1]:yyyy-MM-dd}&until={window[1]:yyyy-MM-dd}&set=cs", requests[1]);
        await using (var ctx = server.Database.Settings.CreateContext())
        {
            var day = await ctx.Set<IngestDay>().SingleAsync(d => d.Day == window[1]);
            Assert.Equal((IngestDayStatus.Complete, 0, 0), (day.Status, day.Listed, day.Stored));
        }
        Assert.DoesNotContain("id=\"ingest-banner\"", await admin.GetStringAsync("/")); // one announcement behind: on its way
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ReharvestingAShortStreamDayThroughThePageStoresItsMissingPapers(string engine)
    {
        var stream = new OaiDailyStream { PageSize = 200 };
        foreach (var (d, records) in Stream2017.Value.Days) stream.Days[d] = records;
        var day = new DateOnly(2017, 1, 6);
        var ids = stream.Days[day].Select(OaiDailyStream.IdOf).Distinct().ToList();
        stream.Withheld.UnionWith(ids.Take(9));
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) => stream.HandleAsync(ctx));
        await using var server = await DashboardTests.StartAsync(engine, stub, new() { ["Arxiv:OaiMetadataPrefix"] = "oai_dc" });
        var admin = await DashboardTests.AdminAsync(server);
        var runner = server.App.Services.GetRequiredService<HarvestRunner>();

        Assert.Equal(HttpStatusCode.Redirect, (await CommunityKit.PostFormAsync(admin, "admin/ingest", "admin/ingest?handler=Reharvest", new() { ["set"] = "cs", ["day"] = "2017-01-06" })).StatusCode);
        await runner.Background.WaitAsync(TimeSpan.FromMinutes(1));
        await using (var ctx = server.Database.Settings.CreateContext())
        {
            var row = await ctx.Set<IngestDay>().SingleAsync();
            Assert.Equal((IngestDayStatus.Short, ids.Count, ids.Count - 9), (row.Status, row.Listed, row.Stored));
        }

        stream.Withheld.Clear();
        Assert.Equal(HttpStatusCode.Redirect, (await CommunityKit.PostFormAsync(admin, "admin/ingest", "admin/ingest?handler=Reharvest", new() { ["set"] = "cs", ["day"] = "2017-01-06" })).StatusCode);
        await runner.Background.WaitAsync(TimeSpan.FromMinutes(1));
        await using (var ctx = server.Database.Settings.CreateContext())
        {
            var row = await ctx.Set<IngestDay>().SingleAsync();
            Assert.Equal((IngestDayStatus.Complete, ids.Count, ids.Count), (row.Status, row.Listed, row.Stored));
            Assert.Equal(ids.Count, await ctx.Papers.CountAsync());
        }
        stub.AssertPolite();
    }
}
