using DailyPapers.Data;
using DailyPapers.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DailyPapers.Admin;

/// <summary>
/// A periodic reading of figures that have no history of their own (papers and stored embeddings), so the dashboard
/// can draw the embedding backlog over time. Written by <see cref="OpsSampler"/>.
/// </summary>
public sealed class OpsSample
{
    public long Id { get; set; }
    public DateTime TakenAt { get; set; }
    public long Papers { get; set; }
    public long Embedded { get; set; }
}

internal sealed class OpsSampleConfiguration : IEntityTypeConfiguration<OpsSample>
{
    public void Configure(EntityTypeBuilder<OpsSample> e)
    {
        e.ToTable("ops_samples");
        e.HasIndex(s => s.TakenAt);
    }
}

/// <summary>Takes an <see cref="OpsSample"/> every <see cref="Every"/> (any node may; the readings are database-wide) and forgets those older than <see cref="Keep"/>.</summary>
public sealed class OpsSampler(DatabaseSettings db, TimeProvider time, ILogger<OpsSampler> log) : BackgroundService
{
    /// <summary>Half-hourly: the backlog after an import drains over hours, and 30 days of samples stay under 1,500 rows.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan Keep = TimeSpan.FromDays(30);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SampleIfDueAsync(ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                log.LogWarning("operations sample failed: {Error}", ex.Message);
            }
            try { await Task.Delay(TimeSpan.FromMinutes(1), time, ct); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>Records a sample unless the newest is younger than <see cref="Every"/>; true when it wrote one.</summary>
    public async Task<bool> SampleIfDueAsync(CancellationToken ct)
    {
        await using var ctx = db.CreateContext();
        var now = time.GetUtcNow().UtcDateTime;
        var last = await ctx.Set<OpsSample>().MaxAsync(s => (DateTime?)s.TakenAt, ct);
        if (last is { } l && now - l < Every) return false;
        var papers = await ctx.Papers.LongCountAsync(ct);
        var embedded = await ctx.Set<PaperEmbedding>().LongCountAsync(e => e.Model == Embedder.ModelName, ct);
        ctx.Add(new OpsSample { TakenAt = now, Papers = papers, Embedded = embedded });
        await ctx.SaveChangesAsync(ct);
        var cutoff = now - Keep;
        await ctx.Set<OpsSample>().Where(s => s.TakenAt < cutoff).ExecuteDeleteAsync(ct);
        return true;
    }
}
