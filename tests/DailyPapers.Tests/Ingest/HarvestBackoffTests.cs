using System.Net;
using DailyPapers.Community;
using DailyPapers.Ingest;
using DailyPapers.Tests.Community;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace DailyPapers.Tests.Ingest;

/// <summary>
/// An instance that cannot reach arXiv: the scheduler backs off exponentially (state in harvest_states), a success
/// resets it, and admins see the failing state on the home page.
/// </summary>
public sealed class HarvestBackoffTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    [InlineData(5, 80)]
    [InlineData(6, 160)]
    [InlineData(7, 320)]
    [InlineData(8, 360)] // 640 min, capped at 6 h
    [InlineData(9, 360)]
    [InlineData(1000, 360)] // no overflow after years offline
    public void TheRetryDelayDoublesFromFiveMinutesUpToSixHours(int failures, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), new HarvestSettings().RetryDelay(failures));

    [Fact]
    public void TheRetryDelayFollowsItsSettings()
    {
        var o = new HarvestSettings { RetryFirstDelay = TimeSpan.FromSeconds(90), RetryMaxDelay = TimeSpan.FromHours(1) };
        Assert.Equal(TimeSpan.FromSeconds(90), o.RetryDelay(1));
        Assert.Equal(TimeSpan.FromSeconds(720), o.RetryDelay(4));  // 90 · 2³
        Assert.Equal(TimeSpan.FromSeconds(2880), o.RetryDelay(6)); // 90 · 2⁵ = 48 min
        Assert.Equal(TimeSpan.FromHours(1), o.RetryDelay(7));      // 96 min, capped
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AnUnreachableArxivIsTriedAfter5_10_20_40MinutesUpTo6HoursAndASuccessResetsTheCount(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        // Wednesday 2026-01-07 02:00 UTC: Tuesday's announcement is due.
        var start = new DateTimeOffset(2026, 1, 7, 2, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        bool down = true;
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) =>
        {
            if (!down) return ArxivStub.WriteFileAsync(ctx, Fixtures.Oai("arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml"));
            ctx.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        using var node = HarvestSchedulerLoopTests.NewNode(db, stub, clock);

        // Hand-computed: each attempt waits the doubled delay after the previous one (capped at 6 h).
        var attempts = new[] { "02:00", "02:05", "02:15", "02:35", "03:15", "04:35", "07:15", "12:35", "18:35" }
            .Select(t => start.Date + TimeSpan.Parse(t)).ToArray();
        for (int i = 0; i < attempts.Length; i++)
        {
            var at = new DateTimeOffset(attempts[i], TimeSpan.Zero);
            if (i > 0)
            {
                clock.SetUtcNow(at - TimeSpan.FromSeconds(1));
                Assert.Empty((await node.Scheduler.RunDueOnceAsync(CancellationToken.None))!);
            }
            clock.SetUtcNow(at);
            if (i == attempts.Length - 1) down = false;
            var requestsBefore = stub.Requests.Count;
            var runs = await node.Scheduler.RunDueOnceAsync(CancellationToken.None);
            Assert.True(stub.Requests.Count > requestsBefore, $"no attempt at {at:HH:mm}");

            await using var ctx = db.Settings.CreateContext();
            var state = await ctx.Set<HarvestState>().SingleAsync();
            if (down)
            {
                Assert.Empty(runs!); // the failure is in the state and the run log, not thrown
                Assert.Equal(i + 1, state.ConsecutiveFailures);
                Assert.NotNull(state.LastError);
                var next = i + 1 < attempts.Length ? attempts[i + 1] : attempts[i] + TimeSpan.FromHours(6);
                Assert.Equal(next, state.NextAttemptAt);
            }
            else
            {
                Assert.Null(Assert.Single(runs!).Error);
                Assert.Equal(0, state.ConsecutiveFailures);
                Assert.Null(state.NextAttemptAt);
                Assert.Null(state.LastError);
            }
        }
        await using (var ctx = db.Settings.CreateContext())
            Assert.Equal(attempts.Length, await ctx.Set<HarvestRun>().CountAsync());
        // Harvested: nothing is due until the next announcement.
        Assert.Empty((await node.Scheduler.DueSetsAsync(CancellationToken.None)));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task RunNowDoesNotWaitForTheBackoff(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 7, 2, 0, 0, TimeSpan.Zero));
        bool down = true;
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) =>
        {
            if (!down) return ArxivStub.WriteFileAsync(ctx, Fixtures.Oai("arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml"));
            ctx.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        using var node = HarvestSchedulerLoopTests.NewNode(db, stub, clock);
        await node.Scheduler.RunDueOnceAsync(CancellationToken.None);
        await node.Scheduler.RunDueOnceAsync(CancellationToken.None);
        Assert.Empty(await node.Scheduler.DueSetsAsync(CancellationToken.None)); // backing off
        down = false;
        var runs = await node.Runner.TryRunAsync(["cs"], "admin", CancellationToken.None);
        Assert.Equal(2, Assert.Single(runs!).Inserted);
        await using var ctx = db.Settings.CreateContext();
        var state = await ctx.Set<HarvestState>().SingleAsync();
        Assert.Equal(0, state.ConsecutiveFailures);
        Assert.Null(state.NextAttemptAt);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TheHomePageShowsAFailingBackgroundHarvestToAdminsOnly(string engine)
    {
        // An offline instance: the scheduler is on, and its arXiv is a loopback port nothing listens on.
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var server = await CommunityKit.StartAsync(engine, b =>
        {
            b.Configuration["Harvest:Enabled"] = "true";
            b.Configuration["Harvest:Sets:0"] = "cs";
            b.Configuration["Arxiv:OaiBaseUrl"] = $"http://127.0.0.1:{port}/oai";
            b.Configuration["Arxiv:MaxAttempts"] = "1";
        });
        await CommunityKit.SeedPapersAsync(server, 3);
        var admin = CommunityKit.UniqueEmail("admin");
        var member = CommunityKit.UniqueEmail("member");
        await CommunityKit.CreateMemberAsync(server, admin, "Admin", Roles.Admin);
        await CommunityKit.CreateMemberAsync(server, member, "Member");
        using var adminClient = await CommunityKit.LoggedInClientAsync(server, admin);
        using var memberClient = await CommunityKit.LoggedInClientAsync(server, member);

        // The scheduler's first look at start-up finds cs due and fails.
        HarvestState? state = null;
        for (int i = 0; i < 600 && state is null; i++)
        {
            await using var ctx = server.Database.Settings.CreateContext();
            state = await ctx.Set<HarvestState>().FirstOrDefaultAsync(s => s.ConsecutiveFailures > 0);
            if (state is null) await Task.Delay(100);
        }
        Assert.NotNull(state);
        Assert.Equal(1, state.ConsecutiveFailures);
        Assert.Equal(state.LastRunAt + TimeSpan.FromMinutes(5), state.NextAttemptAt);

        var adminPage = WebUtility.HtmlDecode(await adminClient.GetStringAsync("/"));
        Assert.Contains("id=\"harvest-failing\"", adminPage);
        Assert.Contains("oai cs: 1 failed attempt in a row", adminPage);
        Assert.Contains(state.LastError!, adminPage);
        Assert.Contains($"next attempt after {state.NextAttemptAt:yyyy-MM-dd HH:mm} UTC", adminPage);
        Assert.Contains("href=\"/admin/harvest\"", adminPage);

        var anonymous = await server.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.DoesNotContain("harvest-failing", await anonymous.Content.ReadAsStringAsync());
        var memberPage = await memberClient.GetStringAsync("/");
        Assert.Contains("Paper", memberPage, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("harvest-failing", memberPage);

        // Once a harvest succeeds the count is reset and the banner goes.
        await using (var ctx = server.Database.Settings.CreateContext())
            await ctx.Set<HarvestState>().ExecuteUpdateAsync(u => u.SetProperty(s => s.ConsecutiveFailures, 0).SetProperty(s => s.NextAttemptAt, (DateTime?)null));
        Assert.DoesNotContain("harvest-failing", await adminClient.GetStringAsync("/"));
    }
}
