using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DailyPapers.Search;

/// <summary>
/// Every paper's embedding in a compact form, searched by a scan: int8 codes (one byte a dimension and one scale a
/// vector, a quarter of the float bytes: 3 million papers fit in 1.2 GB) and one sign bit a dimension. From
/// <see cref="BinaryFrom"/> vectors on, a first pass compares the bits (signs around the collection's mean: 48 bytes a
/// paper, Hamming distance by popcount) and keeps the closest <see cref="BinaryShortlist"/>; the int8 pass ranks those
/// (or, below that size, every vector) by the integer dot product of the codes, on all cores; the best
/// <see cref="ShortlistFactor"/> × k of them are ranked by the float query against their codes. The float vectors are
/// not kept (they stay in the database), so scores are cosines up to the codes' rounding (about 0.001) and the
/// top k is the float scan's top k up to that rounding and the binary pass's misses (recall measured in
/// docs/benchmarks.md and VectorIndexTests on real embeddings).
/// </summary>
public sealed class VectorIndex
{
    /// <summary>Shortlist size per wanted result for the final ranking by the float query.</summary>
    public const int ShortlistFactor = 4;
    private const int MinShortlist = 256;
    /// <summary>Below this many vectors one thread scans; above, one per core.</summary>
    private const int ParallelFrom = 32_768;
    /// <summary>Vectors from which the binary first pass runs.</summary>
    public const int BinaryFrom = 50_000;
    /// <summary>Candidates the binary pass hands to the int8 pass (at least; 40 per wanted result for large k).</summary>
    public const int BinaryShortlist = 8192;

    private readonly ReaderWriterLockSlim _lock = new();
    private readonly int _dim;
    private sbyte[] _codes;
    private float[] _scales;
    private long[] _ids;
    private ulong[] _bits;
    private readonly int _words;
    private float[] _center;
    private int _centeredAt;
    private readonly int _binaryFrom;
    private int _count;
    private readonly Dictionary<long, int> _slots = [];

    public VectorIndex(int dimensions = Embedder.Dimensions, int capacity = 1024, int binaryFrom = BinaryFrom)
    {
        _dim = dimensions;
        _binaryFrom = binaryFrom;
        _words = (dimensions + 63) / 64;
        _bits = new ulong[capacity * _words];
        _center = new float[dimensions];
        _codes = new sbyte[capacity * dimensions];
        _scales = new float[capacity];
        _ids = new long[capacity];
    }

    public int Count
    {
        get { _lock.EnterReadLock(); try { return _count; } finally { _lock.ExitReadLock(); } }
    }

    /// <summary>Bytes held for the vectors (codes, scales, bits, ids; the id lookup not counted).</summary>
    public long MemoryBytes
    {
        get { _lock.EnterReadLock(); try { return _codes.LongLength + 4L * _scales.Length + 8L * _bits.Length + 8L * _ids.Length; } finally { _lock.ExitReadLock(); } }
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
                    // Grows by half (not double): at 3 million vectors the codes alone are 1.2 GB, copied once more.
                    int capacity = _ids.Length + Math.Max(1024, _ids.Length / 2);
                    Array.Resize(ref _ids, capacity);
                    Array.Resize(ref _codes, capacity * _dim);
                    Array.Resize(ref _scales, capacity);
                    Array.Resize(ref _bits, capacity * _words);
                }
                slot = _count++;
                _slots[paperId] = slot;
                _ids[slot] = paperId;
            }
            _scales[slot] = Quantize(vector, _codes.AsSpan(slot * _dim, _dim));
            SignBits(vector, _center, _bits.AsSpan(slot * _words, _words));
            // The bits are signs around the mean; it is recomputed (and every vector's bits with it) each time the
            // collection doubles, so loading n vectors costs about 2n bit computations.
            if (_count >= 2 * Math.Max(512, _centeredAt)) Recenter();
        }
        finally { _lock.ExitWriteLock(); }
    }

    private const uint SnapshotMagic = 0x31585644; // "DVX1" little-endian: the format's version is in the name

    /// <summary>
    /// Writes the index as it is (codes, scales, ids, sign bits, centre) with <paramref name="stamp"/>, the caller's
    /// watermark, so a restart reads one file instead of decoding every stored embedding again.
    /// </summary>
    public void Save(Stream to, long stamp)
    {
        _lock.EnterReadLock();
        try
        {
            using var w = new BinaryWriter(to, System.Text.Encoding.UTF8, leaveOpen: true);
            w.Write(SnapshotMagic); w.Write(_dim); w.Write(_count); w.Write(_centeredAt); w.Write(stamp);
            w.Write(MemoryMarshal.AsBytes(_codes.AsSpan(0, _count * _dim)));
            w.Write(MemoryMarshal.AsBytes(_scales.AsSpan(0, _count)));
            w.Write(MemoryMarshal.AsBytes(_ids.AsSpan(0, _count)));
            w.Write(MemoryMarshal.AsBytes(_bits.AsSpan(0, _count * _words)));
            w.Write(MemoryMarshal.AsBytes(_center.AsSpan()));
            w.Write(SnapshotMagic);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>
    /// Replaces the contents with a <see cref="Save"/>d snapshot and returns its stamp; throws <see cref="InvalidDataException"/>
    /// (leaving the index empty) when the file is not one, was written for other dimensions, or is cut short.
    /// </summary>
    public long Load(Stream from)
    {
        _lock.EnterWriteLock();
        try
        {
            ClearLocked();
            try
            {
                using var r = new BinaryReader(from, System.Text.Encoding.UTF8, leaveOpen: true);
                if (r.ReadUInt32() != SnapshotMagic) throw new InvalidDataException("not a vector snapshot");
                if (r.ReadInt32() != _dim) throw new InvalidDataException("the snapshot has other dimensions");
                int count = r.ReadInt32(), centeredAt = r.ReadInt32();
                long stamp = r.ReadInt64();
                if (count < 0 || centeredAt < 0 || centeredAt > count) throw new InvalidDataException("bad snapshot header");
                int capacity = Math.Max(1024, count + count / 8);
                var codes = new sbyte[capacity * _dim];
                var scales = new float[capacity];
                var ids = new long[capacity];
                var bits = new ulong[capacity * _words];
                var center = new float[_dim];
                from.ReadExactly(MemoryMarshal.AsBytes(codes.AsSpan(0, count * _dim)));
                from.ReadExactly(MemoryMarshal.AsBytes(scales.AsSpan(0, count)));
                from.ReadExactly(MemoryMarshal.AsBytes(ids.AsSpan(0, count)));
                from.ReadExactly(MemoryMarshal.AsBytes(bits.AsSpan(0, count * _words)));
                from.ReadExactly(MemoryMarshal.AsBytes(center.AsSpan()));
                if (r.ReadUInt32() != SnapshotMagic) throw new InvalidDataException("the snapshot does not end where it should");
                for (int i = 0; i < count; i++)
                    if (!_slots.TryAdd(ids[i], i)) throw new InvalidDataException("the snapshot holds a paper twice");
                (_codes, _scales, _ids, _bits, _center, _count, _centeredAt) = (codes, scales, ids, bits, center, count, centeredAt);
                return stamp;
            }
            catch (EndOfStreamException e) { ClearLocked(); throw new InvalidDataException("the snapshot is cut short", e); }
            catch { ClearLocked(); throw; }
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Removes every vector.</summary>
    public void Clear()
    {
        _lock.EnterWriteLock();
        try { ClearLocked(); }
        finally { _lock.ExitWriteLock(); }
    }

    private void ClearLocked()
    {
        _slots.Clear();
        _count = 0;
        _centeredAt = 0;
        Array.Clear(_center);
    }

    /// <summary>Whether the paper has an embedding here.</summary>
    public bool Contains(long paperId)
    {
        _lock.EnterReadLock();
        try { return _slots.ContainsKey(paperId); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>A paper's vector as the index holds it (decoded from its int8 codes).</summary>
    public bool TryGet(long paperId, out float[] vector)
    {
        _lock.EnterReadLock();
        try
        {
            if (_slots.TryGetValue(paperId, out var slot)) { vector = Decode(slot); return true; }
            vector = [];
            return false;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Cosine similarity of one paper to the query (up to the codes' rounding); null when the paper has no embedding.</summary>
    public float? Similarity(long paperId, ReadOnlySpan<float> query)
    {
        _lock.EnterReadLock();
        try
        {
            return _slots.TryGetValue(paperId, out var slot) ? Score(query, slot) : null;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The <paramref name="k"/> most similar papers, best first; <paramref name="allowed"/> restricts the scan when filters apply.</summary>
    public List<(long PaperId, float Score)> Nearest(ReadOnlySpan<float> query, int k, Func<long, bool>? allowed = null)
    {
        if (k <= 0) return [];
        var q = new sbyte[_dim];
        Quantize(query, q);
        int shortlist = Math.Max(k * ShortlistFactor, MinShortlist);
        _lock.EnterReadLock();
        try
        {
            PriorityQueue<int, float>[] heaps;
            if (_count >= _binaryFrom)
            {
                var candidates = BinaryCandidates(query, Math.Max(BinaryShortlist, 40 * k), allowed);
                // The candidates' int8 codes are scattered over the whole array: this pass waits on memory, so both cores share it.
                heaps = InParts(candidates.Length, candidates.Length >= 1024, (from, to) => ScoreCandidates(q, candidates, from, to, shortlist));
            }
            else
            {
                heaps = InParts(_count, _count >= ParallelFrom, (from, to) => ScanCodes(q, from, to, shortlist, allowed));
            }
            // The float query against the shortlist's codes (no rounding of the query), best k of them.
            var best = new PriorityQueue<long, float>(k + 1);
            foreach (var heap in heaps)
                while (heap.TryDequeue(out var slot, out _))
                    Offer(best, k, _ids[slot], Score(query, slot));
            return BestFirst(best);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The float query's dot product with a vector's int8 codes, scaled back: the cosine up to the codes' rounding.</summary>
    private float Score(ReadOnlySpan<float> query, int slot)
    {
        var codes = _codes.AsSpan(slot * _dim, _dim);
        float sum = 0;
        for (int i = 0; i < codes.Length; i++) sum += query[i] * codes[i];
        return sum * _scales[slot];
    }

    private float[] Decode(int slot)
    {
        var v = new float[_dim];
        var codes = _codes.AsSpan(slot * _dim, _dim);
        float scale = _scales[slot];
        for (int i = 0; i < v.Length; i++) v[i] = codes[i] * scale;
        return v;
    }

    /// <summary>
    /// Runs <paramref name="work"/> over [0, <paramref name="length"/>) cut into one contiguous part per core (up to 8),
    /// or as one part when <paramref name="parallel"/> is false; one result per part, in order.
    /// </summary>
    private static T[] InParts<T>(int length, bool parallel, Func<int, int, T> work)
    {
        int parts = parallel ? Math.Clamp(Environment.ProcessorCount, 1, 8) : 1;
        int chunk = (length + parts - 1) / parts;
        var results = new T[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
            results[p] = work(p * chunk, Math.Min(length, (p + 1) * chunk)));
        return results;
    }

    private void Recenter()
    {
        var mean = new float[_dim];
        var v = new float[_dim];
        for (int i = 0; i < _count; i++) { DecodeInto(i, v); TensorPrimitives.Add(mean, v, mean); }
        TensorPrimitives.Divide(mean, _count, mean);
        _center = mean;
        for (int i = 0; i < _count; i++) { DecodeInto(i, v); SignBits(v, _center, _bits.AsSpan(i * _words, _words)); }
        _centeredAt = _count;
    }

    private void DecodeInto(int slot, Span<float> v)
    {
        var codes = _codes.AsSpan(slot * _dim, _dim);
        float scale = _scales[slot];
        for (int i = 0; i < v.Length; i++) v[i] = codes[i] * scale;
    }

    private static void SignBits(ReadOnlySpan<float> v, ReadOnlySpan<float> center, Span<ulong> bits)
    {
        bits.Clear();
        for (int i = 0; i < v.Length; i++)
            if (v[i] > center[i]) bits[i >> 6] |= 1UL << (i & 63);
    }

    /// <summary>
    /// Slots of the <paramref name="n"/> vectors with the fewest sign disagreements with the query (ties at the cut
    /// included), by a distance pass and a histogram rather than a heap.
    /// </summary>
    private int[] BinaryCandidates(ReadOnlySpan<float> query, int n, Func<long, bool>? allowed)
    {
        var q = new ulong[_words];
        SignBits(query, _center, q);
        // Pooled: a fresh 450 KB array per query would be a large-object allocation, and those force full collections.
        var dist = System.Buffers.ArrayPool<ushort>.Shared.Rent(_count);
        try
        {
            var histograms = InParts(_count, true, (from, to) => Distances(q, from, to, dist, allowed));
            int cut = -1, below = 0;
            for (int d = 0; d <= _dim && below < n; d++)
            {
                foreach (var h in histograms) below += h[d];
                cut = d;
            }
            var result = new int[below];
            int r = 0;
            for (int i = 0; i < _count && r < below; i++)
                if (dist[i] <= cut) result[r++] = i;
            return result;
        }
        finally { System.Buffers.ArrayPool<ushort>.Shared.Return(dist); }
    }

    /// <summary>Hamming distances of vectors [from, to) to the query's bits, and their histogram.</summary>
    private int[] Distances(ulong[] query, int from, int to, ushort[] dist, Func<long, bool>? allowed)
    {
        var h = new int[_dim + 2];
        var bits = _bits;
        int words = _words;
        if (words == 6 && allowed is null)
        {
            // The model's 384 dimensions: six words, the query's held in registers.
            ulong q0 = query[0], q1 = query[1], q2 = query[2], q3 = query[3], q4 = query[4], q5 = query[5];
            for (int i = from; i < to; i++)
            {
                int o = i * 6;
                int d = System.Numerics.BitOperations.PopCount(bits[o] ^ q0) + System.Numerics.BitOperations.PopCount(bits[o + 1] ^ q1)
                      + System.Numerics.BitOperations.PopCount(bits[o + 2] ^ q2) + System.Numerics.BitOperations.PopCount(bits[o + 3] ^ q3)
                      + System.Numerics.BitOperations.PopCount(bits[o + 4] ^ q4) + System.Numerics.BitOperations.PopCount(bits[o + 5] ^ q5);
                dist[i] = (ushort)d;
                h[d]++;
            }
            return h;
        }
        for (int i = from; i < to; i++)
        {
            if (allowed is not null && !allowed(_ids[i])) { dist[i] = ushort.MaxValue; continue; }
            int d = 0, o = i * words;
            for (int w = 0; w < words; w++) d += System.Numerics.BitOperations.PopCount(bits[o + w] ^ query[w]);
            dist[i] = (ushort)d;
            h[d]++;
        }
        return h;
    }

    /// <summary>The paper ids the binary pass keeps for a query (for measuring its recall).</summary>
    internal List<long> BinaryCandidateIds(ReadOnlySpan<float> query, int n)
    {
        _lock.EnterReadLock();
        try { return BinaryCandidates(query, n, null).Select(slot => _ids[slot]).ToList(); }
        finally { _lock.ExitReadLock(); }
    }

    private PriorityQueue<int, float> ScoreCandidates(sbyte[] q, int[] candidates, int from, int to, int n)
    {
        const int Ahead = 8;
        var heap = new PriorityQueue<int, float>(n + 1);
        var codes = _codes;
        int touched = 0;
        for (int c = from; c < to; c++)
        {
            // Read a byte of each cache line of a candidate a few places ahead, so its misses overlap this one's work.
            if (c + Ahead < to)
            {
                int o = candidates[c + Ahead] * _dim;
                for (int line = 0; line < _dim; line += 64) touched += codes[o + line];
            }
            int slot = candidates[c];
            Offer(heap, n, slot, Dot(q, codes.AsSpan(slot * _dim, _dim)) * _scales[slot]);
        }
        GC.KeepAlive(touched);
        return heap;
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
