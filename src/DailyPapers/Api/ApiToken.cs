using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Api;

public enum ApiScope { Read, Write }

/// <summary>A personal API token: only its SHA-256 hash is stored; the secret is shown once, when created.</summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    /// <summary>The owning account's id (the community accounts' key, kept as a string so this table does not depend on their type).</summary>
    public required string UserId { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the secret, so a person can tell their tokens apart.</summary>
    public required string Prefix { get; set; }
    /// <summary>Lower-case hex SHA-256 of the whole secret.</summary>
    public required string TokenHash { get; set; }
    public ApiScope Scope { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> e)
    {
        e.ToTable("api_tokens");
        e.HasIndex(t => t.TokenHash).IsUnique();
        e.HasIndex(t => t.UserId);
        e.Property(t => t.UserId).HasMaxLength(64);
        e.Property(t => t.Name).HasMaxLength(100);
        e.Property(t => t.Prefix).HasMaxLength(16);
        e.Property(t => t.TokenHash).HasMaxLength(64);
        e.Property(t => t.Scope).HasConversion<string>().HasMaxLength(8);
    }
}
