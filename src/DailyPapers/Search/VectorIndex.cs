using System.Numerics.Tensors;

namespace DailyPapers.Search;

/// <summary>
/// Every paper's embedding in one contiguous array, searched by a scan. The scan reads an int8 copy of the vectors
/// (a quarter of the bytes: the float scan was bound by memory bandwidth) on all cores, keeps a generous shortlist,
/// and ranks the shortlist by the exact float32 dot product, so the answer is the exact one unless the true top k
/// fall outside a shortlist several times larger than k. No index to build; see docs/benchmarks.md for its cost.
/// </summary>
public sealed class VectorIndex
{
    /// <summary>Shortlist size per wanted result for the exact re-ranking of the int8 scan.</summary>
    public const int ShortlistFactor = 4;
    private const int MinShortlist = 256;
    /// <summary>Below this many vectors one thread scans; above, one per core.</summary>
    private const int ParallelFrom = 32_768;

    private readonly ReaderWriterLockSlim _lock = new();
    private readonly int _dim;
    private float[] _vectors;
    private sbyte[] _codes;
    private float[] _scales;
    private long[] _ids;
    private int _count;
    private readonly Dictionary<long, int> _slots = [];

    public VectorIndex(int dimensions = Embedder.Dimensions, int capacity = 1024)
    {
        _dim = dimensions;
        _vectors = new float[capacity * dimensions];
        _codes = new sbyte[capacity * dimensions];
        _scales = new float[capacity];
        _ids = new long[capacity];
    }

    public int Count
    {
        get { _lock.EnterReadLock(); try { return _count; } finally { _lock.ExitReadLock(); } }
    }

    public void Upsert(long paperId, ReadOnlySpan<float> vector)
    {
        if (vector.Length != _dim) throw new ArgumentException($"expected {_dim} dimensions, got {vector.Length}");
        _lock.EnterWriteLock();
        try
        {
            if (!_slots.TryGetValue(paperId, out var slot))
            {
                if (_count == _ids.Length)
                {
                    Array.Resize(ref _ids, _ids.Length * 2);
                    Array.Resize(ref _vectors, _vectors.Length * 2);
                    Array.Resize(ref _codes, _codes.Length * 2);
                    Array.Resize(ref _scales, _scales.Length * 2);
                }
                slot = _count++;
                _slots[paperId] = slot;
                _ids[slot] = paperId;
            }
            vector.CopyTo(_vectors.AsSpan(slot * _dim, _dim));
            _scales[slot] = Quantize(vector, _codes.AsSpan(slot * _dim, _dim));
        }
        finally { _lock.ExitWriteLock(); }
    }

    public bool TryGet(long paperId, out float[] vector)
    {
        _lock.EnterReadLock();
        try
        {
            if (_slots.TryGetValue(paperId, out var slot)) { vector = _vectors.AsSpan(slot * _dim, _dim).ToArray(); return true; }
            vector = [];
            return false;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Cosine similarity of one paper to the query; null when the paper has no embedding.</summary>
    public float? Similarity(long paperId, ReadOnlySpan<float> query)
    {
        _lock.EnterReadLock();
        try
        {
            return _slots.TryGetValue(paperId, out var slot) ? TensorPrimitives.Dot(query, _vectors.AsSpan(slot * _dim, _dim)) : null;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The <paramref name="k"/> most similar papers, best first; <paramref name="allowed"/> restricts the scan when filters apply.</summary>
    public List<(long PaperId, float Score)> Nearest(ReadOnlySpan<float> query, int k, Func<long, bool>? allowed = null)
    {
        if (k <= 0) return [];
        var q = new sbyte[_dim];
        Quantize(query, q);
        var exactQuery = query.ToArray();
        int shortlist = Math.Max(k * ShortlistFactor, MinShortlist);
        _lock.EnterReadLock();
        try
        {
            int parts = _count >= ParallelFrom ? Math.Clamp(Environment.ProcessorCount, 1, 8) : 1;
            var heaps = new PriorityQueue<int, float>[parts];
            int chunk = (_count + parts - 1) / Math.Max(1, parts);
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
                heaps[p] = ScanCodes(q, p * chunk, Math.Min(_count, (p + 1) * chunk), shortlist, allowed));
            // Exact scores for the shortlist, best k of them.
            var best = new PriorityQueue<long, float>(k + 1);
            foreach (var heap in heaps)
                while (heap.TryDequeue(out var slot, out _))
                    Offer(best, k, _ids[slot], TensorPrimitives.Dot(exactQuery, _vectors.AsSpan(slot * _dim, _dim)));
            return BestFirst(best);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The exact float32 scan, kept as the reference the int8 scan is tested against.</summary>
    internal List<(long PaperId, float Score)> NearestExact(ReadOnlySpan<float> query, int k)
    {
        var heap = new PriorityQueue<long, float>(k + 1);
        _lock.EnterReadLock();
        try
        {
            for (int i = 0; i < _count; i++)
                Offer(heap, k, _ids[i], TensorPrimitives.Dot(query, _vectors.AsSpan(i * _dim, _dim)));
        }
        finally { _lock.ExitReadLock(); }
        return BestFirst(heap);
    }

    private PriorityQueue<int, float> ScanCodes(sbyte[] q, int from, int to, int n, Func<long, bool>? allowed)
    {
        var heap = new PriorityQueue<int, float>(n + 1);
        var codes = _codes.AsSpan();
        for (int i = from; i < to; i++)
        {
            if (allowed is not null && !allowed(_ids[i])) continue;
            Offer(heap, n, i, Dot(q, codes.Slice(i * _dim, _dim)) * _scales[i]);
        }
        return heap;
    }

    /// <summary>Keeps the <paramref name="n"/> highest-scoring items in a min-heap (its root is the one to beat).</summary>
    private static void Offer<T>(PriorityQueue<T, float> heap, int n, T item, float score)
    {
        if (heap.Count < n) heap.Enqueue(item, score);
        else if (heap.TryPeek(out _, out var min) && score > min) heap.EnqueueDequeue(item, score);
    }

    private static List<(long PaperId, float Score)> BestFirst(PriorityQueue<long, float> heap)
    {
        var result = new List<(long, float)>(heap.Count);
        while (heap.TryDequeue(out var id, out var score)) result.Add((id, score));
        result.Reverse();
        return result;
    }

    /// <summary>Symmetric int8 codes of a vector (largest component → ±127); returns the scale back to floats.</summary>
    private static float Quantize(ReadOnlySpan<float> v, Span<sbyte> codes)
    {
        float max = MathF.Abs(TensorPrimitives.MaxMagnitude(v)); // MaxMagnitude keeps the sign
        if (max == 0 || float.IsNaN(max)) { codes.Clear(); return 0; }
        float f = 127f / max;
        for (int i = 0; i < v.Length; i++) codes[i] = (sbyte)Math.Clamp(MathF.Round(v[i] * f), -127, 127);
        return max / 127f;
    }

    /// <summary>Integer dot product of two int8 vectors (AVX2 multiply-add of 16-bit pairs where available).</summary>
    internal static int Dot(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        int i = 0, sum = 0;
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && a.Length >= 32)
        {
            var acc = System.Runtime.Intrinsics.Vector256<int>.Zero;
            ref sbyte ra = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a);
            ref sbyte rb = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b);
            for (; i <= a.Length - 32; i += 32)
            {
                var va = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref ra, (nuint)i);
                var vb = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref rb, (nuint)i);
                var (aLo, aHi) = System.Runtime.Intrinsics.Vector256.Widen(va);
                var (bLo, bHi) = System.Runtime.Intrinsics.Vector256.Widen(vb);
                acc = System.Runtime.Intrinsics.X86.Avx2.Add(acc, System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent(aLo, bLo));
                acc = System.Runtime.Intrinsics.X86.Avx2.Add(acc, System.Runtime.Intrinsics.X86.Avx2.MultiplyAddAdjacent(aHi, bHi));
            }
            sum = System.Runtime.Intrinsics.Vector256.Sum(acc);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
