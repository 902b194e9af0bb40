using System.Numerics.Tensors;

namespace DailyPapers.Search;

/// <summary>
/// Every paper's embedding in one contiguous array, searched by an exact scan (dot products of unit vectors,
/// SIMD through TensorPrimitives). Exact means no recall loss and no index to build; see docs/benchmarks.md for its cost.
/// </summary>
public sealed class VectorIndex
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly int _dim;
    private float[] _vectors;
    private long[] _ids;
    private int _count;
    private readonly Dictionary<long, int> _slots = [];

    public VectorIndex(int dimensions = Embedder.Dimensions, int capacity = 1024)
    {
        _dim = dimensions;
        _vectors = new float[capacity * dimensions];
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
                }
                slot = _count++;
                _slots[paperId] = slot;
                _ids[slot] = paperId;
            }
            vector.CopyTo(_vectors.AsSpan(slot * _dim, _dim));
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
        var heap = new PriorityQueue<long, float>(k + 1);
        _lock.EnterReadLock();
        try
        {
            var data = _vectors.AsSpan();
            for (int i = 0; i < _count; i++)
            {
                var id = _ids[i];
                if (allowed is not null && !allowed(id)) continue;
                float s = TensorPrimitives.Dot(query, data.Slice(i * _dim, _dim));
                if (heap.Count < k) heap.Enqueue(id, s);
                else if (heap.TryPeek(out _, out var min) && s > min) heap.EnqueueDequeue(id, s);
            }
        }
        finally { _lock.ExitReadLock(); }
        var result = new List<(long, float)>(heap.Count);
        while (heap.TryDequeue(out var id, out var s)) result.Add((id, s));
        result.Reverse();
        return result;
    }
}
