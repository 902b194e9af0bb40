namespace DailyPapers.Papers;

/// <summary>One arXiv paper, keyed by its base id; the latest known version's metadata.</summary>
public sealed class Paper
{
    public long Id { get; set; }
    public required string ArxivId { get; set; }
    public int LatestVersion { get; set; } = 1;
    public required string Title { get; set; }
    public required string Abstract { get; set; }
    /// <summary>Authors as one display string, in order, for cards and feeds.</summary>
    public required string Authors { get; set; }
    /// <summary>Category codes separated by spaces, primary first.</summary>
    public required string Categories { get; set; }
    public required string PrimaryCategory { get; set; }
    public string? Comments { get; set; }
    public string? JournalRef { get; set; }
    public string? Doi { get; set; }
    public string? ReportNo { get; set; }
    public string? License { get; set; }
    public string? Submitter { get; set; }
    public DateTime FirstSubmittedAt { get; set; }
    public DateTime LastUpdatedAt { get; set; }
    /// <summary>The day the paper appears on the daily list.</summary>
    public DateOnly ListingDate { get; set; }
    public bool Withdrawn { get; set; }
    /// <summary>This instance's own upvotes (rows in <c>votes</c>).</summary>
    public int Upvotes { get; set; }
    /// <summary>This instance's own comments.</summary>
    public int CommentCount { get; set; }

    // Signals imported from curated sources (Hugging Face Daily Papers), kept apart from the local ones and
    // refreshed on every import; see Papers/PaperSignals for how they rank.
    /// <summary>Upvotes on the curated source (the highest it recorded for the paper).</summary>
    public int HfUpvotes { get; set; }
    /// <summary>Comments on the curated source.</summary>
    public int HfComments { get; set; }
    /// <summary>The paper was listed by a curated source (a person submitted it there).</summary>
    public bool CuratedSource { get; set; }
    /// <summary>Handle of who submitted it to the curated source's daily list (e.g. a Hugging Face user).</summary>
    public string? HfSubmitter { get; set; }
    public string? GithubRepo { get; set; }
    public int? GithubStars { get; set; }
    public string? ProjectPage { get; set; }
    /// <summary>Organisation handle on the curated source, and its display name.</summary>
    public string? Organization { get; set; }
    public string? OrganizationName { get; set; }
    /// <summary>A machine-written summary imported from the source (labelled as such wherever shown).</summary>
    public string? AiSummary { get; set; }
    /// <summary>Keywords from the source, one per line.</summary>
    public string? AiKeywords { get; set; }
    /// <summary>A member of this instance submitted it (Community/Submissions).</summary>
    public bool Submitted { get; set; }
    /// <summary>A moderator picked it for the curated list.</summary>
    public bool Featured { get; set; }
    /// <summary>Hash of the imported metadata, so re-imports can tell "unchanged" without comparing every field.</summary>
    public long ContentHash { get; set; }
    /// <summary>Grows on every change; derived indexes follow it.</summary>
    public long Sequence { get; set; }

    public List<PaperVersion> Versions { get; set; } = [];
    public List<PaperAuthor> AuthorList { get; set; } = [];
    public List<PaperCategory> CategoryList { get; set; } = [];

    public string AbsUrl => $"https://arxiv.org/abs/{ArxivId}";
    public string PdfUrl => $"https://arxiv.org/pdf/{ArxivId}";
}

public sealed class PaperVersion
{
    public long PaperId { get; set; }
    public int Version { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? Size { get; set; }
}

public sealed class PaperAuthor
{
    public long PaperId { get; set; }
    public int Position { get; set; }
    public required string Name { get; set; }
    public string? LastName { get; set; }
    public string? FirstNames { get; set; }
}

public sealed class PaperCategory
{
    public long PaperId { get; set; }
    public int Position { get; set; }
    public required string Code { get; set; }
}
