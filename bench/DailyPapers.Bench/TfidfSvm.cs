namespace DailyPapers.Bench;

/// <summary>
/// The arxiv-sanity-lite baseline: TF-IDF over the bench's corpus (the week's candidates and the sampled authors'
/// histories) with its settings (compute.py: uni+bigrams, sublinear tf, smoothed idf, L2 norm, min_df 5, max_df 0.5,
/// the 10,000 most frequent terms; the authors it appends to each text are left out, as the issue asks), and per reader
/// a linear SVM (serve.py: LinearSVC, C = 0.01, class_weight = "balanced", intercept) on history = +1 against every
/// candidate = −1, ranking the candidates by decision value. Solved by dual coordinate descent (Hsieh et al., ICML
/// 2008, liblinear's solver): hinge loss as the issue asks, or LinearSVC's default squared hinge.
/// </summary>
internal sealed class TfidfSvm
{
    private const double C = 0.01;
    private const int MinDf = 5;
    private const double MaxDf = 0.5;
    private const int MaxFeatures = 10_000;
    /// <summary>liblinear stops when the projected gradient's spread is below eps (its default 0.1 for the dual solvers; LinearSVC's tol 1e-6 is tighter but the ranking stops moving long before); at most this many epochs.</summary>
    private const double Eps = 1e-3;
    private const int MaxEpochs = 1000;

    private readonly List<SnapPaper> _candidates;
    private readonly Dictionary<int, (int[] Ids, double[] Values)> _vectors = [];
    private readonly int _dims;

    public TfidfSvm(List<SnapPaper> candidates, List<ProxyReader> readers)
    {
        _candidates = candidates;
        var corpus = candidates.Concat(readers.SelectMany(r => r.History)).DistinctBy(p => p.Index).ToList();
        var terms = corpus.Select(p => Recommend.TextFeatures.Terms(p.Title, p.Abstract)).ToList();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var tf = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in terms)
            foreach (var (k, n) in t) { df[k] = df.GetValueOrDefault(k) + 1; tf[k] = tf.GetValueOrDefault(k) + n; }
        var kept = df.Where(kv => kv.Value >= MinDf && kv.Value <= MaxDf * corpus.Count).Select(kv => kv.Key)
            .OrderByDescending(k => tf[k]).ThenBy(k => k, StringComparer.Ordinal).Take(MaxFeatures).ToList();
        var vocab = kept.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);
        var idf = kept.Select(k => Math.Log((1.0 + corpus.Count) / (1.0 + df[k])) + 1).ToArray();
        _dims = kept.Count + 1; // + the intercept feature (LinearSVC's intercept_scaling = 1)
        for (int i = 0; i < corpus.Count; i++)
        {
            var entries = terms[i].Where(kv => vocab.ContainsKey(kv.Key))
                .Select(kv => (Id: vocab[kv.Key], Value: (1 + Math.Log(kv.Value)) * idf[vocab[kv.Key]])).OrderBy(e => e.Id).ToList();
            double norm = Math.Sqrt(entries.Sum(e => e.Value * e.Value));
            var ids = entries.Select(e => e.Id).Append(kept.Count).ToArray();
            var values = entries.Select(e => norm > 0 ? e.Value / norm : 0).Append(1.0).ToArray();
            _vectors[corpus[i].Index] = (ids, values);
        }
    }

    public int[] Rank(ProxyReader reader, bool hinge)
    {
        var rows = reader.History.Select(p => (_vectors[p.Index], 1.0)).Concat(_candidates.Select(p => (_vectors[p.Index], -1.0))).ToList();
        int nPos = reader.History.Count, nNeg = _candidates.Count, n = rows.Count;
        // class_weight="balanced": n / (2 · class count).
        double cPos = C * n / (2.0 * nPos), cNeg = C * n / (2.0 * nNeg);
        var w = new double[_dims];
        var alpha = new double[n];
        var qii = new double[n];
        var upper = new double[n];
        var diag = new double[n];
        for (int i = 0; i < n; i++)
        {
            double ci = rows[i].Item2 > 0 ? cPos : cNeg;
            upper[i] = hinge ? ci : double.PositiveInfinity;
            diag[i] = hinge ? 0 : 1 / (2 * ci);
            qii[i] = rows[i].Item1.Values.Sum(v => v * v) + diag[i];
        }
        var order = Enumerable.Range(0, n).ToArray();
        var rng = new Random(1);
        for (int epoch = 0; epoch < MaxEpochs; epoch++)
        {
            rng.Shuffle(order);
            double maxPg = double.NegativeInfinity, minPg = double.PositiveInfinity;
            foreach (int i in order)
            {
                var (ids, values) = rows[i].Item1;
                double y = rows[i].Item2;
                double g = 0;
                for (int k = 0; k < ids.Length; k++) g += w[ids[k]] * values[k];
                g = y * g - 1 + diag[i] * alpha[i];
                double pg = alpha[i] == 0 ? Math.Min(g, 0) : alpha[i] >= upper[i] ? Math.Max(g, 0) : g;
                maxPg = Math.Max(maxPg, pg); minPg = Math.Min(minPg, pg);
                if (Math.Abs(pg) < 1e-12) continue;
                double old = alpha[i];
                alpha[i] = Math.Min(Math.Max(old - g / qii[i], 0), upper[i]);
                double delta = (alpha[i] - old) * y;
                for (int k = 0; k < ids.Length; k++) w[ids[k]] += delta * values[k];
            }
            if (maxPg - minPg < Eps) break;
        }
        return _candidates.Select(p =>
        {
            var (ids, values) = _vectors[p.Index];
            double s = 0;
            for (int k = 0; k < ids.Length; k++) s += w[ids[k]] * values[k];
            return (p.Index, s);
        }).OrderByDescending(x => x.s).Select(x => x.Index).ToArray();
    }
}
