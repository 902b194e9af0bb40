using System.Diagnostics;
using System.IO.Compression;
using System.Threading.Channels;

namespace DailyPapers.Ingest;

public sealed record RejectedLine(long LineNumber, string Reason);

public sealed class ImportSummary
{
    public long Read;
    public int Rejected;
    public UpsertCounts Counts { get; } = new();
    public TimeSpan Elapsed;
    /// <summary>Time spent in database writes, the rest being reading and parsing.</summary>
    public TimeSpan WriteTime;
    public List<RejectedLine> RejectedLines { get; } = [];
    public double PapersPerSecond => Elapsed.TotalSeconds > 0 ? Read / Elapsed.TotalSeconds : 0;
}

/// <summary>Streams a Kaggle-format snapshot (plain or .gz) into the database through <see cref="PaperUpsert"/>.</summary>
public sealed class SnapshotImport(PaperUpsert upsert)
{
    /// <summary>Papers per write transaction: big enough to amortise the commit, small enough to lose little on a kill.</summary>
    public const int BatchSize = 2000;

    /// <summary>Rejected lines kept for the report; the count goes on past this.</summary>
    public const int MaxRejectedKept = 1000;

    public async Task<ImportSummary> RunAsync(string path, IProgress<double>? progress = null, Action<RejectedLine>? onRejected = null, CancellationToken ct = default)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No such file: {path}", path);
        var summary = new ImportSummary();
        var sw = Stopwatch.StartNew();
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Stream stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : file;
        var batches = Channel.CreateBounded<List<PaperRecord>>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });

        // Parsing runs beside the writer so JSON decoding overlaps the database work on the second core.
        var producer = Task.Run(async () =>
        {
            try
            {
                using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, false, 1 << 16);
                var lines = new List<(long No, string Text)>(BatchSize);
                long lineNo = 0;
                string? line;
                while (true)
                {
                    line = await reader.ReadLineAsync(ct);
                    if (line is not null)
                    {
                        lineNo++;
                        if (!string.IsNullOrWhiteSpace(line)) lines.Add((lineNo, line));
                        if (lines.Count < BatchSize) continue;
                    }
                    if (lines.Count > 0)
                    {
                        await batches.Writer.WriteAsync(ParseBatch(lines, summary, onRejected), ct);
                        lines.Clear();
                        progress?.Report(file.Length == 0 ? 1 : (double)file.Position / file.Length);
                    }
                    if (line is null) break;
                }
                batches.Writer.Complete();
            }
            catch (Exception ex)
            {
                batches.Writer.Complete(ex);
            }
        }, ct);

        var writing = new Stopwatch();
        await foreach (var batch in batches.Reader.ReadAllAsync(ct))
        {
            writing.Start();
            summary.Counts.Add(await upsert.UpsertAsync(batch, ct));
            writing.Stop();
        }
        summary.WriteTime = writing.Elapsed;
        await producer;
        progress?.Report(1);
        summary.Elapsed = sw.Elapsed;
        return summary;
    }

    /// <summary>Parses a batch of lines on all cores, keeping file order so the last of duplicate lines wins.</summary>
    private static List<PaperRecord> ParseBatch(List<(long No, string Text)> lines, ImportSummary summary, Action<RejectedLine>? onRejected)
    {
        var parsed = new PaperRecord?[lines.Count];
        var errors = new string?[lines.Count];
        Parallel.For(0, lines.Count, i => parsed[i] = KaggleSnapshot.Parse(System.Text.Encoding.UTF8.GetBytes(lines[i].Text), out errors[i]));
        var batch = new List<PaperRecord>(lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            summary.Read++;
            if (parsed[i] is { } record) { batch.Add(record); continue; }
            var rejected = new RejectedLine(lines[i].No, errors[i] ?? "unreadable");
            summary.Rejected++;
            if (summary.RejectedLines.Count < MaxRejectedKept) summary.RejectedLines.Add(rejected);
            onRejected?.Invoke(rejected);
        }
        return batch;
    }

    private static bool IsGzip(FileStream f)
    {
        Span<byte> magic = stackalloc byte[2];
        int n = f.Read(magic);
        f.Position = 0;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }
}
