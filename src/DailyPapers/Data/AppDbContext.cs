using DailyPapers.Community;
using DailyPapers.Papers;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Data;

/// <summary>The one database: the source of truth every page, index and job reads from.</summary>
/// <remarks>Derives from IdentityDbContext so accounts live in the same database (tables renamed in Community/AccountTables.cs).</remarks>
public abstract class AppDbContext(DbContextOptions options) : IdentityDbContext<AppUser>(options)
{
    public DbSet<Paper> Papers => Set<Paper>();
    public DbSet<PaperVersion> PaperVersions => Set<PaperVersion>();
    public DbSet<PaperAuthor> PaperAuthors => Set<PaperAuthor>();
    public DbSet<PaperCategory> PaperCategories => Set<PaperCategory>();

    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        // Each capability keeps its entities' mapping beside them (IEntityTypeConfiguration classes).
        b.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);

        b.Entity<Paper>(e =>
        {
            e.ToTable("papers");
            e.HasIndex(p => p.ArxivId).IsUnique();
            e.HasIndex(p => new { p.ListingDate, p.Upvotes });
            e.HasIndex(p => p.Sequence);
            e.Property(p => p.ArxivId).HasMaxLength(64);
            e.Property(p => p.PrimaryCategory).HasMaxLength(32);
            e.Property(p => p.HfSubmitter).HasMaxLength(100);
            e.Property(p => p.GithubRepo).HasMaxLength(500);
            e.Property(p => p.ProjectPage).HasMaxLength(500);
            e.Property(p => p.Organization).HasMaxLength(200);
            e.Property(p => p.OrganizationName).HasMaxLength(200);
            e.HasMany(p => p.Versions).WithOne().HasForeignKey(v => v.PaperId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(p => p.AuthorList).WithOne().HasForeignKey(a => a.PaperId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(p => p.CategoryList).WithOne().HasForeignKey(c => c.PaperId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<PaperVersion>(e =>
        {
            e.ToTable("paper_versions");
            e.HasKey(v => new { v.PaperId, v.Version });
        });
        b.Entity<PaperAuthor>(e =>
        {
            e.ToTable("paper_authors");
            e.HasKey(a => new { a.PaperId, a.Position });
        });
        b.Entity<PaperCategory>(e =>
        {
            e.ToTable("paper_categories");
            e.HasKey(c => new { c.PaperId, c.Position });
            e.HasIndex(c => new { c.Code, c.PaperId });
            e.Property(c => c.Code).HasMaxLength(32);
        });
    }
}

public enum DatabaseProvider { Sqlite, Postgres }

public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options) : AppDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
