using System.Buffers.Binary;
using System.IO.Compression;

namespace DailyPapers.Ingest;

/// <summary>An input file that cannot be imported at all (not JSON lines, a zip archive, an unreadable gzip file); nothing was written.</summary>
public sealed class ImportInputException(string message) : Exception(message);

/// <summary>
/// What the importers need to tell a complete input file from a cut or damaged one. .NET's GZipStream verifies each
/// member's CRC when it reaches the trailer but ends silently when the file stops before it, so a download cut at
/// 60 % reads as a shorter file; <see cref="GzipEndProblem"/> checks the trailer's length field against what was read.
/// </summary>
public static class InputFiles
{
    public static bool IsGzip(Stream seekable)
    {
        Span<byte> magic = stackalloc byte[2];
        var at = seekable.Position;
        int n = seekable.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        seekable.Position = at;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>Opens a file for reading, decompressed when it is gzip (by its magic bytes, whatever its name).</summary>
    public static (FileStream File, Stream Data, bool Gzip) Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        bool gzip = IsGzip(file);
        return (file, gzip ? new GZipStream(file, CompressionMode.Decompress) : file, gzip);
    }

    /// <summary>
    /// Null when a gzip file's trailer says it holds <paramref name="decompressedBytes"/> bytes (modulo 2^32, as RFC 1952
    /// stores it); otherwise why the file looks cut. The trailer is the last member's, so a file of several concatenated
    /// members is reported too: decompress such a file first.
    /// </summary>
    public static string? GzipEndProblem(string path, long decompressedBytes)
    {
        using var f = File.OpenRead(path);
        // A member is at least a 10-byte header, a deflate block and the 8-byte trailer.
        if (f.Length < 18) return $"{path} is truncated: {f.Length} bytes are too few for a gzip file";
        Span<byte> size = stackalloc byte[4];
        f.Position = f.Length - 4;
        f.ReadExactly(size);
        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(size);
        if (expected == unchecked((uint)decompressedBytes)) return null;
        return $"{path} is truncated: the gzip data stops after {decompressedBytes:N0} bytes, before its end (the file was cut short, e.g. an interrupted download)";
    }

    /// <summary>The message for a gzip stream that zlib found damaged (a bad block or a CRC that does not match).</summary>
    public static string Damaged(string path, InvalidDataException ex) => $"{path} is damaged: {ex.Message}";
}

/// <summary>Passes reads through and counts the bytes and remembers the last one, so a reader can check where its input ended.</summary>
public sealed class CountingStream(Stream inner) : Stream
{
    public long Count { get; private set; }
    /// <summary>The last byte read, or -1 before any.</summary>
    public int LastByte { get; private set; } = -1;

    public override int Read(byte[] buffer, int offset, int count) => Seen(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override int Read(Span<byte> buffer) => Seen(buffer[..inner.Read(buffer)]);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        int n = await inner.ReadAsync(buffer, ct);
        return Seen(buffer.Span[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    private int Seen(ReadOnlySpan<byte> got)
    {
        if (got.Length > 0) { Count += got.Length; LastByte = got[^1]; }
        return got.Length;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Count; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
