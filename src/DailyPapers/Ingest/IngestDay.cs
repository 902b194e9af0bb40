using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Ingest;

public enum IngestDayStatus { Complete, Short, Failed }

/// <summary>
/// One announcement day of one OAI set, reconciled against arXiv: how many identifiers arXiv listed for the day
/// (OAI-PMH ListIdentifiers) and how many of those are stored here. Written by <see cref="IngestHealth"/> only.
/// </summary>
public sealed class IngestDay
{
    public long Id { get; set; }
    public required string SetSpec { get; set; }
    /// <summary>The OAI datestamp day (arXiv stamps each announcement with the UTC day it went out, Monday to Friday).</summary>
    public DateOnly Day { get; set; }
    public IngestDayStatus Status { get; set; }
    /// <summary>Identifiers arXiv listed for the day and set (deleted records left out); null until a listing succeeded.</summary>
    public int? Listed { get; set; }
    /// <summary>How many of the listed identifiers are stored as papers, whatever their version.</summary>
    public int? Stored { get; set; }
    /// <summary>The first few listed identifiers not stored, space separated, for the admin page.</summary>
    public string? Missing { get; set; }
    /// <summary>Listing pages read (resumption tokens followed).</summary>
    public int Pages { get; set; }
    public string? Error { get; set; }
    public DateTime CheckedAt { get; set; }
}

internal sealed class IngestDayConfiguration : IEntityTypeConfiguration<IngestDay>
{
    public void Configure(EntityTypeBuilder<IngestDay> e)
    {
        e.ToTable("ingest_days");
        e.HasIndex(d => new { d.SetSpec, d.Day }).IsUnique();
        e.Property(d => d.SetSpec).HasMaxLength(64);
        e.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(d => d.Missing).HasMaxLength(1000);
        e.Property(d => d.Error).HasMaxLength(2000);
    }
}
