using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Community;

/// <summary>One member's upvote of one paper; the primary key makes a second vote impossible.</summary>
public sealed class Vote
{
    public required string UserId { get; set; }
    public long PaperId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A comment on a paper, optionally a reply to another; Markdown source plus its sanitised HTML.</summary>
public sealed class Comment
{
    public long Id { get; set; }
    public long PaperId { get; set; }
    public long? ParentId { get; set; }
    public required string UserId { get; set; }
    public required string Markdown { get; set; }
    /// <summary>Rendered and sanitised once on write, so reads never run the Markdown pipeline.</summary>
    public required string Html { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? EditedAt { get; set; }
    /// <summary>Deleted by its author: kept as a tombstone so replies keep their place in the thread.</summary>
    public bool Deleted { get; set; }
    /// <summary>Hidden by a moderator: only moderators still see the text.</summary>
    public bool Hidden { get; set; }
}

/// <summary>A member's report that a comment breaks the rules; open until a moderator resolves it.</summary>
public sealed class CommentReport
{
    public long Id { get; set; }
    public long CommentId { get; set; }
    public required string UserId { get; set; }
    public required string Reason { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
}

/// <summary>Who brought a paper to the list (the first submitter; later ones are pointed at the paper).</summary>
public sealed class Submission
{
    public long PaperId { get; set; }
    public required string UserId { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class CommunityTables :
    IEntityTypeConfiguration<Vote>, IEntityTypeConfiguration<Comment>,
    IEntityTypeConfiguration<CommentReport>, IEntityTypeConfiguration<Submission>
{
    public void Configure(EntityTypeBuilder<Vote> b)
    {
        b.ToTable("votes");
        b.HasKey(v => new { v.UserId, v.PaperId });
        b.HasIndex(v => v.PaperId);
        b.HasOne<AppUser>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Paper>().WithMany().HasForeignKey(v => v.PaperId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Comment> b)
    {
        b.ToTable("comments");
        b.HasIndex(c => new { c.PaperId, c.CreatedAt });
        b.HasIndex(c => new { c.UserId, c.CreatedAt });
        b.Property(c => c.Markdown).HasMaxLength(CommentRules.MaxLength);
        b.HasOne<AppUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Paper>().WithMany().HasForeignKey(c => c.PaperId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Comment>().WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.NoAction);
    }

    public void Configure(EntityTypeBuilder<CommentReport> b)
    {
        b.ToTable("comment_reports");
        b.HasIndex(r => new { r.ResolvedAt, r.CreatedAt });
        b.HasIndex(r => new { r.CommentId, r.UserId }).IsUnique();
        b.Property(r => r.Reason).HasMaxLength(500);
        b.HasOne<Comment>().WithMany().HasForeignKey(r => r.CommentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AppUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Submission> b)
    {
        b.ToTable("submissions");
        b.HasKey(s => s.PaperId);
        b.HasIndex(s => new { s.UserId, s.CreatedAt });
        b.HasOne<AppUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Paper>().WithMany().HasForeignKey(s => s.PaperId).OnDelete(DeleteBehavior.Cascade);
    }
}
