using DailyPapers.Community;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static DailyPapers.Tests.Community.CommunityKit;

namespace DailyPapers.Tests.Community;

public sealed class TrendingTests
{
    [Theory]
    // score 11 (10 votes + 0.25·4 comments), listed 0 h before the reference: 11 / (0 + 2)^1.5 = 11 / 2.828427 = 3.889087
    [InlineData(11, 0, 3.889087)]
    // 10 / (22 + 2)^1.5 = 10 / 117.575508 = 0.085052
    [InlineData(10, 22, 0.085052)]
    // 1.5 / (7 + 2)^1.5 = 1.5 / 27 = 0.055556
    [InlineData(1.5, 7, 0.055556)]
    // No signal: nothing to trend on.
    [InlineData(0, 5, 0)]
    public void DecayMatchesHandComputedValues(double score, double ageHours, double expected) =>
        Assert.Equal(expected, Trending.Decay(score, ageHours), 5);

    [Fact]
    public void AFreshPaperOutranksAnOlderOneWithTheSameScore()
    {
        Assert.True(Trending.Decay(5, 3) > Trending.Decay(5, 30));
        Assert.Equal(26, Trending.AgeHours(new DateOnly(2024, 1, 1), new DateTime(2024, 1, 2, 2, 0, 0, DateTimeKind.Utc)), 6);
    }

    [Fact]
    public void TheReferenceIsTheEndOfTheNewestListingDayUnlessThatIsInTheFuture()
    {
        var now = new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc);
        // An archive whose newest day is months old: ages count from the end of that day, not from today.
        Assert.Equal(new DateTime(2026, 8, 22, 0, 0, 0, DateTimeKind.Utc), Trending.Reference(new DateOnly(2026, 8, 21), now));
        // A current instance: today's list is still growing, so ages count to now.
        Assert.Equal(now, Trending.Reference(new DateOnly(2026, 12, 3), now));
        Assert.Null(Trending.Reference(null, now));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task TrendingPageOrdersByDecayedScore(string engine)
    {
        await using var server = await StartAsync(engine);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var upsert = server.App.Services.GetRequiredService<DailyPapers.Ingest.PaperUpsert>();
        await upsert.UpsertAsync([Record("2501.00001", today.AddDays(-5)), Record("2501.00002", today), Record("2501.00003", today)]);
        await using (var db = server.Database.Settings.CreateContext())
        {
            // The old paper has more votes, but five days of decay put it below today's.
            await db.Database.ExecuteSqlRawAsync("UPDATE papers SET \"Upvotes\" = 20 WHERE \"ArxivId\" = '2501.00001'");
            await db.Database.ExecuteSqlRawAsync("UPDATE papers SET \"Upvotes\" = 5 WHERE \"ArxivId\" = '2501.00002'");
        }
        var html = await NewClient(server).GetStringAsync("/papers/trending");
        var fresh = html.IndexOf("2501.00002", StringComparison.Ordinal);
        var old = html.IndexOf("2501.00001", StringComparison.Ordinal);
        Assert.True(fresh > 0 && old > fresh, "today's paper should come first");
        Assert.DoesNotContain("arXiv:2501.00003", html); // no votes, no comments
    }
}
