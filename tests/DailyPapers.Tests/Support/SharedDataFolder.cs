namespace DailyPapers.Tests.Support;

/// <summary>Where the shared data lives: ../shared/data beside the repository unless DAILYPAPERS_SHARED_DATA says otherwise (the tests and the bench both read it).</summary>
public static class SharedDataFolder
{
    public static string Location
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

    /// <summary>The 1989–2019 part of arXiv's metadata snapshot.</summary>
    public static string Snapshot => Path.Combine(Location, "arxiv", "arxiv-snapshot-1989-2019.jsonl.gz");

    public static string Sample1000 => Path.Combine(Location, "arxiv", "arxiv-sample-1000.jsonl");
}
