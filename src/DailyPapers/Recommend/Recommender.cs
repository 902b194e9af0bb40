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
    /// <summary>Weight of the embedding cosine in the similarity of two papers (the unit the other two are measured in).</summary>
    public double EmbeddingWeight { get; init; } = 1.0;
    /// <summary>
    /// Weight of the TF-IDF cosine. TF-IDF cosines of related abstracts are small (0.05–0.3: few shared words) while
    /// MiniLM cosines of unrelated ones are already 0.1–0.3, so the text needs a larger weight to count as much; 5 was the
    /// best of 1, 2, 3, 5, 8 on the 2018 tuning cutoffs (docs/recommendations.md).
    /// </summary>
    public double TextWeight { get; init; } = 5.0;
    /// <summary>
    /// Weight of the category cosine. Categories are coarse (a reader's category holds most of the day), so they only
    /// break near-ties: 0.05 beat 0, 0.1 and 0.3 on the 2018 tuning cutoffs.
    /// </summary>
    public double CategoryWeight { get; init; } = 0.05;
    /// <summary>How much a "not interested" paper's similarity is subtracted from a candidate's neighbour score, relative to a positive's (symmetric, as <see cref="NotInterestedWeight"/>).</summary>
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
    /// <summary>Exponent of the IDF in the TF-IDF weights (1 = the usual TF-IDF; above 1 leans on rarer shared words: 1.5 and 2 were mixed on the tuning cutoffs, so 1 stays).</summary>
    public double IdfPower { get; init; } = 1.0;
    /// <summary>Below this many positives the reader is in cold start: no model is fitted (issue 16: "fewer than about 5").</summary>
    public int ColdStartPositives { get; init; } = 5;
    /// <summary>
    /// L2 strength λ of the logistic regression, per unit of total example weight (see <see cref="LinearModel.Fit"/>;
    /// scikit-learn's C = 1 / (λ·W)). 0.01 keeps the weights near the difference of the class means when there are few
    /// positives (strong shrinkage, like arxiv-sanity's C = 0.01) and was within noise of 0.001 and better than 0.1 on the
    /// tuning cutoffs.
    /// </summary>
    public double Lambda { get; init; } = 0.01;
    /// <summary>
    /// Gradient steps of the fit: with Nesterov momentum and λ = 0.01 the ranking stops changing by about 30 (80 steps
    /// gave the same nDCG on the tuning cutoffs), and the fit is the costliest part of a member's ranking.
    /// </summary>
    public int Iterations { get; init; } = 30;
    /// <summary>
    /// Background negatives sampled from the candidates for the fit: 300 gave the same nDCG as 1,000 on the tuning
    /// cutoffs at a third of the cost (the class balance makes their total weight the same).
    /// </summary>
    public int BackgroundNegatives { get; init; } = 300;
    /// <summary>
    /// Weight of one "not interested" paper in the fit, in positives: as strong as a like, the other way. The proxy
    /// benchmark has no dismissals to tune it on, so it is the symmetric choice.
    /// </summary>
    public double NotInterestedWeight { get; init; } = 1.0;
    /// <summary>Positives' weights decay with their rank, newest first (see <see cref="Recommender"/>); off cost 0.005–0.008 nDCG@10 on the tuning cutoffs.</summary>
    public bool RecencyDecay { get; init; } = true;
    /// <summary>
    /// Nearest positives averaged for the neighbour score: 2 (1, 2, 3 and 5 tried on the 2018 cutoffs): a new paper usually
    /// continues one or two earlier ones, and averaging two is steadier than the single nearest.
    /// </summary>
    public int NeighbourCount { get; init; } = 2;
    /// <summary>
    /// Weight of the neighbour score (z-scored) beside the logistic regression's (z-scored): equal weight; 0 lost
    /// 0.03–0.04 nDCG@10 on the tuning cutoffs, 2 and 3 were no better than 1.
    /// </summary>
    public double NeighbourWeight { get; init; } = 1.0;
    /// <summary>
    /// Weight of the recent-interest score (z-scored, beside the model's and the neighbours'): each candidate's highest
    /// similarity to the reader's <see cref="RecentPositives"/> newest positives. A reader's next interest most often
    /// continues their latest papers, which the recency-weighted fit and the 64-positive neighbour score dilute.
    /// On the 2018 tuning cutoffs 0.3 and 0.5 were level (within 0.003 on average) and 1 lost: the smaller is kept (docs/recommendations.md).
    /// </summary>
    public double RecentWeight { get; init; } = 0.3;
    /// <summary>Newest positives of the recent-interest score: 10 beat 2, 5 and 20 on the 2018 tuning cutoffs.</summary>
    public int RecentPositives { get; init; } = 10;
    /// <summary>
    /// Longest word n-gram of the TF-IDF features: 3 adds trigrams to arxiv-sanity's unigrams and bigrams, so a
    /// reader's own three-word phrases (a method's name, a set-up they keep writing) match; +0.00–0.01 nDCG@10 on the
    /// 2018 tuning cutoffs with the recent-interest score, within the 50 ms budget (docs/benchmarks.md).
    /// </summary>
    public int MaxNGram { get; init; } = 3;
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
        var nearPositives = positives.Take(o.MaxNeighbours).ToList();
        var likeSims = nearPositives.Select(p => Similarities(cs, p, o)).ToArray();
        var negativeSims = negatives.Take(o.MaxNeighbours).Select(p => Similarities(cs, p, o)).ToArray();
        var recency = RecencyWeights(nearPositives.Count, o);

        double[] model;
        if (positives.Count == 0) model = new double[n];
        else if (positives.Count < o.ColdStartPositives)
        {
            // Cold start: too few positives to fit weights on; the (recency-weighted) mean similarity to the seeds.
            model = new double[n];
            for (int r = 0; r < likeSims.Length; r++)
                for (int d = 0; d < n; d++) model[d] += recency[r] * likeSims[r][d];
            SubtractNegatives(model, negativeSims, o.NegativeWeight);
        }
        else
        {
            var lr = Fit(cs, positives, negatives, o).Score(cs);
            var knn = Neighbours(likeSims, n, o.NeighbourCount);
            SubtractNegatives(knn, negativeSims, o.NegativeWeight);
            model = ZScores(lr);
            var zk = ZScores(knn);
            for (int d = 0; d < n; d++) model[d] += o.NeighbourWeight * zk[d];
            if (o.RecentWeight > 0)
            {
                var rec = new double[n];
                Array.Fill(rec, double.NegativeInfinity);
                int k = Math.Min(o.RecentPositives, likeSims.Length);
                for (int r = 0; r < k; r++) for (int d = 0; d < n; d++) rec[d] = Math.Max(rec[d], likeSims[r][d]);
                // As in the neighbour score: a "not interested" paper pushes its near duplicates down here too.
                SubtractNegatives(rec, negativeSims, o.NegativeWeight);
                var zr = ZScores(rec);
                for (int d = 0; d < n; d++) model[d] += o.RecentWeight * zr[d];
            }
        }

        var score = Blend(cs, model, positives.Count, prior, o);
        // Stable: equal scores keep the candidates' own order (the caller's, e.g. the curated list).
        var sorted = Enumerable.Range(0, n).OrderByDescending(d => score[d]).ToArray();
        var result = new Ranked[n];
        for (int k = 0; k < n; k++)
        {
            int d = sorted[k];
            result[k] = new Ranked(cs.Papers[d].Id, score[d], LikePositives(nearPositives, likeSims, d, o.LikeCount));
        }
        return result;
    }

    /// <summary>
    /// The training set: every positive; background negatives drawn evenly from the candidates (the day's other papers,
    /// which a reader mostly passes over: the arxiv-sanity recipe, where every unmarked paper is a negative); and the
    /// explicit "not interested" papers. Positives together weigh as much as the background (scikit-learn's
    /// class_weight="balanced" for two classes); each "not interested" weighs <see cref="RecommenderOptions.NotInterestedWeight"/>
    /// positives: a deliberate judgement, unlike a background paper that may simply not have been seen.
    /// </summary>
    private static LinearModel Fit(CandidateSet cs, IReadOnlyList<PaperVector> positives, IReadOnlyList<PaperVector> negatives, RecommenderOptions o)
    {
        var excluded = positives.Select(p => p.Id).Concat(negatives.Select(p => p.Id)).ToHashSet();
        var pool = cs.Papers.Where(p => !excluded.Contains(p.Id)).ToList();
        int take = Math.Min(o.BackgroundNegatives, pool.Count);
        var examples = new List<LinearModel.Example>(positives.Count + take + negatives.Count);
        var recency = RecencyWeights(positives.Count, o);
        for (int i = 0; i < positives.Count; i++) examples.Add(new(positives[i], true, recency[i]));
        // Evenly spaced through the candidates' order: deterministic (the same reader gets the same list twice) and spread.
        for (int k = 0; k < take; k++) examples.Add(new(pool[(int)((long)k * pool.Count / take)], false, 1.0 / take));
        double perPositive = 1.0 / positives.Count;
        foreach (var neg in negatives) examples.Add(new(neg, false, o.NotInterestedWeight * perPositive));
        return LinearModel.Fit(examples, o);
    }

    /// <summary>
    /// Weights of positives given newest first, summing to 1: zotero-arxiv-daily's time decay 1 / (1 + log10(rank + 1)),
    /// so the latest interests lead while old ones still count; uniform when <see cref="RecommenderOptions.RecencyDecay"/> is off.
    /// </summary>
    private static double[] RecencyWeights(int count, RecommenderOptions o)
    {
        var w = new double[count];
        for (int i = 0; i < count; i++) w[i] = o.RecencyDecay ? 1 / (1 + Math.Log10(i + 1)) : 1;
        double sum = w.Sum();
        for (int i = 0; i < count; i++) w[i] /= sum;
        return w;
    }

    /// <summary>Mean of each candidate's <paramref name="k"/> highest similarities to the positives: a reader with several interests is matched on the nearest one, not on their average.</summary>
    private static double[] Neighbours(float[][] sims, int n, int k)
    {
        var result = new double[n];
        if (sims.Length == 0) return result;
        k = Math.Min(k, sims.Length);
        var best = new float[k];
        for (int d = 0; d < n; d++)
        {
            Array.Fill(best, float.NegativeInfinity);
            foreach (var row in sims)
            {
                float v = row[d];
                if (v <= best[k - 1]) continue;
                int j = k - 1;
                while (j > 0 && best[j - 1] < v) { best[j] = best[j - 1]; j--; }
                best[j] = v;
            }
            double sum = 0;
            for (int j = 0; j < k; j++) sum += best[j];
            result[d] = sum / k;
        }
        return result;
    }

    /// <summary>Lowers each candidate by its highest similarity to a "not interested" paper (times the weight): a dismissed paper pushes down its near duplicates.</summary>
    private static void SubtractNegatives(double[] scores, float[][] negativeSims, double weight)
    {
        if (negativeSims.Length == 0) return;
        for (int d = 0; d < scores.Length; d++)
        {
            float max = float.NegativeInfinity;
            foreach (var row in negativeSims) max = Math.Max(max, row[d]);
            scores[d] -= weight * max;
        }
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
