using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Search;

/// <summary>A paper's embedding by one model; stored so a restart never recomputes it.</summary>
public sealed class PaperEmbedding
{
    public long PaperId { get; set; }
    public required string Model { get; set; }
    /// <summary>Hash of the embedded text: a metadata change that leaves title and abstract alone costs no model call.</summary>
    public long TextHash { get; set; }
    /// <summary>The paper's sequence when this was computed; below the paper's current one means "check again".</summary>
    public long PaperSequence { get; set; }
    /// <summary>Little-endian float32 components, L2-normalised.</summary>
    public required byte[] Vector { get; set; }
    public DateTime ComputedAt { get; set; }
}

internal sealed class PaperEmbeddingConfiguration : IEntityTypeConfiguration<PaperEmbedding>
{
    public void Configure(EntityTypeBuilder<PaperEmbedding> e)
    {
        e.ToTable("paper_embeddings");
        e.HasKey(x => new { x.PaperId, x.Model });
        e.Property(x => x.Model).HasMaxLength(64);
        e.HasIndex(x => new { x.Model, x.ComputedAt });
        e.HasOne<Paper>().WithMany().HasForeignKey(x => x.PaperId).OnDelete(DeleteBehavior.Cascade);
    }
}
