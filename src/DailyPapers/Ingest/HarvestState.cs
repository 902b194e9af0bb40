using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Ingest;

/// <summary>Where a harvest of one source and set stands: what is due next, and a checkpoint to resume a killed list.</summary>
public sealed class HarvestState
{
    public long Id { get; set; }
    /// <summary>oai, api or rss.</summary>
    public required string Source { get; set; }
    /// <summary>The OAI set or category; "" for everything.</summary>
    public required string SetSpec { get; set; }
    /// <summary>The newest datestamp of the last completed list; the next incremental harvest starts from it (inclusive).</summary>
    public DateOnly? LastDatestamp { get; set; }
    /// <summary>Non-null while a list is unfinished: the token for its next page.</summary>
    public string? ResumptionToken { get; set; }
    /// <summary>The from/until of the unfinished list, to restart it if the token has expired.</summary>
    public DateOnly? ListFrom { get; set; }
    public DateOnly? ListUntil { get; set; }
    /// <summary>The newest datestamp seen so far in the unfinished list (datestamps inside a list are unordered).</summary>
    public DateOnly? ListMaxDatestamp { get; set; }
    public DateTime? LastRunAt { get; set; }
    public DateTime? LastSuccessAt { get; set; }
    public string? LastError { get; set; }
    /// <summary>Failed runs since the last success (a cancelled run is not a failure); 0 after a success.</summary>
    public int ConsecutiveFailures { get; set; }
    /// <summary>After a failure: the scheduler leaves this set alone until then (<see cref="HarvestSettings.RetryDelay"/>).</summary>
    public DateTime? NextAttemptAt { get; set; }
}

/// <summary>One run of a harvest, for the admin page: when, what it did, and what went wrong.</summary>
public sealed class HarvestRun
{
    public long Id { get; set; }
    public required string Source { get; set; }
    public required string SetSpec { get; set; }
    /// <summary>scheduler, cli or admin.</summary>
    public required string Trigger { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public int Pages { get; set; }
    public int Read { get; set; }
    public int Inserted { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    public int Deleted { get; set; }
    public int Rejected { get; set; }
    public string? Error { get; set; }
}

internal sealed class HarvestStateConfiguration : IEntityTypeConfiguration<HarvestState>
{
    public void Configure(EntityTypeBuilder<HarvestState> e)
    {
        e.ToTable("harvest_states");
        e.HasIndex(s => new { s.Source, s.SetSpec }).IsUnique();
        e.Property(s => s.Source).HasMaxLength(16);
        e.Property(s => s.SetSpec).HasMaxLength(64);
        e.Property(s => s.ResumptionToken).HasMaxLength(1000);
        e.Property(s => s.LastError).HasMaxLength(2000);
    }
}

internal sealed class HarvestRunConfiguration : IEntityTypeConfiguration<HarvestRun>
{
    public void Configure(EntityTypeBuilder<HarvestRun> e)
    {
        e.ToTable("harvest_runs");
        e.HasIndex(r => r.StartedAt);
        e.Property(r => r.Source).HasMaxLength(16);
        e.Property(r => r.SetSpec).HasMaxLength(64);
        e.Property(r => r.Trigger).HasMaxLength(16);
        e.Property(r => r.Error).HasMaxLength(2000);
    }
}
