using DailyPapers.Community;
using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Library;

/// <summary>A member's named set of papers; "Reading list" is the default one, made on the first save.</summary>
public sealed class Collection
{
    public const int MaxName = 100;
    public long Id { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    public bool IsDefault { get; set; }
    /// <summary>Public collections are readable by anyone at /c/{ShareSlug}; private ones only by their owner.</summary>
    public bool IsPublic { get; set; }
    /// <summary>128 random bits (base64url), so a public collection's URL can't be guessed from its id or name.</summary>
    public required string ShareSlug { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A paper in a collection, with the member's note and when they read it.</summary>
public sealed class CollectionItem
{
    public const int MaxNote = 4000;
    public long CollectionId { get; set; }
    public long PaperId { get; set; }
    public string? Note { get; set; }
    public DateTime? ReadAt { get; set; }
    public DateTime AddedAt { get; set; }
}

/// <summary>"Not interested": a negative signal for the recommender, and the paper leaves the member's For you.</summary>
public sealed class NotInterested
{
    public required string UserId { get; set; }
    public long PaperId { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum FollowKind { Author, Category }

/// <summary>A followed author (by normalised name) or category code (cs.CL, or a whole archive: cs).</summary>
public sealed class Follow
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    public FollowKind Kind { get; set; }
    /// <summary>The normalised name (AuthorNames.Key) or the category code: what uniqueness and matching use.</summary>
    public required string Key { get; set; }
    /// <summary>The name as it was followed, for display and for the author page link.</summary>
    public required string Display { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A search a member keeps: a For you tab, a private feed and a digest section.</summary>
public sealed class SavedSearch
{
    public const int MaxName = 100;
    public long Id { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    public required string Query { get; set; }
    /// <summary>hybrid, keyword or semantic, as the search page spells it.</summary>
    public required string Mode { get; set; }
    public string? Category { get; set; }
    public DateOnly? From { get; set; }
    public DateOnly? To { get; set; }
    public string? Author { get; set; }
    /// <summary>The secret in the feed URL (a capability URL: whoever has it reads the feed, as with a calendar's private address).</summary>
    public required string FeedToken { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>The secret in a member's For you feed URL; made on first use, replaced when the member asks.</summary>
public sealed class ForYouFeed
{
    public required string UserId { get; set; }
    public required string Token { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class LibraryTables :
    IEntityTypeConfiguration<Collection>, IEntityTypeConfiguration<CollectionItem>, IEntityTypeConfiguration<NotInterested>,
    IEntityTypeConfiguration<Follow>, IEntityTypeConfiguration<SavedSearch>, IEntityTypeConfiguration<ForYouFeed>,
    IEntityTypeConfiguration<PaperAuthor>
{
    // Every row hangs off the account with ON DELETE CASCADE: deleting an account deletes its library, feedback,
    // follows, saved searches and feed tokens in the same statement.
    public void Configure(EntityTypeBuilder<Collection> b)
    {
        b.ToTable("collections");
        b.HasIndex(c => new { c.UserId, c.Name }).IsUnique();
        b.HasIndex(c => c.ShareSlug).IsUnique();
        b.Property(c => c.Name).HasMaxLength(Collection.MaxName);
        b.Property(c => c.ShareSlug).HasMaxLength(32);
        b.HasOne<AppUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<CollectionItem> b)
    {
        b.ToTable("collection_items");
        b.HasKey(i => new { i.CollectionId, i.PaperId });
        b.HasIndex(i => i.PaperId);
        b.Property(i => i.Note).HasMaxLength(CollectionItem.MaxNote);
        b.HasOne<Collection>().WithMany().HasForeignKey(i => i.CollectionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Paper>().WithMany().HasForeignKey(i => i.PaperId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<NotInterested> b)
    {
        b.ToTable("not_interested");
        b.HasKey(n => new { n.UserId, n.PaperId });
        b.HasOne<AppUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Paper>().WithMany().HasForeignKey(n => n.PaperId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Follow> b)
    {
        b.ToTable("follows");
        b.HasIndex(f => new { f.UserId, f.Kind, f.Key }).IsUnique();
        b.Property(f => f.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(f => f.Key).HasMaxLength(200);
        b.Property(f => f.Display).HasMaxLength(200);
        b.HasOne<AppUser>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<SavedSearch> b)
    {
        b.ToTable("saved_searches");
        b.HasIndex(s => s.UserId);
        b.HasIndex(s => s.FeedToken).IsUnique();
        b.Property(s => s.Name).HasMaxLength(SavedSearch.MaxName);
        b.Property(s => s.Query).HasMaxLength(Search.PaperSearch.MaxQueryLength);
        b.Property(s => s.Mode).HasMaxLength(16);
        b.Property(s => s.Category).HasMaxLength(32);
        b.Property(s => s.Author).HasMaxLength(200);
        b.Property(s => s.FeedToken).HasMaxLength(64);
        b.HasOne<AppUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ForYouFeed> b)
    {
        b.ToTable("for_you_feeds");
        b.HasKey(f => f.UserId);
        b.HasIndex(f => f.Token).IsUnique();
        b.Property(f => f.Token).HasMaxLength(64);
        b.HasOne<AppUser>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    /// <summary>Author pages and followed-author look-ups find papers by an author's exact name.</summary>
    public void Configure(EntityTypeBuilder<PaperAuthor> b) => b.HasIndex(a => a.Name);
}
