using System.ComponentModel.DataAnnotations;

namespace DailyPapers.Search;

/// <summary>Search options (section <c>Search</c>); every one has a default so the app runs with no configuration.</summary>
public sealed class SearchSettings
{
    public const string Section = "Search";

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
}
