using System.Net;
using DailyPapers.Ingest;
using DailyPapers.Tests.Community;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Ingest;

/// <summary>/admin/harvest on the real app: who may see it, what it shows, and "Run now" against the local arXiv stub.</summary>
public sealed class HarvestAdminTests
{
    private const string Page = "arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml";

    private static Task<TestServer> StartAsync(string engine, ArxivStub stub, string? token = null) =>
        CommunityKit.StartAsync(engine, b =>
        {
            b.Configuration["Arxiv:OaiBaseUrl"] = stub.BaseUrl + "oai";
            b.Configuration["Arxiv:MinSpacing"] = "00:00:00";
            b.Configuration["Arxiv:Contact"] = "ops@example.org";
            b.Configuration["Harvest:Sets:0"] = "cs";
            if (token is not null) b.Configuration["Admin:Token"] = token;
        });

    private static async Task<HttpClient> AdminAsync(TestServer server)
    {
        var email = CommunityKit.UniqueEmail("harvest-admin");
        await CommunityKit.CreateMemberAsync(server, email, role: DailyPapers.Community.Roles.Admin);
        return await CommunityKit.LoggedInClientAsync(server, email);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AdminSeesStateAndRunsAndRunNowHarvestsFromTheStub(string engine)
    {
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) => ArxivStub.WriteFileAsync(ctx, Fixtures.Oai(Page)));
        await using var server = await StartAsync(engine, stub);
        var admin = await AdminAsync(server);

        var before = await (await admin.GetAsync("admin/harvest")).Content.ReadAsStringAsync();
        Assert.Contains("No harvest is running", before);
        Assert.Contains("No harvest has run yet", before);
        Assert.Contains("href=\"/admin/harvest\"", before); // linked from the admin navigation

        var post = await CommunityKit.PostFormAsync(admin, "admin/harvest", "admin/harvest?handler=Run", new() { ["set"] = "cs" });
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        var message = await (await admin.GetAsync(post.Headers.Location)).Content.ReadAsStringAsync();
        Assert.Contains("Harvest of cs started", message);
        await server.App.Services.GetRequiredService<HarvestRunner>().Background.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Contains("set=cs", Assert.Single(stub.Requests));
        await using (var ctx = server.Database.Settings.CreateContext())
        {
            var run = await ctx.Set<HarvestRun>().SingleAsync();
            Assert.Equal("admin", run.Trigger);
            Assert.Equal(2, run.Inserted);
            Assert.NotNull(run.FinishedAt);
            Assert.Equal(2, await ctx.Papers.CountAsync());
        }
        var after = await (await admin.GetAsync("admin/harvest")).Content.ReadAsStringAsync();
        var runs = after[after.IndexOf("id=\"harvest-runs\"", StringComparison.Ordinal)..];
        Assert.Contains("<td>admin</td><td>oai</td><td>cs</td>", runs);
        Assert.Contains("<td>1</td><td>2</td><td>2</td><td>0</td><td>0</td><td>0</td><td>0</td>", runs); // pages, records, new, updated, unchanged, deleted, rejected
        var sources = after[after.IndexOf("id=\"harvest-sources\"", StringComparison.Ordinal)..];
        Assert.Contains("2015-01-03", sources); // the last datestamp the server gave
        Assert.Contains("scheduler off", sources); // the test server switches the loop off
        stub.AssertPolite();
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task RunNowWhileAHarvestIsRunningSaysSoAndStartsNothing(string engine)
    {
        var held = new HeldResponse(Fixtures.Oai(Page));
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, held.WriteAsync);
        await using var server = await StartAsync(engine, stub);
        var admin = await AdminAsync(server);

        Assert.Equal(HttpStatusCode.Redirect, (await CommunityKit.PostFormAsync(admin, "admin/harvest", "admin/harvest?handler=Run", [])).StatusCode);
        var running = server.App.Services.GetRequiredService<HarvestRunner>().Background;
        await held.Entered.Task.WaitAsync(TimeSpan.FromMinutes(1));

        var page = await (await admin.GetAsync("admin/harvest")).Content.ReadAsStringAsync();
        Assert.Contains("A harvest is running now", page);
        Assert.Contains("running</td>", page);
        var again = await CommunityKit.PostFormAsync(admin, "admin/harvest", "admin/harvest?handler=Run", []);
        var said = await (await admin.GetAsync(again.Headers.Location)).Content.ReadAsStringAsync();
        Assert.Contains("A harvest is already running", said);

        held.Released.SetResult();
        await running.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Single(stub.Requests);
        await using var ctx = server.Database.Settings.CreateContext();
        Assert.Equal(1, await ctx.Set<HarvestRun>().CountAsync());
        stub.AssertPolite();
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AnonymousGoesToLoginNonAdminIsDeniedAndAPostWithoutAntiforgeryIsRefused(string engine)
    {
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) => ArxivStub.WriteFileAsync(ctx, Fixtures.Oai(Page)));
        await using var server = await StartAsync(engine, stub);

        var anonymous = await server.Client.GetAsync("admin/harvest");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/account/login", anonymous.Headers.Location!.PathAndQuery);

        var memberEmail = CommunityKit.UniqueEmail("harvest-member");
        await CommunityKit.CreateMemberAsync(server, memberEmail);
        var member = await CommunityKit.LoggedInClientAsync(server, memberEmail);
        var denied = await member.GetAsync("admin/harvest");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/denied", denied.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync(denied.Headers.Location)).StatusCode);
        Assert.DoesNotContain("href=\"/admin/harvest\"", await (await member.GetAsync("/")).Content.ReadAsStringAsync());
        // A member's valid antiforgery token does not make "Run now" theirs.
        var memberPost = await CommunityKit.PostFormAsync(member, "/", "admin/harvest?handler=Run", []);
        Assert.StartsWith("/account/denied", memberPost.Headers.Location!.PathAndQuery);

        var admin = await AdminAsync(server);
        var forged = await admin.PostAsync("admin/harvest?handler=Run", new FormUrlEncodedContent(new Dictionary<string, string> { ["set"] = "cs" }));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        Assert.Empty(stub.Requests);
        await using var ctx = server.Database.Settings.CreateContext();
        Assert.Equal(0, await ctx.Set<HarvestRun>().CountAsync());
    }

    [Fact]
    public async Task AScriptWithTheConfiguredTokenSeesThePageWithoutAnAccount()
    {
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) => ArxivStub.WriteFileAsync(ctx, Fixtures.Oai(Page)));
        await using var server = await StartAsync(TestDatabase.Sqlite, stub, token: "harvest-token-9b2e");
        var form = await (await server.Client.GetAsync("admin/harvest")).Content.ReadAsStringAsync();
        Assert.Contains("Admin:Token", form);
        Assert.DoesNotContain("Run now", form);

        using var req = new HttpRequestMessage(HttpMethod.Get, "admin/harvest");
        req.Headers.Add(DailyPapers.Admin.AdminAccess.HeaderName, "harvest-token-9b2e");
        var page = await (await server.Client.SendAsync(req)).Content.ReadAsStringAsync();
        Assert.Contains("Run now", page);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "admin/harvest");
        wrong.Headers.Add(DailyPapers.Admin.AdminAccess.HeaderName, "not-the-token");
        Assert.DoesNotContain("Run now", await (await server.Client.SendAsync(wrong)).Content.ReadAsStringAsync());
    }
}
