using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Cli;

/// <summary>Runs the real dailypapers binary as a separate process, as an admin would.</summary>
public class CliTests
{
    internal static Task<CliProcess.Run> DailyPapersAsync(string dataDir, params string[] args) => CliRun.RunAsync(dataDir, args);

    /// <summary>Runs the binary on <paramref name="dataDir"/> with extra environment variables (settings such as DAILYPAPERS_Harvest__Sets__0).</summary>
    internal static Task<CliProcess.Run> DailyPapersAsync(string dataDir, Dictionary<string, string> env, params string[] args) => CliRun.RunAsync(dataDir, env, args);

    [Fact]
    public async Task ImportPrintsASummaryAndStatsCountsThePapers()
    {
        var dir = TestEnv.NewTempDir();
        var import = await DailyPapersAsync(dir, "import", TestEnv.Sample1000);
        Assert.True(import.ExitCode == 0, import.Err);
        Assert.Contains("read: 1000", import.Out);
        Assert.Contains("inserted: 1000", import.Out);
        Assert.Contains("rejected: 0", import.Out);
        Assert.Matches(@"papers_per_second: \d+", import.Out);

        var again = await DailyPapersAsync(dir, "import", TestEnv.Sample1000);
        Assert.Contains("unchanged: 1000", again.Out);

        var stats = await DailyPapersAsync(dir, "stats");
        Assert.Equal(0, stats.ExitCode);
        var lines = stats.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.Matches(@"^[a-z_]+: .+$", l));
        Assert.Contains("papers: 1000", lines);
        Assert.Contains(lines, l => l.StartsWith("days: ") && int.Parse(l[6..]) > 100);
        Assert.True(File.Exists(Path.Combine(dir, "dailypapers.db")), "the default database lives in the data dir");
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task AMissingFileIsAClearErrorWithANonZeroExit()
    {
        var dir = TestEnv.NewTempDir();
        var run = await DailyPapersAsync(dir, "import", Path.Combine(dir, "nope.jsonl"));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("no such file", run.Err);
        Assert.DoesNotContain("   at ", run.Err); // no stack trace for a user mistake
    }

    [Theory]
    [InlineData("import", "--format", "csv", "x.csv")]
    [InlineData("frobnicate")]
    [InlineData("serve", "--no-such-option")]
    public async Task UnknownVerbsFormatsAndOptionsAreRejected(params string[] args)
    {
        var run = await DailyPapersAsync(TestEnv.NewTempDir(), args);
        Assert.NotEqual(0, run.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(run.Err));
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("import")]
    [InlineData("migrate")]
    [InlineData("stats")]
    public async Task EveryVerbHasHelp(string verb)
    {
        var run = await DailyPapersAsync(TestEnv.NewTempDir(), verb, "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--data-dir", run.Out);
        Assert.Contains("--database", run.Out);
    }

    [Fact]
    public async Task AnUnreachableDatabaseIsReportedWithoutAStackTrace()
    {
        var run = await DailyPapersAsync(TestEnv.NewTempDir(), "--database", "Host=127.0.0.1;Port=1;Database=x;Username=x;Timeout=2", "stats");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("database", run.Err, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", run.Err);
    }
}
