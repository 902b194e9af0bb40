using System.Text.Json;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Ingest;

public class SnapshotImportTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ImportsEveryPaperOfTheSampleWithItsAuthorsCategoriesAndVersions(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var summary = await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(TestEnv.Sample1000);

        Assert.Equal(1000, summary.Read);
        Assert.Equal(1000, summary.Counts.Inserted);
        Assert.Equal(0, summary.Rejected);

        var expected = SampleFile.Read().First(r => r.Id == "1410.8597");
        await using var ctx = db.Settings.CreateContext();
        Assert.Equal(1000, await ctx.Papers.CountAsync());
        var paper = await ctx.Papers.Include(p => p.AuthorList).Include(p => p.CategoryList).Include(p => p.Versions)
            .SingleAsync(p => p.ArxivId == "1410.8597");
        Assert.Equal("Consistent estimation of dynamic and multi-layer block models", paper.Title);
        Assert.Equal(["Qiuyi Han", "Kevin S. Xu", "Edoardo M. Airoldi"], paper.AuthorList.OrderBy(a => a.Position).Select(a => a.Name));
        Assert.Equal(expected.Categories, paper.CategoryList.OrderBy(c => c.Position).Select(c => c.Code));
        Assert.Equal("stat.ME", paper.PrimaryCategory);
        Assert.Equal(new DateTime(2014, 10, 30, 0, 0, 0, DateTimeKind.Utc), paper.FirstSubmittedAt);
        Assert.Equal(new DateTime(2015, 5, 19), paper.LastUpdatedAt.Date);
        Assert.Equal(new DateOnly(2014, 10, 30), paper.ListingDate); // a Thursday: listed the same day
        Assert.Single(paper.Versions);
        Assert.Equal("To appear at ICML 2015", paper.Comments);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ReimportingTheSameFileChangesNothing(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var import = new SnapshotImport(new PaperUpsert(db.Settings));
        await import.RunAsync(TestEnv.Sample1000);
        var before = await SnapshotAsync(db);

        var again = await import.RunAsync(TestEnv.Sample1000);

        Assert.Equal(0, again.Counts.Inserted);
        Assert.Equal(0, again.Counts.Updated);
        Assert.Equal(1000, again.Counts.Unchanged);
        Assert.Equal(before, await SnapshotAsync(db));
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task ANewerVersionReplacesTheOlderOneAndAnOlderOneIsIgnored(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var import = new SnapshotImport(new PaperUpsert(db.Settings));
        var dir = TestEnv.NewTempDir();
        var line = File.ReadLines(TestEnv.Sample1000).First(l => l.Contains("\"1410.8597\""));
        var v2 = line.Replace("\"versions\": [{\"version\": \"v1\", \"created\": \"Thu, 30 Oct 2014 00:00:00 GMT\"}]",
            "\"versions\": [{\"version\": \"v1\", \"created\": \"Thu, 30 Oct 2014 00:00:00 GMT\"}, {\"version\": \"v2\", \"created\": \"Tue, 19 May 2015 10:00:00 GMT\"}]")
            .Replace("Consistent estimation", "Consistent estimation (revised)");
        Assert.NotEqual(line, v2);
        await File.WriteAllTextAsync(Path.Combine(dir, "v1.jsonl"), line + "\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "v2.jsonl"), v2 + "\n");

        await import.RunAsync(Path.Combine(dir, "v1.jsonl"));
        var upgraded = await import.RunAsync(Path.Combine(dir, "v2.jsonl"));
        var downgraded = await import.RunAsync(Path.Combine(dir, "v1.jsonl"));

        Assert.Equal(1, upgraded.Counts.Updated);
        Assert.Equal(1, downgraded.Counts.Unchanged);
        await using var ctx = db.Settings.CreateContext();
        var paper = await ctx.Papers.Include(p => p.Versions).SingleAsync();
        Assert.Equal(2, paper.LatestVersion);
        Assert.StartsWith("Consistent estimation (revised)", paper.Title);
        Assert.Equal([1, 2], paper.Versions.Select(v => v.Version).Order());
        Assert.Equal(new DateOnly(2014, 10, 30), paper.ListingDate); // an update keeps the paper's day
        Directory.Delete(dir, true);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task MalformedLinesAreReportedWithTheirNumberAndTheRestImports(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var dir = TestEnv.NewTempDir();
        var good = File.ReadLines(TestEnv.Sample1000).Take(5).ToList();
        var lines = new List<string>
        {
            good[0],
            "{not json",                                                     // line 2
            good[1],
            good[2].Replace(JsonSerializer.Deserialize<JsonElement>(good[2]).GetProperty("id").GetString()!, "not-an-id"), // line 4
            "{\"id\": \"2001.00001\", \"title\": \"No abstract\", \"categories\": \"cs.LG\", \"versions\": []}", // line 5
            "",                                                              // blank: skipped, not an error
            good[3],
            "[1, 2, 3]",                                                     // line 8
            good[4],
        };
        var path = Path.Combine(dir, "mixed.jsonl");
        await File.WriteAllLinesAsync(path, lines);

        var summary = await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(path);

        Assert.Equal(4, summary.Counts.Inserted);
        Assert.Equal(4, summary.Rejected);
        Assert.Equal([2L, 4L, 5L, 8L], summary.RejectedLines.Select(r => r.LineNumber));
        Assert.Contains("invalid JSON", summary.RejectedLines[0].Reason);
        Assert.Contains("not an arXiv id", summary.RejectedLines[1].Reason);
        Assert.Contains("missing abstract", summary.RejectedLines[2].Reason);
        await using var ctx = db.Settings.CreateContext();
        Assert.Equal(4, await ctx.Papers.CountAsync());
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ImportsAGzipFileLikeAPlainOne()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var dir = TestEnv.NewTempDir();
        var gz = Path.Combine(dir, "sample.jsonl.gz");
        await using (var input = File.OpenRead(TestEnv.Sample1000))
        await using (var output = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Fastest))
            await input.CopyToAsync(output);

        var summary = await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(gz);

        Assert.Equal(1000, summary.Counts.Inserted);
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("2019-12-02", "2019-12-02")] // Monday
    [InlineData("2019-12-06", "2019-12-06")] // Friday
    [InlineData("2019-12-07", "2019-12-09")] // Saturday → Monday
    [InlineData("2019-12-08", "2019-12-09")] // Sunday → Monday
    [InlineData("2019-12-31", "2019-12-31")]
    public void ListingDateIsTheSubmissionDayMovedOffWeekends(string submitted, string listed)
    {
        Assert.Equal(DateOnly.Parse(listed), ListingDates.ForSubmission(DateTime.Parse(submitted + "T23:59:00Z").ToUniversalTime()));
    }

    private static async Task<List<string>> SnapshotAsync(TestDatabase db)
    {
        await using var ctx = db.Settings.CreateContext();
        var papers = await ctx.Papers.OrderBy(p => p.ArxivId)
            .Select(p => p.ArxivId + "|" + p.Title + "|" + p.Sequence + "|" + p.ContentHash + "|" + p.ListingDate + "|" + p.LastUpdatedAt)
            .ToListAsync();
        papers.Add("authors:" + await ctx.PaperAuthors.CountAsync());
        papers.Add("categories:" + await ctx.PaperCategories.CountAsync());
        papers.Add("versions:" + await ctx.PaperVersions.CountAsync());
        return papers;
    }
}
