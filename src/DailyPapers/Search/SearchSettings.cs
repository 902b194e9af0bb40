using System.ComponentModel.DataAnnotations;
using DailyPapers.Settings;

namespace DailyPapers.Search;

/// <summary>Search options (section <c>Search</c>); every one has a default so the app runs with no configuration.</summary>
public sealed class SearchSettings : ISettingsSection
{
    public const string Section = "Search";
    static string ISettingsSection.Section => Section;

    /// <summary>How often the index looks for papers committed since the last applied sequence number.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan IndexPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Compute embeddings in the background; off means keyword search only.</summary>
    public bool Embeddings { get; set; } = true;

    /// <summary>Papers embedded per batch of the background worker (one model call per length bucket).</summary>
    [Range(1, 1024)]
    public int EmbeddingBatchSize { get; set; } = 64;

    /// <summary>
    /// Below this share of papers with embeddings, hybrid search runs keyword-only (and says so): fusing with a
    /// semantic list that misses most papers would rank the embedded ones above better keyword matches.
    /// </summary>
    [Range(0.0, 1.0)]
    public double MinSemanticCoverage { get; set; } = 0.9;

    /// <summary>
    /// Postings from which a keyword-mode query's index segment is searched on two threads while no other search runs
    /// (<see cref="KeywordIndex.SplitFrom"/>); 0 means never. Off by default: on a 2-core machine it took 10–25 %
    /// off p95, but while a background GC held the second core some queries waited 10–25 ms (docs/benchmarks.md).
    /// </summary>
    [Range(0, int.MaxValue)]
    public int KeywordSplitFrom { get; set; }
}
