namespace DailyPapers.Tests.Support;

/// <summary>Locations and servers the test command (scripts/test.sh) provides.</summary>
public static class TestEnv
{
    public static string SharedData => SharedDataFolder.Location;

    public static string Sample1000 => SharedDataFolder.Sample1000;

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
