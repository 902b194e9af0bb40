using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Digest;

public enum RunStatus { Running, Complete, Incomplete }

/// <summary>One digest edition (a frequency and a period) and how its delivery went; resumed until complete.</summary>
public sealed class DigestRun
{
    public long Id { get; set; }
    /// <summary>"daily:2019-12-02" or "weekly:2019-W49": unique, so an edition is sent once.</summary>
    public required string Key { get; set; }
    public DigestFrequency Frequency { get; set; }
    public DateOnly PeriodStart { get; set; }
    /// <summary>The day after the period (its last day for a period that ends the calendar, on 9999-12-31).</summary>
    public DateOnly PeriodEnd { get; set; }
    public RunStatus Status { get; set; } = RunStatus.Running;
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public int Recipients { get; set; }
    public int Sent { get; set; }
    public int Rejected { get; set; }
    public int Skipped { get; set; }
    public string? LastError { get; set; }
    /// <summary>Who is sending it now, so two nodes never work one run at once.</summary>
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }
}

public enum DeliveryState { Pending, Sent, Rejected, Skipped }

/// <summary>The ledger: one row per (run, subscriber); Sent only after the SMTP server accepted the message.</summary>
public sealed class DigestDelivery
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public long SubscriptionId { get; set; }
    public DeliveryState State { get; set; } = DeliveryState.Pending;
    public int Attempts { get; set; }
    public DateTime? SentAt { get; set; }
    public string? Error { get; set; }
}

internal sealed class DigestRunConfiguration : IEntityTypeConfiguration<DigestRun>
{
    public void Configure(EntityTypeBuilder<DigestRun> e)
    {
        e.ToTable("digest_runs");
        e.HasIndex(r => r.Key).IsUnique();
        e.Property(r => r.Key).HasMaxLength(64);
        e.Property(r => r.Frequency).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.LeaseOwner).HasMaxLength(128);
        e.Property(r => r.LastError).HasMaxLength(2000);
    }
}

internal sealed class DigestDeliveryConfiguration : IEntityTypeConfiguration<DigestDelivery>
{
    public void Configure(EntityTypeBuilder<DigestDelivery> e)
    {
        e.ToTable("digest_deliveries");
        e.HasIndex(d => new { d.RunId, d.SubscriptionId }).IsUnique();
        e.HasIndex(d => new { d.RunId, d.State, d.Id });
        e.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
        e.Property(d => d.Error).HasMaxLength(1000);
        e.HasOne<DigestRun>().WithMany().HasForeignKey(d => d.RunId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Subscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
    }
}
