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
    /// Threads the background worker runs the model on while it has a backlog, each at the lowest CPU priority so that
    /// requests go first; 0 means one per core.
    /// </summary>
    [Range(0, 64)]
    public int EmbeddingThreads { get; set; }

    /// <summary>
    /// Where the model runs: <c>cpu</c>, or <c>cuda</c> for ONNX Runtime's CUDA execution provider, which falls back to
    /// the CPU (with one log line) when the provider or a GPU is not there.
    /// </summary>
    [RegularExpression("^(?i)(cpu|cuda)$", ErrorMessage = "Search:Device must be cpu or cuda.")]
    public string Device { get; set; } = "cpu";
}
