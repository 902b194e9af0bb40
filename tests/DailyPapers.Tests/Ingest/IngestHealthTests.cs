using System.Globalization;
using DailyPapers.Data;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Ingest;

/// <summary>
/// Ingestion health: each announcement day reconciled against arXiv's ListIdentifiers, with the recorded 2017 OAI
/// stream served by the local stub (ListRecords for the harvest, ListIdentifiers for the reconciliation).
/// </summary>
public sealed class IngestHealthTests
{
    private static readonly TimeSpan Spacing = TimeSpan.FromSeconds(3);
    private static readonly Lazy<OaiDailyStream> Stream2017 = new(() => OaiDailyStream.Load());
    /// <summary>A Friday of the stream whose records all harvest cleanly (none rejected), 2017-01-06.</summary>
    private static readonly DateOnly CleanDay = new(2017, 1, 6);
    private static readonly DateOnly OtherDay = new(2017, 1, 5);

    private sealed class Rig(TestDatabase db, ArxivStub stub, ArxivHttp http, VirtualClock clock, OaiDailyStream stream) : IAsyncDisposable
    {
        public TestDatabase Db => db;
        public ArxivStub Stub => stub;
        public OaiDailyStream Stream => stream;
        public VirtualClock Clock => clock;
        public Harvester Harvester { get; } = new(db.Settings, new PaperUpsert(db.Settings), http, new ArxivApiClient(http), clock);
        public IngestHealth Health { get; } = new(db.Settings, http, new HarvestSettings { Sets = ["cs"] }, clock);
        public Func<Microsoft.AspNetCore.Http.HttpContext, Task>? Override { get; set; }

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            await stub.DisposeAsync();
            await db.DisposeAsync();
        }
    }

    private static async Task<Rig> StartAsync(string engine)
    {
        var stream = new OaiDailyStream { PageSize = 100 };
        foreach (var (day, records) in Stream2017.Value.Days) stream.Days[day] = records;
        var db = await TestDatabase.CreateAsync(engine);
        var clock = new VirtualClock();
        Rig? rig = null;
        var stub = await ArxivStub.StartAsync(clock, Spacing, (ctx, _) => rig!.Override is { } o ? o(ctx) : stream.HandleAsync(ctx));
        var options = Fixtures.Options(stub.BaseUrl, Spacing);
        options.OaiMetadataPrefix = "oai_dc";
        rig = new Rig(db, stub, clock.CreateHttp(options), clock, stream);
        return rig;
    }

    /// <summary>What the papers table holds, to show that a reconciliation changed none of it.</summary>
    private static async Task<(int Count, long MaxSequence, long HashSum)> PapersAsync(DatabaseSettings db)
    {
        await using var ctx = db.CreateContext();
        var rows = await ctx.Papers.Select(p => new { p.Sequence, p.ContentHash }).ToListAsync();
        return (rows.Count, rows.Count == 0 ? 0 : rows.Max(r => r.Sequence), rows.Aggregate(0L, (a, r) => unchecked(a + r.ContentHash)));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AHarvestedDayIsCompleteWithArxivsCountFromAPagedListingAndTheCheckWritesNoPaper(string engine)
    {
        await using var rig = await StartAsync(engine);
        var run = await rig.Harvester.RunAsync(new HarvestRequest("oai", "cs", CleanDay, CleanDay));
        Assert.Equal(0, run.Rejected);
        var expected = rig.Stream.Days[CleanDay].Select(OaiDailyStream.IdOf).Distinct().Count();
        Assert.True(expected > 300, $"{expected} records: the listing should take several pages of 100");
        var before = await PapersAsync(rig.Db.Settings);
        int requestsBefore = rig.Stub.Requests.Count;

        var day = await rig.Health.CheckDayAsync("cs", CleanDay);

        Assert.Equal(IngestDayStatus.Complete, day.Status);
        Assert.Equal(expected, day.Listed);
        Assert.Equal(expected, day.Stored);
        Assert.Null(day.Missing);
        Assert.Equal((expected + 99) / 100, day.Pages);
        var listings = rig.Stub.Requests.Skip(requestsBefore).ToList();
        Assert.Equal(day.Pages, listings.Count);
        Assert.All(listings, r => Assert.Contains("verb=ListIdentifiers", r));
        Assert.Contains("from=2017-01-06&until=2017-01-06&set=cs", listings[0]);
        Assert.All(listings.Skip(1), r => Assert.Contains("resumptionToken=", r));
        Assert.Equal(before, await PapersAsync(rig.Db.Settings));
        rig.Stub.AssertPolite();
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ADayWithPapersMissingIsShortWithBothCountsAndReharvestingItMakesItComplete(string engine)
    {
        await using var rig = await StartAsync(engine);
        var ids = rig.Stream.Days[CleanDay].Select(OaiDailyStream.IdOf).Distinct().Order(StringComparer.Ordinal).ToList();
        var withheld = ids.Where((_, i) => i % 100 == 7).ToList();
        rig.Stream.Withheld.UnionWith(withheld);
        await rig.Harvester.RunAsync(new HarvestRequest("oai", "cs", CleanDay, CleanDay));

        var shortDay = (await rig.Health.ReconcileAsync(["cs"], [CleanDay])).Single();
        Assert.Equal(IngestDayStatus.Short, shortDay.Status);
        Assert.Equal(ids.Count, shortDay.Listed);
        Assert.Equal(ids.Count - withheld.Count, shortDay.Stored);
        Assert.Equal(string.Join(' ', withheld), shortDay.Missing);

        // arXiv now serves the whole day; the admin's "re-harvest this day" runs the harvest core operation for it alone.
        rig.Stream.Withheld.Clear();
        var runner = new HarvestRunner(rig.Harvester, new HarvestLock(rig.Db.Settings), NullLogger<HarvestRunner>.Instance);
        int requestsBefore = rig.Stub.Requests.Count;
        Assert.True(await runner.TryStartDayAsync("cs", CleanDay, rig.Health, "admin", CancellationToken.None));
        await runner.Background.WaitAsync(TimeSpan.FromMinutes(2));

        var harvest = rig.Stub.Requests.Skip(requestsBefore).First();
        Assert.Contains("verb=ListRecords", harvest);
        Assert.Contains("from=2017-01-06&until=2017-01-06&set=cs", harvest);
        await using var ctx = rig.Db.Settings.CreateContext();
        var row = await ctx.Set<IngestDay>().SingleAsync();
        Assert.Equal(IngestDayStatus.Complete, row.Status);
        Assert.Equal(ids.Count, row.Listed);
        Assert.Equal(ids.Count, row.Stored);
        Assert.Null(row.Missing);
        var reharvest = await ctx.Set<HarvestRun>().OrderBy(r => r.Id).LastAsync();
        Assert.Equal(("admin", withheld.Count), (reharvest.Trigger, reharvest.Inserted));
        // A one-day re-harvest is not the scheduled harvest: it must not make the scheduler skip the next announcement.
        Assert.Null((await ctx.Set<HarvestState>().SingleAsync()).LastSuccessAt);
        rig.Stub.AssertPolite();
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AFailedListingIsRecordedAsFailedKeepsTheLastCountsAndWritesNoPaper(string engine)
    {
        await using var rig = await StartAsync(engine);
        await rig.Harvester.RunAsync(new HarvestRequest("oai", "cs", CleanDay, CleanDay));
        var good = await rig.Health.CheckDayAsync("cs", CleanDay);
        var before = await PapersAsync(rig.Db.Settings);

        // A truncated body: unreadable XML, so the listing fails after its first page.
        int pages = 0;
        rig.Override = async ctx =>
        {
            if (++pages == 1) { await rig.Stream.HandleAsync(ctx); return; }
            ctx.Response.ContentType = "text/xml";
            await ctx.Response.WriteAsync("<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><ListIdentifiers><header><identifier>oai:arXiv.org:1701.0");
        };
        var failed = await rig.Health.CheckDayAsync("cs", CleanDay);
        Assert.Equal(IngestDayStatus.Failed, failed.Status);
        Assert.Contains("unreadable XML", failed.Error);
        Assert.Equal((good.Listed, good.Stored), (failed.Listed, failed.Stored));

        // arXiv unreachable (503 on every attempt): recorded, and the rest of the window is not listed in vain.
        rig.Override = ctx => { ctx.Response.StatusCode = 503; return Task.CompletedTask; };
        var checkedDays = await rig.Health.ReconcileAsync(["cs", "stat"], [CleanDay, OtherDay]);
        var unreachable = Assert.Single(checkedDays);
        Assert.Equal(IngestDayStatus.Failed, unreachable.Status);
        Assert.StartsWith("arXiv unreachable: ", unreachable.Error);
        Assert.Contains("HTTP 503", unreachable.Error);

        Assert.Equal(before, await PapersAsync(rig.Db.Settings));
        await using var ctx = rig.Db.Settings.CreateContext();
        Assert.Equal(1, await ctx.Set<IngestDay>().CountAsync());
        Assert.Equal(1, await ctx.Set<HarvestRun>().CountAsync());
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TheSummaryCountsAnnouncementsBehindAndASetIsDueAfterEachHarvestAndEverySixHours(string engine)
    {
        await using var rig = await StartAsync(engine);
        // The virtual clock stands at Monday 2026-01-05 12:00 UTC: the latest announcement is that Monday's.
        Assert.Equal(new DateOnly(2026, 1, 5), rig.Health.LatestAnnouncementDay);
        Assert.Equal(["2026-01-05", "2026-01-02", "2026-01-01", "2025-12-31", "2025-12-30"],
            rig.Health.Window.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        Assert.False((await rig.Health.SummaryAsync()).IsBehind); // nothing checked yet: nothing to judge
        Assert.Equal(["cs"], await rig.Health.DueSetsAsync());

        await using (var ctx = rig.Db.Settings.CreateContext())
        {
            var now = rig.Clock.GetUtcNow().UtcDateTime;
            ctx.AddRange(
                new IngestDay { SetSpec = "cs", Day = new(2026, 1, 5), Status = IngestDayStatus.Failed, Error = "x", CheckedAt = now },
                new IngestDay { SetSpec = "cs", Day = new(2026, 1, 2), Status = IngestDayStatus.Short, Listed = 10, Stored = 9, CheckedAt = now },
                new IngestDay { SetSpec = "cs", Day = new(2026, 1, 1), Status = IngestDayStatus.Complete, Listed = 3, Stored = 3, CheckedAt = now });
            await ctx.SaveChangesAsync();
        }
        var summary = await rig.Health.SummaryAsync();
        var cs = Assert.Single(summary.Sets);
        Assert.Equal((new DateOnly(2026, 1, 1), 2, 1, 1), (cs.NewestComplete, cs.Behind, cs.ShortDays, cs.FailedDays));
        Assert.True(summary.IsBehind); // Friday and Monday are missing: two announcements
        Assert.Empty(await rig.Health.DueSetsAsync());

        await using (var ctx = rig.Db.Settings.CreateContext())
        {
            await ctx.Set<IngestDay>().Where(d => d.Day == new DateOnly(2026, 1, 2)).ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, IngestDayStatus.Complete));
            ctx.Add(new HarvestState { Source = "oai", SetSpec = "cs", LastSuccessAt = rig.Clock.GetUtcNow().UtcDateTime.AddMinutes(1) });
            await ctx.SaveChangesAsync();
        }
        summary = await rig.Health.SummaryAsync();
        Assert.Equal(1, summary.Behind);
        Assert.False(summary.IsBehind); // only the newest announcement is missing: it may still be on its way
        Assert.Equal(["cs"], await rig.Health.DueSetsAsync()); // harvested since the last check

        await rig.Clock.DelayAsync(TimeSpan.FromHours(6), CancellationToken.None);
        await using (var ctx = rig.Db.Settings.CreateContext())
            await ctx.Set<HarvestState>().ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSuccessAt, (DateTime?)null));
        Assert.Equal(["cs"], await rig.Health.DueSetsAsync()); // six hours without a check
    }
}
