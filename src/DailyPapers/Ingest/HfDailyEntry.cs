using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Ingest;

/// <summary>
/// A paper's appearance on a Hugging Face Daily Papers day, with HF's own popularity figures and links.
/// Kept apart from <c>papers.Upvotes</c>, which counts this instance's own votes: HF upvotes are imported
/// history (not redistributable), and ranking code can choose to blend them in.
/// </summary>
public sealed class HfDailyEntry
{
    public long Id { get; set; }
    public required string ArxivId { get; set; }
    public DateOnly ListDate { get; set; }
    /// <summary>Position in that day's response (0-based), as HF ordered it.</summary>
    public int Rank { get; set; }
    public int Upvotes { get; set; }
    public int? NumComments { get; set; }
    public string? GithubRepo { get; set; }
    public int? GithubStars { get; set; }
    public string? ProjectPage { get; set; }
    public string? Organization { get; set; }
    public string? OrganizationName { get; set; }
    /// <summary>The HF handle of who put the paper on that day's list (<c>submittedOnDailyBy.user</c>).</summary>
    public string? Submitter { get; set; }
    public string? AiSummary { get; set; }
    /// <summary>One keyword per line.</summary>
    public string? AiKeywords { get; set; }
}

internal sealed class HfDailyEntryConfiguration : IEntityTypeConfiguration<HfDailyEntry>
{
    public void Configure(EntityTypeBuilder<HfDailyEntry> e)
    {
        e.ToTable("hf_daily_entries");
        e.HasIndex(x => new { x.ArxivId, x.ListDate }).IsUnique();
        e.HasIndex(x => x.ListDate);
        e.Property(x => x.ArxivId).HasMaxLength(64);
        e.Property(x => x.GithubRepo).HasMaxLength(500);
        e.Property(x => x.ProjectPage).HasMaxLength(500);
        e.Property(x => x.Organization).HasMaxLength(200);
        e.Property(x => x.OrganizationName).HasMaxLength(200);
        e.Property(x => x.Submitter).HasMaxLength(100);
    }
}
