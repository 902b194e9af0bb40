namespace DailyPapers.Bench;

/// <summary>Where the shared data lives: ../shared/data beside the repository unless DAILYPAPERS_SHARED_DATA says otherwise.</summary>
internal static class Paths
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
            throw new DirectoryNotFoundException("shared/data not found; set DAILYPAPERS_SHARED_DATA");
        }
    }

    public static string Snapshot => Path.Combine(SharedData, "arxiv", "arxiv-snapshot-1989-2019.jsonl.gz");
}
