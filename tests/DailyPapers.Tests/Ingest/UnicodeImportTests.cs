using System.Text.Json;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Ingest;

/// <summary>Text written by the bulk import reads back exactly: accents, other scripts, emoji, TeX, escapes.</summary>
public sealed class UnicodeImportTests
{
    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task NonAsciiTitlesAbstractsAndAuthorsRoundTrip(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var dir = TestEnv.NewTempDir();
        const string title = "Über die Théorie des nombres — 数学と物理 🚀 $\\alpha \\leq \\beta$ \"quoted\"";
        const string abs = "Line one with ümlauts\nand a second line: Ωμέγα, Ελληνικά, العربية, \\u escapes \\ and tabs\tend.";
        var line = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = "2001.00042", ["title"] = title, ["abstract"] = abs, ["authors"] = "José Müller and Zoë Ødegård",
            ["categories"] = "math.NT cs.LG", ["versions"] = new[] { new { version = "v1", created = "Mon, 6 Jan 2020 10:00:00 GMT" } },
            ["authors_parsed"] = new[] { new[] { "Müller", "José", "" }, new[] { "Ødegård", "Zoë", "" } },
        });
        var path = Path.Combine(dir, "unicode.jsonl");
        await File.WriteAllTextAsync(path, line + "\n");

        var summary = await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(path);

        Assert.Equal(1, summary.Counts.Inserted);
        await using var ctx = db.Settings.CreateContext();
        var paper = await ctx.Papers.Include(p => p.AuthorList).SingleAsync(p => p.ArxivId == "2001.00042");
        Assert.Equal(title, paper.Title);
        Assert.Equal(Text.Squash(abs), paper.Abstract);
        Assert.Equal(["José Müller", "Zoë Ødegård"], paper.AuthorList.OrderBy(a => a.Position).Select(a => a.Name));
        Assert.Equal(new DateTime(2020, 1, 6, 10, 0, 0, DateTimeKind.Utc), paper.FirstSubmittedAt);
        Directory.Delete(dir, true);
    }
}
