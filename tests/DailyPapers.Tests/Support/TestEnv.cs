namespace DailyPapers.Tests.Support;

/// <summary>Locations and servers the test command (scripts/test.sh) provides.</summary>
public static class TestEnv
{
    public static string SharedData
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DAILYPAPERS_SHARED_DATA") is { Length: > 0 } env) return env;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException("shared/data not found beside the repository; set DAILYPAPERS_SHARED_DATA");
        }
    }

    public static string Sample1000 => Path.Combine(SharedData, "arxiv", "arxiv-sample-1000.jsonl");

    /// <summary>Admin connection string of the PostgreSQL server started by scripts/test.sh.</summary>
    public static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("DAILYPAPERS_TEST_POSTGRES")
        ?? throw new InvalidOperationException("DAILYPAPERS_TEST_POSTGRES is not set: run the tests with scripts/test.sh, which starts PostgreSQL");

    public static string NewTempDir(string prefix = "dp-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
