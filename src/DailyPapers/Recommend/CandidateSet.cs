using System.Numerics.Tensors;
using DailyPapers.Data;
using DailyPapers.Search;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Recommend;

/// <summary>What the recommender reads of one paper: its text, categories and stored embedding (null when none yet).</summary>
public sealed record PaperInput(long PaperId, string Title, string Abstract, string Categories, float[]? Embedding);

/// <summary>One paper's features: unit-length embedding (or the candidates' mean when it has none), and unit-length
/// sparse TF-IDF and category vectors over the candidate set's vocabulary (term ids ascending).</summary>
internal sealed class PaperVector(long id, float[] embedding, bool hasEmbedding, int[] termIds, float[] termValues, int[] catIds, float[] catValues)
{
    public long Id { get; } = id;
    public float[] Embedding { get; } = embedding;
    public bool HasEmbedding { get; } = hasEmbedding;
    public int[] TermIds { get; } = termIds;
    public float[] TermValues { get; } = termValues;
    public int[] CatIds { get; } = catIds;
    public float[] CatValues { get; } = catValues;
}

/// <summary>Features of a set of candidate papers, loaded once and shared by every member ranked against them (a day's list).</summary>
/// <remarks>
/// The vocabulary and the IDF weights are the candidate set's own: a term no candidate has cannot move any
/// candidate's score, and the day's list is the collection whose rare words matter for telling its papers apart.
/// Read-only after construction, so one instance serves any number of threads.
/// </remarks>
public sealed class CandidateSet
{
    private readonly long[] _ids;
    private readonly Dictionary<string, int> _vocabulary;
    private readonly float[] _idf;

    internal PaperVector[] Papers { get; }
    /// <summary>Mean of the candidates' embeddings: the neutral stand-in for a paper that has none (see <see cref="Vectorize"/>).</summary>
    internal float[] MeanEmbedding { get; }
    /// <summary>Term id → the candidates that have it (index into <see cref="Papers"/>) and their value: scores a sparse weight vector against every candidate in one pass over its terms.</summary>
    internal (int[] Docs, float[] Values)[] TermPostings { get; }
    internal int VocabularySize => _idf.Length;

    public IReadOnlyCollection<long> PaperIds => _ids;

    private readonly double _idfPower;
    private readonly int _maxN;

    private CandidateSet(IReadOnlyList<PaperInput> papers, double idfPower, int maxN, DocumentFrequencies? background = null)
    {
        _idfPower = idfPower;
        _maxN = maxN;
        _ids = new long[papers.Count];
        var terms = new Dictionary<string, int>[papers.Count];
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var mean = new float[Embedder.Dimensions];
        int embedded = 0;
        for (int i = 0; i < papers.Count; i++)
        {
            var p = papers[i];
            _ids[i] = p.PaperId;
            terms[i] = TextFeatures.Terms(p.Title, p.Abstract, _maxN);
            foreach (var c in TextFeatures.CategoryTerms(p.Categories)) terms[i][c] = 1;
            foreach (var t in terms[i].Keys)
            {
                ref int n = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(df, t, out _);
                n++;
            }
            if (p.Embedding is { Length: Embedder.Dimensions } e)
            {
                TensorPrimitives.Add(mean, e, mean);
                embedded++;
            }
        }
        if (embedded > 0) TensorPrimitives.Divide(mean, embedded, mean);
        MeanEmbedding = mean;

        _vocabulary = new Dictionary<string, int>(df.Count, StringComparer.Ordinal);
        _idf = new float[df.Count];
        foreach (var (t, n) in df)
        {
            int id = _vocabulary.Count;
            _vocabulary[t] = id;
            // Smoothed IDF as scikit-learn's TfidfVectorizer (smooth_idf=True): ln((1 + N) / (1 + df)) + 1, so a term in
            // every candidate still weighs 1 rather than 0 (it helps a positive's fit) and no division by zero.
            // With a background (the papers listed before the candidates), the counts are over both: a phrase that is
            // rare on arXiv but shared by two of this week's papers keeps its weight instead of halving it.
            var text = t[0] == '\u0001' ? null : background; // category terms ('\u0001…') are counted over the candidates only
            int bdf = text?.Of(t) ?? 0;
            int total = papers.Count + (text?.Documents ?? 0);
            _idf[id] = (float)(Math.Log((1.0 + total) / (1.0 + n + bdf)) + 1.0);
        }

        Papers = new PaperVector[papers.Count];
        for (int i = 0; i < papers.Count; i++) Papers[i] = Vectorize(papers[i], terms[i]);

        var counts = new int[_idf.Length];
        foreach (var p in Papers) { foreach (var t in p.TermIds) counts[t]++; foreach (var t in p.CatIds) counts[t]++; }
        TermPostings = new (int[], float[])[_idf.Length];
        for (int t = 0; t < counts.Length; t++) TermPostings[t] = (new int[counts[t]], new float[counts[t]]);
        Array.Clear(counts);
        for (int d = 0; d < Papers.Length; d++)
        {
            var p = Papers[d];
            for (int k = 0; k < p.TermIds.Length; k++) { int t = p.TermIds[k]; TermPostings[t].Docs[counts[t]] = d; TermPostings[t].Values[counts[t]++] = p.TermValues[k]; }
            for (int k = 0; k < p.CatIds.Length; k++) { int t = p.CatIds[k]; TermPostings[t].Docs[counts[t]] = d; TermPostings[t].Values[counts[t]++] = p.CatValues[k]; }
        }
    }

    /// <summary>Builds the features of papers already in memory (the benchmark's path; <see cref="LoadAsync"/> reads them from the database).</summary>
    public static CandidateSet FromPapers(IEnumerable<PaperInput> papers, RecommenderOptions? options = null, DocumentFrequencies? background = null)
    {
        var list = new List<PaperInput>();
        var seen = new HashSet<long>();
        foreach (var p in papers) if (seen.Add(p.PaperId)) list.Add(p);
        var o = options ?? RecommenderOptions.Default;
        return new CandidateSet(list, o.IdfPower, o.MaxNGram, background);
    }

    /// <summary>Loads the candidates' text, categories and stored embeddings; ids that are not papers are left out. The order of <paramref name="paperIds"/> is kept (it breaks ties).</summary>
    public static async Task<CandidateSet> LoadAsync(AppDbContext db, IReadOnlyCollection<long> paperIds, CancellationToken ct)
    {
        var inputs = await LoadInputsAsync(db, paperIds, ct);
        return FromPapers(paperIds.Where(inputs.ContainsKey).Select(id => inputs[id]));
    }

    /// <summary>The recommender's inputs for papers by id, from the papers table and <c>paper_embeddings</c> (current model only).</summary>
    internal static async Task<Dictionary<long, PaperInput>> LoadInputsAsync(AppDbContext db, IReadOnlyCollection<long> paperIds, CancellationToken ct)
    {
        var result = new Dictionary<long, PaperInput>(paperIds.Count);
        // Chunks keep each statement's parameter list small on both providers.
        foreach (var chunk in paperIds.Distinct().Chunk(500))
        {
            var rows = await db.Papers.AsNoTracking().Where(p => chunk.Contains(p.Id))
                .Select(p => new { p.Id, p.Title, p.Abstract, p.Categories }).ToListAsync(ct);
            var vectors = await db.Set<PaperEmbedding>().AsNoTracking()
                .Where(e => e.Model == Embedder.ModelName && chunk.Contains(e.PaperId))
                .Select(e => new { e.PaperId, e.Vector }).ToDictionaryAsync(e => e.PaperId, e => e.Vector, ct);
            foreach (var r in rows)
                result[r.Id] = new PaperInput(r.Id, r.Title, r.Abstract, r.Categories,
                    vectors.TryGetValue(r.Id, out var v) ? Embedder.FromBytes(v) : null);
        }
        return result;
    }

    /// <summary>Index of a candidate in <see cref="Papers"/>, or -1.</summary>
    internal int IndexOf(long paperId)
    {
        _index ??= BuildIndex();
        return _index.TryGetValue(paperId, out var i) ? i : -1;
    }

    private Dictionary<long, int>? _index;
    private Dictionary<long, int> BuildIndex()
    {
        var d = new Dictionary<long, int>(_ids.Length);
        for (int i = 0; i < _ids.Length; i++) d[_ids[i]] = i;
        return d;
    }

    /// <summary>Features of any paper (a reader's positive, say) over this set's vocabulary; terms no candidate has are dropped.</summary>
    internal PaperVector Vectorize(PaperInput p)
    {
        int i = IndexOf(p.PaperId);
        if (i >= 0) return Papers[i];
        var terms = TextFeatures.Terms(p.Title, p.Abstract, _maxN);
        foreach (var c in TextFeatures.CategoryTerms(p.Categories)) terms[c] = 1;
        return Vectorize(p, terms);
    }

    private PaperVector Vectorize(PaperInput p, Dictionary<string, int> terms)
    {
        var text = new List<(int Id, float Value)>();
        var cats = new List<(int Id, float Value)>();
        foreach (var (t, n) in terms)
        {
            if (!_vocabulary.TryGetValue(t, out var id)) continue;
            float idf = _idfPower == 1 ? _idf[id] : (float)Math.Pow(_idf[id], _idfPower);
            if (t[0] == '\u0001') cats.Add((id, idf));
            // Sublinear tf (1 + ln tf), as arxiv-sanity: a word said five times is not five times the evidence.
            else text.Add((id, (float)(1 + Math.Log(n)) * idf));
        }
        var (ti, tv) = Unit(text);
        var (ci, cv) = Unit(cats);
        bool has = p.Embedding is { Length: Embedder.Dimensions };
        return new PaperVector(p.PaperId, has ? p.Embedding! : MeanEmbedding, has, ti, tv, ci, cv);
    }

    private static (int[], float[]) Unit(List<(int Id, float Value)> entries)
    {
        entries.Sort((a, b) => a.Id.CompareTo(b.Id));
        var ids = entries.Select(e => e.Id).ToArray();
        var values = entries.Select(e => e.Value).ToArray();
        var norm = TensorPrimitives.Norm(values);
        if (norm > 0) TensorPrimitives.Divide(values, norm, values);
        return (ids, values);
    }
}

/// <summary>
/// Document frequencies of the text terms over a background collection (the papers listed before a candidate list),
/// for the candidate set's IDF: a week's few hundred papers are too few to tell a rare phrase from a common one.
/// </summary>
public sealed class DocumentFrequencies
{
    private readonly Dictionary<string, int> _df = new(StringComparer.Ordinal);

    public int Documents { get; private set; }

    public int Of(string term) => _df.GetValueOrDefault(term);

    public static DocumentFrequencies From(IEnumerable<(string Title, string Abstract)> papers, int maxN = 2)
    {
        var d = new DocumentFrequencies();
        foreach (var (title, @abstract) in papers)
        {
            d.Documents++;
            foreach (var t in TextFeatures.Terms(title, @abstract, maxN).Keys)
            {
                ref int n = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(d._df, t, out _);
                n++;
            }
        }
        return d;
    }
}
