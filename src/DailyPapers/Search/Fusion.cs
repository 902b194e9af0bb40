namespace DailyPapers.Search;

/// <summary>How keyword and semantic rankings are merged (docs/benchmarks.md, "Fusion that generalises").</summary>
/// <param name="Depth">How many of each list's best are fused.</param>
/// <param name="KeywordWeight">The keyword list's fixed weight (<see cref="FusionMethod.Weighted"/> only).</param>
/// <param name="RrfK">The rank offset of reciprocal rank fusion (<see cref="FusionMethod.Rrf"/> only).</param>
/// <param name="RescoreKeywordHits">Give keyword-only candidates their exact semantic score (<see cref="FusionMethod.Weighted"/> only).</param>
public sealed record FusionSettings(FusionMethod Method = FusionMethod.Adaptive, double KeywordWeight = 0.4, int Depth = 200, int RrfK = 60, bool RescoreKeywordHits = true)
{
    public static readonly FusionSettings Default = new();
}

/// <summary>
/// <see cref="Adaptive"/>: the product's rule. <see cref="Rrf"/> and <see cref="Weighted"/> (the previous product rule,
/// min-max scores with a keyword weight tuned on the training collections) are the baselines it is measured against.
/// </summary>
public enum FusionMethod { Adaptive, Rrf, Weighted }

/// <summary>Rank fusion maths, kept pure so it can be tested and measured on its own.</summary>
public static class Fusion
{
    /// <summary>Merges two best-first lists into one best-first list (ties by id).</summary>
    /// <param name="similarityOf">The exact semantic score of any paper, so keyword-only candidates are not treated as dissimilar (<see cref="FusionMethod.Weighted"/>).</param>
    public static List<(long Id, double Score)> Fuse(IReadOnlyList<(long Id, float Score)> keyword, IReadOnlyList<(long Id, float Score)> semantic, FusionSettings s,
        Func<long, float?>? similarityOf = null)
    {
        var scores = new Dictionary<long, double>(keyword.Count + semantic.Count);
        switch (s.Method)
        {
            case FusionMethod.Rrf:
                for (int i = 0; i < keyword.Count; i++) Add(scores, keyword[i].Id, 1.0 / (s.RrfK + i + 1));
                for (int i = 0; i < semantic.Count; i++) Add(scores, semantic[i].Id, 1.0 / (s.RrfK + i + 1));
                break;
            case FusionMethod.Adaptive:
                Adaptive(keyword, semantic, scores);
                break;
            default:
                // Min-max normalisation within each list puts BM25 (unbounded) and cosine (narrow band) on one 0..1 scale;
                // a paper absent from a list gets that list's floor, 0.
                Normalised(keyword, s.KeywordWeight, scores);
                if (similarityOf is not null)
                {
                    var seen = semantic.Select(x => x.Id).ToHashSet();
                    var extended = semantic.ToList();
                    foreach (var (id, _) in keyword)
                        if (!seen.Contains(id) && similarityOf(id) is { } sim) extended.Add((id, sim));
                    semantic = extended;
                }
                Normalised(semantic, 1 - s.KeywordWeight, scores);
                break;
        }
        var list = scores.Select(kv => (kv.Key, kv.Value)).ToList();
        list.Sort((a, b) => b.Value.CompareTo(a.Value) is var c && c != 0 ? c : a.Key.CompareTo(b.Key));
        return list;
    }

    /// <summary>
    /// Each list's scores as z-scores over its own candidates (BM25 and cosine on one scale, with no constant tuned
    /// per collection), summed with per-query weights: each list weighs by how far its best score stands above the
    /// rest of its list (the best's z-score), so a query whose keyword list has a clear winner leans on keywords and
    /// one whose keyword list is flat leans on meaning. A paper absent from a list gets that list's lowest z-score.
    /// </summary>
    private static void Adaptive(IReadOnlyList<(long Id, float Score)> keyword, IReadOnlyList<(long Id, float Score)> semantic, Dictionary<long, double> into)
    {
        var (kw, kwPeak, kwFloor) = ZScores(keyword);
        var (sem, semPeak, semFloor) = ZScores(semantic);
        double kwWeight = kwPeak + semPeak > 0 ? kwPeak / (kwPeak + semPeak) : 0.5;
        if (keyword.Count == 0) kwWeight = 0;
        else if (semantic.Count == 0) kwWeight = 1;
        foreach (var (id, z) in kw) into[id] = kwWeight * z + (1 - kwWeight) * (sem.TryGetValue(id, out var zs) ? zs : semFloor);
        foreach (var (id, z) in sem)
            if (!kw.ContainsKey(id)) into[id] = kwWeight * kwFloor + (1 - kwWeight) * z;
    }

    /// <summary>
    /// Every candidate's z-score within its list, the best one's (how far it stands out: 0 for a flat list) and the
    /// lowest. A list of equal scores has no spread: all z-scores 0.
    /// </summary>
    internal static (Dictionary<long, double> Z, double Peak, double Floor) ZScores(IReadOnlyList<(long Id, float Score)> list)
    {
        var z = new Dictionary<long, double>(list.Count);
        if (list.Count == 0) return (z, 0, 0);
        double mean = 0;
        foreach (var (_, score) in list) mean += score;
        mean /= list.Count;
        double variance = 0;
        foreach (var (_, score) in list) variance += (score - mean) * (score - mean);
        double sd = Math.Sqrt(variance / list.Count);
        double peak = double.NegativeInfinity, floor = double.PositiveInfinity;
        foreach (var (id, score) in list)
        {
            double v = sd > 0 ? (score - mean) / sd : 0;
            z[id] = v;
            peak = Math.Max(peak, v);
            floor = Math.Min(floor, v);
        }
        return (z, peak, floor);
    }

    private static void Normalised(IReadOnlyList<(long Id, float Score)> list, double weight, Dictionary<long, double> into)
    {
        if (list.Count == 0) return;
        double max = list.Max(x => x.Score), min = list.Min(x => x.Score), span = max - min;
        foreach (var (id, score) in list)
            Add(into, id, weight * (span > 0 ? (score - min) / span : 1.0));
    }

    private static void Add(Dictionary<long, double> d, long id, double v) => d[id] = d.GetValueOrDefault(id) + v;
}
