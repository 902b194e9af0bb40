using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Ingest;

public sealed class HfDailyImportTests
{
    private static string Archive => Path.Combine(TestEnv.SharedData, "hf-daily-papers", "raw_api_responses_2024-05-27_to_2026-08-21.tar.gz");

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ArchiveImportsEveryDayIncludingReprAndWrappedDaysAndIsIdempotent(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var import = new HfDailyImport(db.Settings, new PaperUpsert(db.Settings));
        var first = await import.RunAsync(Archive);

        Assert.Equal(580, first.Days);
        Assert.Equal(9881, first.Entries);
        Assert.Empty(first.Problems);
        await using var ctx = db.Settings.CreateContext();
        Assert.Equal(9877, await ctx.Papers.CountAsync());
        // A Python-repr day and the wrapped day both arrive.
        Assert.True(await ctx.Set<HfDailyEntry>().AnyAsync(e => e.ListDate == new DateOnly(2024, 12, 11)));
        Assert.True(await ctx.Set<HfDailyEntry>().AnyAsync(e => e.ArxivId == "2501.05441" && e.ListDate == new DateOnly(2025, 1, 10)));
        var env = await ctx.Set<HfDailyEntry>().SingleAsync(e => e.ArxivId == "2608.19880");
        Assert.Equal((163, "https://github.com/google-research/envharness", "https://envharness.com/", "google"), (env.Upvotes, env.GithubRepo, env.ProjectPage, env.Organization));
        Assert.Equal(new DateOnly(2026, 8, 21), (await ctx.Papers.SingleAsync(p => p.ArxivId == "2608.19880")).ListingDate);
        Assert.Equal(0, await ctx.Papers.SumAsync(p => p.Upvotes));

        var again = await import.RunAsync(Archive);
        Assert.Equal(0, again.NewPapers);
        Assert.Equal(9881, await ctx.Set<HfDailyEntry>().CountAsync());
    }

    [Fact]
    public void PythonReprEntriesParse()
    {
        var node = PythonLiteral.Parse("{'paper': {'id': '2412.07730', 'hidden': False, 'n': 3, 'x': None, 'title': \"It's \\u00e9\"}}")!;
        Assert.Equal("2412.07730", (string?)node["paper"]!["id"]);
        Assert.False((bool)node["paper"]!["hidden"]!);
        Assert.Equal(3, (long)node["paper"]!["n"]!);
        Assert.Equal("It's é", (string?)node["paper"]!["title"]);
        Assert.Throws<FormatException>(() => PythonLiteral.Parse("{'a': "));
    }
}
