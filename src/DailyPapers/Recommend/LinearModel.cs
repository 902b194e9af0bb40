using System.Numerics.Tensors;

namespace DailyPapers.Recommend;

/// <summary>
/// One reader's L2-regularised logistic regression over the paper features φ(x) = [√a·embedding, √b·TF-IDF, √c·categories]
/// (a, b, c the similarity weights of <see cref="RecommenderOptions"/>, so φ(x)·φ(y) is the papers' similarity), fitted by
/// Nesterov-accelerated gradient descent on the primal. The sparse part lives in a local index space of the terms the
/// training papers have, so a fit touches a few thousand weights, not the day's whole vocabulary.
/// </summary>
internal sealed class LinearModel
{
    private readonly float[] _embedding;
    private readonly int[] _termIds;
    private readonly float[] _termWeights;
    private readonly double _bias;

    private LinearModel(float[] embedding, int[] termIds, float[] termWeights, double bias)
    {
        _embedding = embedding;
        _termIds = termIds;
        _termWeights = termWeights;
        _bias = bias;
    }

    /// <summary>One training example: a paper, its label (true = liked) and its weight in the loss.</summary>
    public readonly record struct Example(PaperVector Paper, bool Liked, double Weight);

    /// <summary>
    /// Minimises (1/W) Σ wᵢ log(1 + exp(−yᵢ(θ·φᵢ + β))) + (λ/2)‖θ‖², W = Σ wᵢ; the intercept β is not regularised. Dividing
    /// by W makes λ independent of how many papers a reader has: λ is the weight of the prior "no preference" against
    /// the average example (scikit-learn's C = 1 / (λ·W) for the same fit).
    /// </summary>
    public static LinearModel Fit(IReadOnlyList<Example> examples, RecommenderOptions o)
    {
        float se = (float)Math.Sqrt(o.EmbeddingWeight), st = (float)Math.Sqrt(o.TextWeight), sc = (float)Math.Sqrt(o.CategoryWeight);
        const int De = Search.Embedder.Dimensions;
        // Local term index: text and category ids share the candidate set's id space, so one map serves both.
        var local = new Dictionary<int, int>();
        int n = examples.Count;
        var rowIds = new int[n][];
        var rowValues = new float[n][];
        for (int i = 0; i < n; i++)
        {
            var p = examples[i].Paper;
            var ids = new int[p.TermIds.Length + p.CatIds.Length];
            var values = new float[ids.Length];
            for (int k = 0; k < p.TermIds.Length; k++) { ids[k] = LocalId(local, p.TermIds[k]); values[k] = st * p.TermValues[k]; }
            for (int k = 0; k < p.CatIds.Length; k++) { ids[p.TermIds.Length + k] = LocalId(local, p.CatIds[k]); values[p.TermIds.Length + k] = sc * p.CatValues[k]; }
            rowIds[i] = ids;
            rowValues[i] = values;
        }
        int ds = local.Count;
        double totalWeight = examples.Sum(e => e.Weight);
        var c = examples.Select(e => (float)(e.Weight / totalWeight)).ToArray();
        var y = examples.Select(e => e.Liked ? 1f : -1f).ToArray();
        float lambda = (float)o.Lambda;

        // Step size 1/L, L = the gradient's Lipschitz constant: ¼·λmax(Σ cᵢ φᵢφᵢᵀ) (the logistic loss curves at most ¼)
        // + λ, plus the intercept's own curvature. λmax is estimated by a few power iterations (they converge fast on this
        // strongly clustered data; 1.5× covers the estimate's shortfall).
        var ve = new float[De]; var vs = new float[ds]; double vb = 1;
        Array.Fill(ve, 1f); Array.Fill(vs, 1f);
        var m = new float[n];
        double top = 1;
        for (int it = 0; it < PowerIterations; it++)
        {
            Margins(examples, rowIds, rowValues, se, ve, vs, vb, m);
            var ge = new float[De]; var gs = new float[ds]; double gb = 0;
            for (int i = 0; i < n; i++) AddRow(examples[i].Paper, rowIds[i], rowValues[i], se, c[i] * m[i], ge, gs, ref gb);
            top = Math.Sqrt(TensorPrimitives.SumOfSquares(ge) + TensorPrimitives.SumOfSquares(gs) + gb * gb);
            double norm = Math.Sqrt(TensorPrimitives.SumOfSquares(ve) + TensorPrimitives.SumOfSquares(vs) + vb * vb);
            top /= norm;
            double g = Math.Sqrt(TensorPrimitives.SumOfSquares(ge) + TensorPrimitives.SumOfSquares(gs) + gb * gb);
            TensorPrimitives.Divide(ge, (float)g, ve); TensorPrimitives.Divide(gs, (float)g, vs); vb = gb / g;
        }
        float step = (float)(1.0 / (0.25 * 1.5 * top + lambda));

        // Nesterov's accelerated gradient (FISTA momentum without the prox step).
        var we = new float[De]; var ws = new float[ds]; double wb = 0;
        var ze = new float[De]; var zs = new float[ds]; double zb = 0;      // look-ahead point
        var pe = new float[De]; var ps = new float[ds]; double pb = 0;      // previous iterate
        var gE = new float[De]; var gS = new float[ds];
        double t = 1;
        for (int it = 0; it < o.Iterations; it++)
        {
            Margins(examples, rowIds, rowValues, se, ze, zs, zb, m);
            Array.Clear(gE); Array.Clear(gS); double gB = 0;
            for (int i = 0; i < n; i++)
            {
                // d/dm log(1 + e^{−y m}) = −y σ(−y m)
                double r = -y[i] / (1 + Math.Exp(y[i] * m[i]));
                AddRow(examples[i].Paper, rowIds[i], rowValues[i], se, (float)(c[i] * r), gE, gS, ref gB);
            }
            TensorPrimitives.MultiplyAdd(ze, lambda, gE, gE);
            TensorPrimitives.MultiplyAdd(zs, lambda, gS, gS);
            Array.Copy(we, pe, De); Array.Copy(ws, ps, ds); pb = wb;
            // w = z − step·g
            TensorPrimitives.MultiplyAdd(gE, -step, ze, we);
            TensorPrimitives.MultiplyAdd(gS, -step, zs, ws);
            wb = zb - step * gB;
            double tNext = (1 + Math.Sqrt(1 + 4 * t * t)) / 2;
            float mom = (float)((t - 1) / tNext);
            t = tNext;
            // z = w + mom·(w − previous)
            for (int k = 0; k < De; k++) ze[k] = we[k] + mom * (we[k] - pe[k]);
            for (int k = 0; k < ds; k++) zs[k] = ws[k] + mom * (ws[k] - ps[k]);
            zb = wb + mom * (wb - pb);
        }

        TensorPrimitives.Multiply(we, se, we);
        var termIds = new int[ds];
        foreach (var (global, l) in local) termIds[l] = global;
        return new LinearModel(we, termIds, ws, wb);
    }

    /// <summary>Power iterations for the step size: each costs two passes over the examples, like a gradient step.</summary>
    private const int PowerIterations = 4;

    /// <summary>The model's decision value θ·φ(x) + β for every candidate; text and category weights go through the term postings.</summary>
    public double[] Score(CandidateSet cs)
    {
        int n = cs.Papers.Length;
        var s = new float[n];
        for (int d = 0; d < n; d++) s[d] = TensorPrimitives.Dot(_embedding, cs.Papers[d].Embedding);
        Recommender.Accumulate(cs, _termIds, _termWeights, 1f, s);
        var r = new double[n];
        for (int d = 0; d < n; d++) r[d] = s[d] + _bias;
        return r;
    }

    private static int LocalId(Dictionary<int, int> local, int global)
    {
        ref int id = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(local, global, out bool exists);
        if (!exists) id = local.Count - 1;
        return id;
    }

    private static void Margins(IReadOnlyList<Example> examples, int[][] ids, float[][] values, float se, float[] we, float[] ws, double wb, float[] m)
    {
        for (int i = 0; i < examples.Count; i++)
        {
            double s = se * TensorPrimitives.Dot(we, examples[i].Paper.Embedding) + wb;
            var idx = ids[i]; var val = values[i];
            for (int k = 0; k < idx.Length; k++) s += ws[idx[k]] * val[k];
            m[i] = (float)s;
        }
    }

    /// <summary>g += a·φ(row).</summary>
    private static void AddRow(PaperVector p, int[] ids, float[] values, float se, float a, float[] ge, float[] gs, ref double gb)
    {
        TensorPrimitives.MultiplyAdd(p.Embedding, a * se, ge, ge);
        for (int k = 0; k < ids.Length; k++) gs[ids[k]] += a * values[k];
        gb += a;
    }
}
