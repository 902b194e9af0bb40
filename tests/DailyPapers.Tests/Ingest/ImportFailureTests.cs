using System.IO.Compression;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Tests.Ingest;

/// <summary>Inputs that are cut short, damaged or not what import reads: said plainly, with what came before kept.</summary>
public sealed class ImportFailureTests
{
    private static string HfArchive => Path.Combine(TestEnv.SharedData, "hf-daily-papers", "raw_api_responses_2024-05-27_to_2026-08-21.tar.gz");

    private static string Gzipped(string dir)
    {
        var gz = Path.Combine(dir, "sample.jsonl.gz");
        using var input = File.OpenRead(TestEnv.Sample1000);
        using var output = new GZipStream(File.Create(gz), CompressionLevel.Fastest);
        input.CopyTo(output);
        return gz;
    }

    /// <summary>A copy of <paramref name="path"/> with only its first <paramref name="keep"/> bytes, as an interrupted download leaves it.</summary>
    private static string Cut(string path, string dir, Func<long, long> keep)
    {
        var bytes = File.ReadAllBytes(path);
        var cut = Path.Combine(dir, "cut-" + Path.GetFileName(path));
        File.WriteAllBytes(cut, bytes[..(int)keep(bytes.Length)]);
        return cut;
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AGzipCutAt60PercentKeepsTheRecordsBeforeTheCutAndSaysItIsTruncated(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var dir = TestEnv.NewTempDir();
        var cut = Cut(Gzipped(dir), dir, n => n * 6 / 10);

        var summary = await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(cut);

        Assert.NotNull(summary.InputProblem);
        Assert.Contains("truncated", summary.InputProblem);
        Assert.InRange(summary.Counts.Inserted, 100, 999);
        await using var ctx = db.Settings.CreateContext();
        Assert.Equal(summary.Counts.Inserted, await ctx.Papers.CountAsync());
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task AGzipMissingOnlyItsTrailerIsStillReportedTruncated()
    {
        // Every line inflates, so nothing but the trailer check can tell: the end of the data is not the end of the file.
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var dir = TestEnv.NewTempDir();
        var cut = Cut(Gzipped(dir), dir, n => n - 8);

        var summary = await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(cut);

        Assert.Contains("truncated", summary.InputProblem);
        Assert.Equal(1000, summary.Counts.Inserted);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task APlainFileCutInTheMiddleOfALineSaysSo()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var dir = TestEnv.NewTempDir();
        var cut = Cut(TestEnv.Sample1000, dir, n => n / 2);

        var summary = await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(cut);

        Assert.Contains("cut short", summary.InputProblem);
        Assert.Equal(1, summary.Rejected);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ACompleteFileHasNoInputProblem()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var dir = TestEnv.NewTempDir();
        var summary = await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(Gzipped(dir));
        Assert.Null(summary.InputProblem);
        Assert.Equal(1000, summary.Counts.Inserted);
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("binary", "binary data")]
    [InlineData("zip", "zip archive")]
    [InlineData("empty", "no records")]
    [InlineData("text", "starts with \"hello, world\"")]
    [InlineData("tar", "--format hf-daily")]
    public async Task InputThatIsNotJsonLinesIsRefusedBeforeAnythingIsWritten(string kind, string expected)
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var dir = TestEnv.NewTempDir();
        var path = Path.Combine(dir, kind == "tar" ? "hf.tar.gz" : "input");
        switch (kind)
        {
            case "binary":
                var noise = new byte[300_000];
                new Random(17).NextBytes(noise);
                File.WriteAllBytes(path, noise);
                break;
            case "zip":
                using (var zip = ZipFile.Open(path, ZipArchiveMode.Create)) zip.CreateEntryFromFile(TestEnv.Sample1000, "arxiv.json");
                break;
            case "empty": File.WriteAllText(path, "\n\n"); break;
            case "text": File.WriteAllText(path, "hello, world\n{\"id\": \"x\"}\n"); break;
            case "tar": File.Copy(HfArchive, path); break;
        }

        var ex = await Assert.ThrowsAsync<ImportInputException>(() => new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(path));

        Assert.Contains(expected, ex.Message);
        await using var ctx = db.Settings.CreateContext();
        Assert.Equal(0, await ctx.Papers.CountAsync());
        Directory.Delete(dir, true);
    }

    [Theory, MemberData(nameof(TestDatabase.Engines), MemberType = typeof(TestDatabase))]
    public async Task AnHfArchiveCutMidEntryKeepsTheCompleteDaysBeforeTheCut(string engine)
    {
        await using var db = await TestDatabase.CreateAsync(engine);
        var dir = TestEnv.NewTempDir();
        var cut = Cut(HfArchive, dir, n => n * 4 / 10);

        var summary = await new HfDailyImport(db.Settings, new PaperUpsert(db.Settings)).RunAsync(cut);

        Assert.Contains("truncated", summary.InputProblem);
        Assert.InRange(summary.Days, 1, 579);
        Assert.Empty(summary.Problems); // the entry cut in half is dropped, not imported as a broken day
        await using var ctx = db.Settings.CreateContext();
        Assert.Equal(summary.Days, await ctx.Set<HfDailyEntry>().Select(e => e.ListDate).Distinct().CountAsync());
        Assert.True(await ctx.Set<HfDailyEntry>().AnyAsync(e => e.ListDate == new DateOnly(2024, 5, 27)), "the archive's first day is kept");
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task AnHfArchiveMissingOnlyItsGzipTrailerImportsEveryDayAndStillSaysItIsTruncated()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var dir = TestEnv.NewTempDir();
        var cut = Cut(HfArchive, dir, n => n - 8);

        var summary = await new HfDailyImport(db.Settings, new PaperUpsert(db.Settings)).RunAsync(cut);

        Assert.Contains("truncated", summary.InputProblem);
        Assert.Equal(580, summary.Days);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task TheCliExitsNonZeroAndSaysWhatHappened()
    {
        var dir = TestEnv.NewTempDir();
        var work = TestEnv.NewTempDir();
        var cutGz = Cut(Gzipped(work), work, n => n * 6 / 10);
        var run = await CliRun.RunAsync(dir, "import", cutGz);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("truncated", run.Err);
        Assert.Contains("records before that point were imported", run.Err);
        Assert.DoesNotContain("   at ", run.Err);

        var binary = Path.Combine(work, "noise.bin");
        File.WriteAllBytes(binary, Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        run = await CliRun.RunAsync(dir, "import", binary);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("binary data", run.Err);

        var mixed = Path.Combine(work, "mixed.jsonl");
        File.WriteAllLines(mixed, File.ReadLines(TestEnv.Sample1000).Take(3).Append("{\"id\": \"2001.00001\"}"));
        run = await CliRun.RunAsync(dir, "import", mixed);
        Assert.Equal(2, run.ExitCode); // completed, with rejected lines
        Assert.Contains("rejected: 1", run.Out);
        Assert.Contains("line 4:", run.Err);

        var hfCut = Cut(HfArchive, work, n => n / 10);
        run = await CliRun.RunAsync(dir, "import", hfCut, "--format", "hf-daily");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("truncated", run.Err);
        Assert.Matches(@"the \d+ complete days before it were imported", run.Err);
        Assert.DoesNotContain("EndOfStreamException", run.Err);

        run = await CliRun.RunAsync(dir, "import", TestEnv.Sample1000);
        Assert.Equal(0, run.ExitCode);
        Directory.Delete(dir, true);
        Directory.Delete(work, true);
    }
}
