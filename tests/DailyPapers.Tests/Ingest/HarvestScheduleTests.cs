using DailyPapers.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DailyPapers.Tests.Ingest;

public sealed class HarvestScheduleTests
{
    private static readonly HarvestSettings Options = new();

    [Fact]
    public void HarvestIsDueAfterTheEveningAnnouncementSundayToThursday()
    {
        // Tuesday 2026-01-06, 20:45 EST = 01:45 UTC Wednesday.
        var afterAnnouncement = new DateTimeOffset(2026, 1, 7, 1, 45, 0, TimeSpan.Zero);
        var slot = Options.LatestSlot(afterAnnouncement);
        Assert.Equal(new DateTimeOffset(2026, 1, 7, 1, 30, 0, TimeSpan.Zero), slot);
        Assert.True(Options.IsDue(afterAnnouncement, new DateTime(2026, 1, 6, 12, 0, 0, DateTimeKind.Utc)));
        Assert.False(Options.IsDue(afterAnnouncement, new DateTime(2026, 1, 7, 1, 40, 0, DateTimeKind.Utc)));
        Assert.True(Options.IsDue(afterAnnouncement, null));
    }

    [Fact]
    public void FridayAndSaturdayEveningsHaveNoSlot()
    {
        // Saturday 2026-01-10 22:00 EST: the latest slot is Thursday 2026-01-08 20:30 EST.
        var saturdayNight = new DateTimeOffset(2026, 1, 11, 3, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 1, 9, 1, 30, 0, TimeSpan.Zero), Options.LatestSlot(saturdayNight));
        Assert.False(Options.IsDue(saturdayNight, new DateTime(2026, 1, 9, 2, 0, 0, DateTimeKind.Utc)));
    }
}

public sealed class IngestRegistrationTests
{
    [Theory, MemberData(nameof(Support.TestDatabase.Engines), MemberType = typeof(Support.TestDatabase))]
    public async Task ServerStartsWithNoConfigurationAndOffersTheApiClient(string engine)
    {
        await using var server = await Support.TestServer.StartAsync(engine);
        Assert.NotNull(server.App.Services.GetRequiredService<ArxivApiClient>());
        Assert.Same(server.App.Services.GetRequiredService<ArxivHttp>(), server.App.Services.GetRequiredService<ArxivHttp>());
        Assert.Equal(TimeSpan.FromSeconds(3), server.App.Services.GetRequiredService<ArxivHttp>().Options.MinSpacing);
        var response = await server.Client.GetAsync("healthz/ready");
        Assert.True(response.IsSuccessStatusCode);
    }
}

/// <summary>
/// The scheduler's loop and its lock against the local arXiv stub on real engines: a fake clock decides what is
/// due, and two schedulers on one database (two app nodes) never harvest at the same time.
/// </summary>
public sealed class HarvestSchedulerLoopTests
{
    private const string Page = "arxiv_ListRecords_arXiv_2015-01-01_2015-01-03.xml";

    internal sealed record Node(HarvestScheduler Scheduler, HarvestRunner Runner, HarvestLock Lock, ArxivHttp Http) : IDisposable
    {
        public void Dispose() => Http.Dispose();
    }

    /// <summary>One app node's harvest services, built as the server builds them, over a shared database.</summary>
    internal static Node NewNode(Support.TestDatabase db, ArxivStub stub, TimeProvider clock, TimeSpan? checkEvery = null)
    {
        var http = new ArxivHttp(Fixtures.Options(stub.BaseUrl, TimeSpan.Zero), clock, (_, ct) => Task.Delay(0, ct));
        var harvester = new Harvester(db.Settings, new PaperUpsert(db.Settings), http, new ArxivApiClient(http), clock);
        var gate = new HarvestLock(db.Settings);
        var runner = new HarvestRunner(harvester, gate, NullLogger<HarvestRunner>.Instance);
        var options = Microsoft.Extensions.Options.Options.Create(new HarvestSettings { Sets = ["cs"], CheckEvery = checkEvery ?? TimeSpan.FromHours(1) });
        return new Node(new HarvestScheduler(runner, options, db.Settings, clock, NullLogger<HarvestScheduler>.Instance), runner, gate, http);
    }

    [Theory, MemberData(nameof(Support.TestDatabase.Engines), MemberType = typeof(Support.TestDatabase))]
    public async Task TheLoopHarvestsOncePerAnnouncementWhenDueAndRecordsEachRun(string engine)
    {
        await using var db = await Support.TestDatabase.CreateAsync(engine);
        // Wednesday 2026-01-07 02:00 UTC: Tuesday's 20:30 EST slot (01:30 UTC) has passed and nothing was harvested yet.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 7, 2, 0, 0, TimeSpan.Zero));
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, (ctx, n) => ArxivStub.WriteFileAsync(ctx, Fixtures.Oai(Page)));
        using var node = NewNode(db, stub, clock);

        await node.Scheduler.StartAsync(CancellationToken.None);
        try
        {
            await WaitForAsync(db, runs => runs.Count(r => r.FinishedAt is not null) >= 1);
            // Hour by hour through Wednesday: nothing is due until the 20:30 EST slot (01:30 UTC Thursday) has passed.
            await WaitForAsync(db, runs => runs.Count(r => r.FinishedAt is not null) >= 2, () => clock.Advance(TimeSpan.FromHours(1)));
        }
        finally
        {
            await node.Scheduler.StopAsync(CancellationToken.None);
        }

        await using var ctx = db.Settings.CreateContext();
        var all = await ctx.Set<HarvestRun>().OrderBy(r => r.Id).ToListAsync();
        Assert.Equal(2, all.Count);
        Assert.All(all, r => { Assert.Equal("scheduler", r.Trigger); Assert.Equal("cs", r.SetSpec); Assert.Null(r.Error); Assert.Equal(1, r.Pages); });
        Assert.Equal(2, all[0].Inserted);
        Assert.Equal(2, all[1].Unchanged);
        Assert.Equal(new DateTime(2026, 1, 7, 2, 0, 0), all[0].StartedAt);
        Assert.True(all[1].StartedAt >= new DateTime(2026, 1, 8, 1, 30, 0), $"second run at {all[1].StartedAt:O}, before Wednesday's slot");
        var state = await ctx.Set<HarvestState>().SingleAsync();
        Assert.Equal(new DateOnly(2015, 1, 3), state.LastDatestamp);
        Assert.Equal(all[1].StartedAt, state.LastRunAt);
        var requests = stub.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Contains("set=cs", requests[0]);
        // The second harvest is incremental: from the newest datestamp the first one got.
        Assert.Contains("from=2015-01-03", requests[1]);
        stub.AssertPolite();
    }

    [Theory, MemberData(nameof(Support.TestDatabase.Engines), MemberType = typeof(Support.TestDatabase))]
    public async Task TwoSchedulersOnOneDatabaseNeverHarvestAtTheSameTime(string engine)
    {
        await using var db = await Support.TestDatabase.CreateAsync(engine);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 7, 2, 0, 0, TimeSpan.Zero));
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = await ArxivStub.StartAsync(new VirtualClock(), TimeSpan.Zero, async (ctx, n) =>
        {
            entered.TrySetResult();
            await release.Task;
            await ArxivStub.WriteFileAsync(ctx, Fixtures.Oai(Page));
        });
        using var a = NewNode(db, stub, clock);
        using var b = NewNode(db, stub, clock);

        // Node A is due and starts harvesting; its request hangs in the stub.
        var first = a.Scheduler.RunDueOnceAsync(CancellationToken.None);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // Node B finds the same set due, but A holds the lock: B fetches nothing.
        Assert.Equal(new[] { "cs" }, await b.Scheduler.DueSetsAsync(CancellationToken.None));
        Assert.True(await b.Lock.IsHeldAsync(CancellationToken.None));
        Assert.Null(await b.Scheduler.RunDueOnceAsync(CancellationToken.None));
        Assert.False(await b.Runner.TryStartAsync(["cs"], "admin", CancellationToken.None));
        Assert.Single(stub.Requests);

        release.SetResult();
        var runs = await first;
        Assert.NotNull(runs);
        Assert.Equal(2, Assert.Single(runs).Inserted);
        Assert.False(await b.Lock.IsHeldAsync(CancellationToken.None));
        // Once A is done, B sees that the slot has been harvested.
        Assert.Empty((await b.Scheduler.RunDueOnceAsync(CancellationToken.None))!);

        // And when the next slot comes, B takes the lock and harvests (A's lock was released, not leaked).
        clock.Advance(TimeSpan.FromDays(1));
        var next = await b.Scheduler.RunDueOnceAsync(CancellationToken.None);
        Assert.Equal("scheduler", Assert.Single(next!).Trigger);
        Assert.Equal(2, stub.Requests.Count);
        await using var ctx = db.Settings.CreateContext();
        Assert.Equal(2, await ctx.Set<HarvestRun>().CountAsync());
        stub.AssertPolite();
    }

    /// <summary>Waits (up to a minute, failing after) for the run log to satisfy <paramref name="done"/>, nudging between looks.</summary>
    private static async Task WaitForAsync(Support.TestDatabase db, Func<List<HarvestRun>, bool> done, Action? nudge = null)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            await using (var ctx = db.Settings.CreateContext())
                if (done(await ctx.Set<HarvestRun>().ToListAsync())) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the scheduler did not record the expected runs");
            nudge?.Invoke();
            await Task.Delay(50);
        }
    }
}
