using DailyPapers.Search;
using Lucene.Net.Search;

namespace DailyPapers.Bench;

internal static class SearchEngineExtensions
{
    /// <summary>Ranks on the calling thread and waits: the benchmarks time one query at a time (the server awaits).</summary>
    public static Ranking RankNow(this SearchEngine engine, string text, SearchMode mode, Query? filter, int depth) =>
        engine.RankAsync(text, mode, filter, depth).GetAwaiter().GetResult();
}
