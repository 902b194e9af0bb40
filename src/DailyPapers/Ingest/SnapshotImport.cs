using System.Buffers;
using System.Diagnostics;
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
    /// <summary>Time spent building the indexes deferred to the end of a bulk import into an empty database.</summary>
    public TimeSpan IndexTime;
    /// <summary>Time spent on the final checkpoint of a bulk import (its writes made durable on disk).</summary>
    public TimeSpan FlushTime;
    public List<RejectedLine> RejectedLines { get; } = [];
    /// <summary>Why the input stopped before its proper end (cut short or damaged); everything before was imported. Null when it ended properly.</summary>
    public string? InputProblem;
    /// <summary>The last line was cut off mid-record: not valid JSON and with no line break after it.</summary>
    internal bool LastLineCut;
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
        CheckLooksLikeJsonLines(path);
        var summary = new ImportSummary();
        var sw = Stopwatch.StartNew();
        var (file, data, gzip) = InputFiles.Open(path);
        await using var _ = file;
        await using var stream = new CountingStream(data);
        // Into an empty database, build the secondary indexes once at the end rather than row by row.
        var deferred = DeferredIndexes.DropIfEmpty(upsert.Database);
        try
        {
            var session = upsert.OpenBulkSession(emptyAtStart: deferred);
            try
            {
                await ImportAsync(file, stream, summary, progress, onRejected, session, ct);
            }
            finally
            {
                var flushing = Stopwatch.StartNew();
                await session.DisposeAsync();
                summary.FlushTime = flushing.Elapsed;
            }
        }
        finally
        {
            if (deferred)
            {
                var indexing = Stopwatch.StartNew();
                await DeferredIndexes.RestoreAsync(upsert.Database);
                summary.IndexTime = indexing.Elapsed;
            }
        }
        if (summary.InputProblem is null && gzip) summary.InputProblem = InputFiles.GzipEndProblem(path, stream.Count);
        if (summary.InputProblem is null && summary.LastLineCut && stream.LastByte != '\n')
            summary.InputProblem = $"{path} ends in the middle of a record (its last line is incomplete JSON with no line break): the file looks cut short";
        progress?.Report(1);
        summary.Elapsed = sw.Elapsed;
        return summary;
    }

    /// <summary>Refuses, before anything is written, a file that is not JSON lines at all: empty, a zip archive, binary, or text of another kind.</summary>
    private static void CheckLooksLikeJsonLines(string path)
    {
        var (file, data, gzip) = InputFiles.Open(path);
        var head = new byte[64 << 10];
        int n;
        using (file)
        using (data)
        {
            try { n = data.ReadAtLeast(head, head.Length, throwOnEndOfStream: false); }
            catch (InvalidDataException ex) { throw new ImportInputException(InputFiles.Damaged(path, ex)); }
        }
        var start = head.AsSpan(0, n);
        if (start.StartsWith("PK\u0003\u0004"u8))
            throw new ImportInputException($"{path} is a zip archive: unzip it and import the .json file inside");
        if (start.StartsWith("\uFEFF"u8)) start = start[3..];
        var text = start.TrimStart(" \t\r\n"u8);
        if (text.IsEmpty)
            throw new ImportInputException($"{path} has no records{(gzip ? " (its gzip data is empty)" : "")}: it is empty or blank");
        bool tar = path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);
        var hint = tar ? " (for a Hugging Face daily_papers archive add --format hf-daily)" : "";
        // A cut at 64 KB may split a UTF-8 sequence: judge the text up to its last line break.
        var lastBreak = text.LastIndexOf((byte)'\n');
        if (text.Contains((byte)0) || !System.Text.Unicode.Utf8.IsValid(lastBreak > 0 ? text[..lastBreak] : text[..Math.Max(0, text.Length - 3)]))
            throw new ImportInputException($"{path} is binary data, not arXiv metadata in JSON lines (one JSON object per line){hint}");
        if (text[0] != (byte)'{')
        {
            var shown = System.Text.Encoding.UTF8.GetString(text[..Math.Min(text.Length, 40)]).Split('\n')[0].Select(c => char.IsControl(c) ? ' ' : c).ToArray();
            throw new ImportInputException($"{path} is not arXiv metadata in JSON lines (one JSON object per line): it starts with \"{new string(shown)}\"{hint}");
        }
    }

    private async Task ImportAsync(FileStream file, Stream stream, ImportSummary summary, IProgress<double>? progress, Action<RejectedLine>? onRejected, PaperUpsert.BulkSession session, CancellationToken ct)
    {
        // Three stages, so that decompressing, parsing and writing overlap on the machine's cores:
        // read (inflate + split lines) → parse (all cores but the writer's) → write (one transaction per batch).
        var raw = Channel.CreateBounded<LineBatch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var spare = Channel.CreateUnbounded<LineBatch>();
        var batches = Channel.CreateBounded<List<(PaperRecord, long)>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });

        var reader = Task.Run(async () =>
        {
            try
            {
                var lines = new LineBatch();
                try
                {
                    await foreach (var (no, bytes) in Utf8Lines.ReadAsync(stream, ct))
                    {
                        lines.Add(no, bytes.Span);
                        if (lines.Count < BatchSize) continue;
                        await raw.Writer.WriteAsync(lines, ct);
                        lines = spare.Reader.TryRead(out var reused) ? reused : new LineBatch();
                        progress?.Report(file.Length == 0 ? 1 : (double)file.Position / file.Length);
                    }
                }
                catch (InvalidDataException ex)
                {
                    // zlib found a bad block or checksum: keep the lines read before it, and say so.
                    summary.InputProblem = InputFiles.Damaged(file.Name, ex);
                }
                if (lines.Count > 0) await raw.Writer.WriteAsync(lines, ct);
                raw.Writer.Complete();
            }
            catch (Exception ex)
            {
                raw.Writer.Complete(ex);
            }
        }, ct);

        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var lines in raw.Reader.ReadAllAsync(ct))
                {
                    var parsed = ParseBatch(lines, summary, onRejected);
                    lines.Clear();
                    spare.Writer.TryWrite(lines);
                    await batches.Writer.WriteAsync(parsed, ct);
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
            summary.Counts.Add(await upsert.UpsertAsync(batch, session, ct));
            writing.Stop();
        }
        summary.WriteTime = writing.Elapsed;
        await producer;
        await reader;
    }

    /// <summary>Parses a batch of lines on all cores but one, keeping file order so the last of duplicate lines wins.</summary>
    private static List<(PaperRecord, long)> ParseBatch(LineBatch lines, ImportSummary summary, Action<RejectedLine>? onRejected)
    {
        var parsed = new PaperRecord?[lines.Count];
        var hashes = new long[lines.Count];
        var errors = new string?[lines.Count];
        // One core is the writer's: parsing on all of them only makes the writer, the slowest stage, wait for CPU.
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount - 1) };
        Parallel.For(0, lines.Count, options, i =>
        {
            parsed[i] = KaggleSnapshot.Parse(lines.Line(i), out errors[i]);
            hashes[i] = parsed[i]?.ComputeHash() ?? 0;
        });
        var batch = new List<(PaperRecord, long)>(lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            summary.Read++;
            if (parsed[i] is { } record) { batch.Add((record, hashes[i])); continue; }
            var rejected = new RejectedLine(lines.Number(i), errors[i] ?? "unreadable");
            summary.Rejected++;
            if (summary.RejectedLines.Count < MaxRejectedKept) summary.RejectedLines.Add(rejected);
            onRejected?.Invoke(rejected);
        }
        if (lines.Count > 0) summary.LastLineCut = parsed[^1] is null && errors[^1]?.StartsWith("invalid JSON", StringComparison.Ordinal) == true;
        return batch;
    }

    /// <summary>The UTF-8 bytes of a batch of non-blank lines, back to back in one reused buffer.</summary>
    private sealed class LineBatch
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _bytes = new(1 << 22);
        private readonly List<(long No, int Start, int Length)> _lines = new(BatchSize);

        public int Count => _lines.Count;

        public void Add(long no, ReadOnlySpan<byte> line)
        {
            _lines.Add((no, _bytes.WrittenCount, line.Length));
            _bytes.Write(line);
        }

        public ReadOnlySpan<byte> Line(int i) => _bytes.WrittenSpan.Slice(_lines[i].Start, _lines[i].Length);

        public long Number(int i) => _lines[i].No;

        public void Clear()
        {
            _lines.Clear();
            _bytes.ResetWrittenCount();
        }
    }

}

/// <summary>
/// Splits a stream into lines of UTF-8 bytes without decoding them to strings: the JSON reader takes UTF-8, so a
/// UTF-16 round trip would only cost time. Yields the 1-based line number and the line without its line break;
/// blank lines are counted but not yielded, and a UTF-8 byte order mark on the first line is dropped.
/// </summary>
public static class Utf8Lines
{
    public static async IAsyncEnumerable<(long Number, ReadOnlyMemory<byte> Line)> ReadAsync(
        Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var buffer = new byte[1 << 20];
        int start = 0, end = 0;
        long number = 0;
        bool eof = false;
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline < 0)
            {
                if (eof)
                {
                    if (end > start && Content(buffer.AsMemory(start, end - start), ++number) is { } last) yield return (number, last);
                    yield break;
                }
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2); // a line longer than the buffer
                var read = await stream.ReadAsync(buffer.AsMemory(end), ct);
                if (read == 0) eof = true; else end += read;
                continue;
            }
            var line = buffer.AsMemory(start, newline);
            start += newline + 1;
            if (Content(line, ++number) is { } content) yield return (number, content);
        }
    }

    private static ReadOnlyMemory<byte>? Content(ReadOnlyMemory<byte> line, long number)
    {
        var span = line.Span;
        if (number == 1 && span.StartsWith("\uFEFF"u8)) line = line[3..];
        if (line.Span.EndsWith("\r"u8)) line = line[..^1];
        // Not "? null : line": null would convert to an empty ReadOnlyMemory through its implicit array conversion.
        if (line.Span.Trim(" \t\r\f\v"u8).IsEmpty) return null;
        return line;
    }
}
