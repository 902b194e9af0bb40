using System.Numerics.Tensors;
using DailyPapers.Data;

namespace DailyPapers.Recommend;

/// <summary>
/// What one reader has told us: positives (upvotes, saves, library, followed authors' papers), explicit negatives
/// ("not interested"), and an optional prior per candidate from the caller (follows, categories, community signals),
/// which the recommender blends in, leaning on it more the fewer positives there are (cold start).
/// </summary>
/// <remarks>Give positives newest first where there is an order: past <see cref="RecommenderOptions.MaxNeighbours"/> the oldest are left out of the similarity features and the reasons.</remarks>
public sealed record ReaderSignals(IReadOnlyCollection<long> Positives, IReadOnlyCollection<long> Negatives,
    IReadOnlyDictionary<long, double>? Prior = null);

/// <summary>One ranked candidate; LikePositives = up to 3 of the reader's positive paper ids most similar to it (for the reason line).</summary>
public sealed record Ranked(long PaperId, double Score, IReadOnlyList<long> LikePositives);

/// <summary>The recommender's settings; the defaults are the product's (their reasons in docs/recommendations.md). The benchmark varies them.</summary>
public sealed record RecommenderOptions
{
    /// <summary>Weight of the embedding cosine in the similarity of two papers.</summary>
    public double EmbeddingWeight { get; init; } = 1.0;
    /// <summary>Weight of the TF-IDF cosine.</summary>
    public double TextWeight { get; init; } = 1.0;
    /// <summary>Weight of the category cosine.</summary>
    public double CategoryWeight { get; init; } = 0.3;
    /// <summary>How much a "not interested" paper's similarity is subtracted, relative to a positive's.</summary>
    public double NegativeWeight { get; init; } = 1.0;
    /// <summary>
    /// Positives at which the model and the caller's prior weigh the same: prior weight = k / (k + positives). The
    /// issue's cold-start threshold ("fewer than about 5 positives"): below it the prior dominates, above it the reader.
    /// </summary>
    public double PriorHalfWeightAt { get; init; } = 5;
    /// <summary>
    /// Most recent positives (and negatives) used for the per-pair similarities and the reason line: bounds the cost at
    /// 64 × candidates similarity computations, while a library of hundreds still counts fully in the linear model.
    /// </summary>
    public int MaxNeighbours { get; init; } = 64;
    /// <summary>Positives shown in <see cref="Ranked.LikePositives"/>: the reason line names "like 3 papers in …" at most.</summary>
    public int LikeCount { get; init; } = 3;

    public static RecommenderOptions Default { get; } = new();
}

/// <summary>The one recommender operation: the For-you page, the feeds, the digest, the API and the benchmark all call it.</summary>
public static class Recommender
{
    /// <summary>Best first; every candidate is returned exactly once. Papers without an embedding still rank (text features).</summary>
    public static async Task<IReadOnlyList<Ranked>> RankAsync(AppDbContext db, CandidateSet candidates, ReaderSignals reader, CancellationToken ct)
    {
        var needed = reader.Positives.Concat(reader.Negatives).Where(id => candidates.IndexOf(id) < 0).ToList();
        var loaded = needed.Count == 0 ? [] : await CandidateSet.LoadInputsAsync(db, needed, ct);
        PaperVector? Vector(long id)
        {
            int i = candidates.IndexOf(id);
            if (i >= 0) return candidates.Papers[i];
            return loaded.TryGetValue(id, out var p) ? candidates.Vectorize(p) : null;
        }
        var positives = reader.Positives.Distinct().Select(Vector).OfType<PaperVector>().ToList();
        var positiveIds = positives.Select(p => p.Id).ToHashSet();
        // A paper both liked and dismissed counts as liked: the positive is the stronger, more deliberate signal.
        var negatives = reader.Negatives.Distinct().Where(id => !positiveIds.Contains(id)).Select(Vector).OfType<PaperVector>().ToList();
        return Rank(candidates, positives, negatives, reader.Prior, RecommenderOptions.Default);
    }

    /// <summary>Ranks papers already in memory (the benchmark's path; <see cref="RankAsync"/> loads them first).</summary>
    public static IReadOnlyList<Ranked> Rank(CandidateSet candidates, IReadOnlyList<PaperInput> positives, IReadOnlyList<PaperInput> negatives,
        IReadOnlyDictionary<long, double>? prior = null, RecommenderOptions? options = null) =>
        Rank(candidates, positives.Select(candidates.Vectorize).ToList(), negatives.Select(candidates.Vectorize).ToList(), prior, options ?? RecommenderOptions.Default);

    internal static IReadOnlyList<Ranked> Rank(CandidateSet cs, IReadOnlyList<PaperVector> positives, IReadOnlyList<PaperVector> negatives,
        IReadOnlyDictionary<long, double>? prior, RecommenderOptions o)
    {
        int n = cs.Papers.Length;
        var model = new double[n];
        var nearPositives = positives.Take(o.MaxNeighbours).ToList();
        var likeSims = new float[nearPositives.Count][];
        for (int r = 0; r < nearPositives.Count; r++)
        {
            likeSims[r] = Similarities(cs, nearPositives[r], o);
            for (int d = 0; d < n; d++) model[d] += likeSims[r][d] / nearPositives.Count;
        }
        var nearNegatives = negatives.Take(o.MaxNeighbours).ToList();
        foreach (var neg in nearNegatives)
        {
            var s = Similarities(cs, neg, o);
            for (int d = 0; d < n; d++) model[d] -= o.NegativeWeight * s[d] / Math.Max(1, nearPositives.Count);
        }

        var score = Blend(cs, model, positives.Count, prior, o);
        var order = Enumerable.Range(0, n).ToArray();
        // Stable: equal scores keep the candidates' own order (the caller's, e.g. the curated list).
        var sorted = order.OrderByDescending(d => score[d]).ToArray();
        var result = new Ranked[n];
        for (int k = 0; k < n; k++)
        {
            int d = sorted[k];
            result[k] = new Ranked(cs.Papers[d].Id, score[d], LikePositives(nearPositives, likeSims, d, o.LikeCount));
        }
        return result;
    }

    /// <summary>
    /// Model score and prior as z-scores over the candidates (their scales are unrelated), mixed with the prior's weight
    /// k / (k + positives): all prior with no positives, half at k, fading as the reader tells us more.
    /// </summary>
    private static double[] Blend(CandidateSet cs, double[] model, int positives, IReadOnlyDictionary<long, double>? prior, RecommenderOptions o)
    {
        int n = model.Length;
        var z = ZScores(model);
        if (prior is null || prior.Count == 0) return positives == 0 ? new double[n] : z;
        var p = new double[n];
        for (int d = 0; d < n; d++) p[d] = prior.TryGetValue(cs.Papers[d].Id, out var v) ? v : 0;
        var zp = ZScores(p);
        double wp = o.PriorHalfWeightAt / (o.PriorHalfWeightAt + positives);
        var s = new double[n];
        for (int d = 0; d < n; d++) s[d] = (1 - wp) * z[d] + wp * zp[d];
        return s;
    }

    private static double[] ZScores(double[] x)
    {
        var z = new double[x.Length];
        if (x.Length == 0) return z;
        double mean = x.Average();
        double sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
        if (sd <= 1e-12) return z;
        for (int i = 0; i < x.Length; i++) z[i] = (x[i] - mean) / sd;
        return z;
    }

    private static IReadOnlyList<long> LikePositives(List<PaperVector> positives, float[][] sims, int d, int count)
    {
        if (positives.Count == 0) return [];
        return Enumerable.Range(0, positives.Count).OrderByDescending(r => sims[r][d]).Take(count).Select(r => positives[r].Id).ToArray();
    }

    /// <summary>
    /// Similarity of one paper to every candidate: the weighted mean of the embedding, TF-IDF and category cosines
    /// (each vector is unit length; the weights sum to one so scores of different readers are comparable).
    /// </summary>
    internal static float[] Similarities(CandidateSet cs, PaperVector p, RecommenderOptions o)
    {
        int n = cs.Papers.Length;
        var s = new float[n];
        double total = o.EmbeddingWeight + o.TextWeight + o.CategoryWeight;
        float we = (float)(o.EmbeddingWeight / total), wt = (float)(o.TextWeight / total), wc = (float)(o.CategoryWeight / total);
        if (we > 0)
            for (int d = 0; d < n; d++) s[d] = we * TensorPrimitives.Dot(p.Embedding, cs.Papers[d].Embedding);
        Accumulate(cs, p.TermIds, p.TermValues, wt, s);
        Accumulate(cs, p.CatIds, p.CatValues, wc, s);
        return s;
    }

    /// <summary>Adds weight × (sparse vector · candidate) to every candidate's score, through the term postings.</summary>
    internal static void Accumulate(CandidateSet cs, int[] ids, float[] values, float weight, float[] scores)
    {
        if (weight == 0) return;
        for (int k = 0; k < ids.Length; k++)
        {
            var (docs, vals) = cs.TermPostings[ids[k]];
            float w = weight * values[k];
            for (int j = 0; j < docs.Length; j++) scores[docs[j]] += w * vals[j];
        }
    }
}
