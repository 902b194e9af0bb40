using DailyPapers.Recommend;

namespace DailyPapers.Bench;

/// <summary>The ranking methods compared by the recommendation benchmark, and the metrics.</summary>
internal sealed class RecommendMethods(List<SnapPaper> candidates, List<ProxyReader> readers, EmbeddingCache cache, int seed, RecommenderOptions options, DocumentFrequencies? background = null)
{
    private CandidateSet? _set;
    private TfidfSvm? _svm;

    private PaperInput Input(SnapPaper p) => new(p.Index, p.Title, p.Abstract, p.Categories, cache.Get(p.ArxivId));
    public static readonly string[] All = ["random", "recency", "category-prior", "tfidf-svm", "embedding-mean", "product"];

    public (double Ndcg, double Recall, int Users) Evaluate(string method)
    {
        Func<ProxyReader, int[]> rank = method switch
        {
            "random" => Random,
            "recency" => _ => candidates.OrderByDescending(c => c.Submitted).ThenByDescending(c => c.Index).Select(c => c.Index).ToArray(),
            "category-prior" => CategoryPrior,
            "tfidf-svm" => r => (_svm ??= new TfidfSvm(candidates, readers)).Rank(r, hinge: true),
            "tfidf-svm-sq" => r => (_svm ??= new TfidfSvm(candidates, readers)).Rank(r, hinge: false),
            "embedding-mean" => EmbeddingMean,
            "product" => Product,
            _ => throw new ArgumentException($"unknown method {method}"),
        };
        double ndcg = 0, recall = 0;
        foreach (var r in readers)
        {
            var order = rank(r);
            ndcg += Ndcg(order, r.Targets, 10);
            recall += Recall(order, r.Targets, 50);
        }
        return (ndcg / readers.Count, recall / readers.Count, readers.Count);
    }

    private int[] Random(ProxyReader r)
    {
        var rng = new Random(HashCode.Combine(seed, StableHash(r.Author)));
        return candidates.Select(c => c.Index).OrderBy(_ => rng.Next()).ToArray();
    }

    /// <summary>Candidates by how often the reader's history has each of their categories (the share of history papers, summed over the candidate's categories); ties by newest.</summary>
    private int[] CategoryPrior(ProxyReader r)
    {
        var freq = r.History.SelectMany(p => p.Categories.Split(' ').Distinct()).GroupBy(c => c).ToDictionary(g => g.Key, g => (double)g.Count() / r.History.Count);
        return candidates.OrderByDescending(c => c.Categories.Split(' ').Distinct().Sum(x => freq.GetValueOrDefault(x)))
            .ThenByDescending(c => c.Submitted).Select(c => c.Index).ToArray();
    }

    /// <summary>
    /// zotero-arxiv-daily's reranker: cosine of each candidate to each library paper, weighted by the time decay
    /// 1 / (1 + log10(rank + 1)) over the library newest first (normalised), summed. Candidates without a vector last.
    /// </summary>
    private int[] EmbeddingMean(ProxyReader r)
    {
        var lib = r.History.Select(p => cache.Get(p.ArxivId)).ToList();
        var w = Enumerable.Range(0, lib.Count).Select(i => lib[i] is null ? 0 : 1 / (1 + Math.Log10(i + 1))).ToArray();
        double sum = w.Sum();
        return candidates.Select(c =>
        {
            var v = cache.Get(c.ArxivId);
            double s = v is null ? double.NegativeInfinity : 0;
            if (v is not null)
                for (int i = 0; i < lib.Count; i++)
                    if (lib[i] is { } e) s += w[i] / sum * System.Numerics.Tensors.TensorPrimitives.Dot(v, e);
            return (c.Index, Score: s);
        }).OrderByDescending(x => x.Score).Select(x => x.Index).ToArray();
    }

    /// <summary>The product's recommender (DailyPapers.Recommend), the reader's history as positives, no prior.</summary>
    private int[] Product(ProxyReader r)
    {
        _set ??= CandidateSet.FromPapers(candidates.Select(Input), options, background);
        var ranked = Recommender.Rank(_set, r.History.Select(Input).ToList(), [], null, options);
        return ranked.Select(x => (int)x.PaperId).ToArray();
    }

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = (int)2166136261;
            foreach (var c in s) h = (h ^ c) * 16777619;
            return h;
        }
    }

    /// <summary>Binary-relevance nDCG@k of a ranking (snapshot indexes) against the targets.</summary>
    public static double Ndcg(int[] order, IReadOnlySet<int> targets, int k)
    {
        double dcg = 0, ideal = 0;
        for (int i = 0; i < Math.Min(k, order.Length); i++) if (targets.Contains(order[i])) dcg += 1 / Math.Log2(i + 2);
        for (int i = 0; i < Math.Min(k, targets.Count); i++) ideal += 1 / Math.Log2(i + 2);
        return ideal == 0 ? 0 : dcg / ideal;
    }

    public static double Recall(int[] order, IReadOnlySet<int> targets, int k) =>
        targets.Count == 0 ? 0 : (double)order.Take(k).Count(targets.Contains) / targets.Count;

    /// <summary>Sets one <see cref="RecommenderOptions"/> property by name (for tuning runs).</summary>
    public static RecommenderOptions With(RecommenderOptions o, string assignment)
    {
        var parts = assignment.Split('=', 2);
        var prop = typeof(RecommenderOptions).GetProperty(parts[0]) ?? throw new ArgumentException($"no option {parts[0]}");
        var copy = o with { };
        object value = prop.PropertyType == typeof(int) ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)
            : prop.PropertyType == typeof(bool) ? bool.Parse(parts[1])
            : double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        prop.SetValue(copy, value);
        return copy;
    }
}
