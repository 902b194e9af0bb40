namespace DailyPapers.Search;

/// <summary>How keyword and semantic rankings are merged; defaults tuned on the training collections (docs/benchmarks.md).</summary>
public sealed record FusionSettings(FusionMethod Method = FusionMethod.Weighted, double KeywordWeight = 0.4, int Depth = 100, int RrfK = 60, bool RescoreKeywordHits = true)
{
    public static readonly FusionSettings Default = new();
}

public enum FusionMethod { Rrf, Weighted }

/// <summary>Rank fusion maths, kept pure so it can be tested and tuned on its own.</summary>
public static class Fusion
{
    /// <summary>Merges two best-first lists into one best-first list.</summary>
    /// <param name="similarityOf">The exact semantic score of any paper, so keyword-only candidates are not treated as dissimilar.</param>
    public static List<(long Id, double Score)> Fuse(IReadOnlyList<(long Id, float Score)> keyword, IReadOnlyList<(long Id, float Score)> semantic, FusionSettings s,
        Func<long, float?>? similarityOf = null)
    {
        var scores = new Dictionary<long, double>(keyword.Count + semantic.Count);
        if (s.Method == FusionMethod.Rrf)
        {
            for (int i = 0; i < keyword.Count; i++) Add(scores, keyword[i].Id, 1.0 / (s.RrfK + i + 1));
            for (int i = 0; i < semantic.Count; i++) Add(scores, semantic[i].Id, 1.0 / (s.RrfK + i + 1));
        }
        else
        {
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
        }
        var list = scores.Select(kv => (kv.Key, kv.Value)).ToList();
        list.Sort((a, b) => b.Value.CompareTo(a.Value) is var c && c != 0 ? c : a.Key.CompareTo(b.Key));
        return list;
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
