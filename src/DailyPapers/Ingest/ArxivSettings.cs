using System.ComponentModel.DataAnnotations;

namespace DailyPapers.Ingest;

/// <summary>How DailyPapers talks to arXiv; every value has a default so the app runs with no configuration.</summary>
public sealed class ArxivSettings
{
    public const string Section = "Arxiv";

    /// <summary>arXiv asks for at most one request every 3 seconds (arxiv.org/help/api/tou); lower it only for a local stub.</summary>
    public TimeSpan MinSpacing { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>An address arXiv can reach the operator at; it goes into the User-Agent.</summary>
    [MaxLength(200)]
    public string Contact { get; set; } = "";

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The whole budget of a look-up someone waits for on a page (a submission): one attempt, no retries, including any
    /// wait for the harvest's request in flight; past it the page says arXiv did not answer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00")]
    public TimeSpan InteractiveTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Attempts per request before the harvest stops and reports the failure.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First backoff after a failure without Retry-After; doubles each time, with jitter.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A 1,000-record arXivRaw page is about 2 MB; 32 MB leaves room and stops a runaway body.</summary>
    [Range(1024, 1L << 31)]
    public long MaxResponseBytes { get; set; } = 32L << 20;

    [Url] public string OaiBaseUrl { get; set; } = "https://oaipmh.arxiv.org/oai";
    [Url] public string ApiBaseUrl { get; set; } = "https://export.arxiv.org/api/query";
    [Url] public string RssBaseUrl { get; set; } = "https://rss.arxiv.org/rss/";

    /// <summary>OAI-PMH metadata format: arXivRaw carries every version with its date, so updates are recognised.</summary>
    [RegularExpression("^(arXivRaw|arXiv|oai_dc)$")]
    public string OaiMetadataPrefix { get; set; } = "arXivRaw";

    /// <summary>Ids per API look-up; arXiv serves at most 2,000 results a call, 100 keeps URLs short.</summary>
    [Range(1, 2000)]
    public int ApiBatchSize { get; set; } = 100;

    public string UserAgent =>
        $"DailyPapers/1.0 (self-hosted paper list; {(string.IsNullOrWhiteSpace(Contact) ? "no contact configured: set Arxiv__Contact" : "mailto:" + Contact.Trim())})";
}
