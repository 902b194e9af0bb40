using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Digest;

public enum DigestFrequency { Daily, Weekly }

public enum SubscriptionState { Unconfirmed, Confirmed, Unsubscribed, Bouncing }

/// <summary>An email address that asked for the digest, with what it wants in it.</summary>
public sealed class Subscription
{
    public long Id { get; set; }
    /// <summary>Lower-cased address; one subscription per address.</summary>
    public required string Email { get; set; }
    public DigestFrequency Frequency { get; set; } = DigestFrequency.Daily;
    public SubscriptionState State { get; set; } = SubscriptionState.Unconfirmed;
    /// <summary>Category codes or archives (cs.CL, cs), space separated; empty for none.</summary>
    public string Categories { get; set; } = "";
    /// <summary>Keyword queries, one per line.</summary>
    public string Keywords { get; set; } = "";
    /// <summary>Followed author names, one per line.</summary>
    public string Authors { get; set; } = "";
    /// <summary>The account this subscription belongs to, once accounts exist (not enforced as a foreign key yet).</summary>
    public long? UserId { get; set; }
    /// <summary>SHA-256 (hex) of the pending confirmation token; null once used.</summary>
    public string? ConfirmTokenHash { get; set; }
    public DateTime? ConfirmTokenExpiresAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ConfirmedAt { get; set; }
    public DateTime? UnsubscribedAt { get; set; }
    /// <summary>Permanent rejections since the last accepted message.</summary>
    public int BounceCount { get; set; }

    public bool HasPreferences => Categories.Length > 0 || Keywords.Length > 0 || Authors.Length > 0;
}

internal sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> e)
    {
        e.ToTable("digest_subscriptions");
        e.HasIndex(s => s.Email).IsUnique();
        e.HasIndex(s => s.ConfirmTokenHash).IsUnique();
        e.HasIndex(s => new { s.State, s.Frequency });
        e.HasIndex(s => s.UserId);
        e.Property(s => s.Email).HasMaxLength(320);
        e.Property(s => s.Frequency).HasConversion<string>().HasMaxLength(16);
        e.Property(s => s.State).HasConversion<string>().HasMaxLength(16);
        e.Property(s => s.Categories).HasMaxLength(1000);
        e.Property(s => s.Keywords).HasMaxLength(2000);
        e.Property(s => s.Authors).HasMaxLength(2000);
        e.Property(s => s.ConfirmTokenHash).HasMaxLength(64);
    }
}
