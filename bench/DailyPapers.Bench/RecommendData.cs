using System.Globalization;
using System.IO.Compression;
using System.Text;
using DailyPapers.Ingest;
using DailyPapers.Search;

namespace DailyPapers.Bench;

/// <summary>One snapshot paper as the recommendation benchmark sees it (authors only to build the proxy readers).</summary>
internal sealed record SnapPaper(int Index, string ArxivId, string Title, string Abstract, string Categories,
    string[] AuthorKeys, DateTime Submitted, DateOnly Listing);

/// <summary>One proxy reader: an author's papers before the cutoff (newest first) and their papers among the candidates.</summary>
internal sealed record ProxyReader(string Author, IReadOnlyList<SnapPaper> History, IReadOnlySet<int> Targets);

/// <summary>
/// The authorship proxy of issue 16 on the arXiv snapshot: authors with at least <see cref="MinPapers"/> papers before
/// the cutoff and at least one paper listed in the 7 days from it; history = their papers before the cutoff,
/// candidates = every paper listed in those 7 days, targets = the author's own papers among the candidates.
/// </summary>
internal static class RecommendData
{
    /// <summary>The threshold: "authors with ≥ 8 papers".</summary>
    public const int MinPapers = 8;
    /// <summary>The candidate window: "all papers listed in the following 7 days".</summary>
    public const int WindowDays = 7;

    public static List<SnapPaper> LoadSnapshot(string path)
    {
        var papers = new List<SnapPaper>(240_000);
        using var file = File.OpenRead(path);
        using Stream s = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(s, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (KaggleSnapshot.Parse(Encoding.UTF8.GetBytes(line), out _) is not { } r) continue;
            var keys = r.Authors.Select(a => AuthorKey(a.Name)).Where(k => k.Length > 0).Distinct().ToArray();
            papers.Add(new SnapPaper(papers.Count, r.ArxivId, r.Title, r.Abstract, string.Join(' ', r.Categories), keys,
                r.FirstSubmittedAt, r.AnnouncedOn ?? ListingDates.ForSubmission(r.FirstSubmittedAt)));
        }
        return papers;
    }

    /// <summary>An author's name folded for matching: lower case, dots and extra spaces gone ("J. Smith" = "j smith").</summary>
    public static string AuthorKey(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormKD))
        {
            if (char.IsLetter(c)) sb.Append(char.ToLowerInvariant(c));
            else if ((c == ' ' || c == '.' || c == '-') && sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
        }
        return sb.ToString().Trim();
    }

    public static List<SnapPaper> Candidates(List<SnapPaper> papers, DateOnly cutoff) =>
        papers.Where(p => p.Listing >= cutoff && p.Listing < cutoff.AddDays(WindowDays)).ToList();

    /// <summary>Up to <paramref name="count"/> eligible authors drawn with the seed; history capped at the newest <paramref name="maxHistory"/> papers (0: all).</summary>
    public static List<ProxyReader> Readers(List<SnapPaper> papers, List<SnapPaper> candidates, DateOnly cutoff, int count, int seed, int maxHistory)
    {
        var inWindow = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var c in candidates)
            foreach (var a in c.AuthorKeys)
                (inWindow.TryGetValue(a, out var set) ? set : inWindow[a] = []).Add(c.Index);
        var before = new Dictionary<string, List<SnapPaper>>(StringComparer.Ordinal);
        foreach (var p in papers)
        {
            if (p.Listing >= cutoff) continue;
            foreach (var a in p.AuthorKeys)
                if (inWindow.ContainsKey(a)) (before.TryGetValue(a, out var l) ? l : before[a] = []).Add(p);
        }
        var eligible = before.Where(kv => kv.Value.Count >= MinPapers).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        var rng = new Random(seed);
        var picked = eligible.OrderBy(_ => rng.Next()).Take(count).Order(StringComparer.Ordinal).ToList();
        return picked.Select(a =>
        {
            var history = before[a].OrderByDescending(p => p.Submitted).ThenByDescending(p => p.Index).ToList();
            if (maxHistory > 0 && history.Count > maxHistory) history = history[..maxHistory];
            return new ProxyReader(a, history, inWindow[a]);
        }).ToList();
    }

    /// <summary>Parses yyyy-MM-dd.</summary>
    public static DateOnly Day(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// Embeddings of snapshot papers by the product's <see cref="Embedder"/> (the vectors <c>paper_embeddings</c> would
/// hold), cached in a file keyed by arXiv id so reruns compute only what is new. Appended batch by batch: an
/// interrupted run keeps what it computed.
/// </summary>
internal sealed class EmbeddingCache(string path)
{
    private readonly Dictionary<string, float[]> _vectors = new(StringComparer.Ordinal);

    public int Count => _vectors.Count;

    public EmbeddingCache Load()
    {
        if (!File.Exists(path)) return this;
        using var r = new BinaryReader(File.OpenRead(path));
        while (r.BaseStream.Position < r.BaseStream.Length)
        {
            try
            {
                var id = r.ReadString();
                var v = new float[Embedder.Dimensions];
                for (int i = 0; i < v.Length; i++) v[i] = r.ReadSingle();
                _vectors[id] = v;
            }
            catch (EndOfStreamException) { break; } // a write cut by a kill: the partial record is dropped
        }
        return this;
    }

    public float[]? Get(string arxivId) => _vectors.GetValueOrDefault(arxivId);

    /// <summary>Embeds the papers not cached yet, <paramref name="batch"/> at a time, one text per core.</summary>
    public void Fill(IReadOnlyCollection<SnapPaper> papers, int batch = 64)
    {
        var missing = papers.Where(p => !_vectors.ContainsKey(p.ArxivId)).DistinctBy(p => p.ArxivId).ToList();
        Console.Error.WriteLine($"embeddings: {papers.Count - missing.Count} cached, {missing.Count} to compute");
        if (missing.Count == 0) return;
        using var embedder = new Embedder(1, concurrentCalls: Math.Clamp(Environment.ProcessorCount, 1, 8));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int done = 0;
        foreach (var chunk in missing.Chunk(batch))
        {
            var vectors = embedder.EmbedMany(chunk.Select(p => Embedder.PaperText(p.Title, p.Abstract)).ToList());
            using (var w = new BinaryWriter(new FileStream(path, FileMode.Append, FileAccess.Write)))
                for (int i = 0; i < chunk.Length; i++)
                {
                    w.Write(chunk[i].ArxivId);
                    foreach (var x in vectors[i]) w.Write(x);
                    _vectors[chunk[i].ArxivId] = vectors[i];
                }
            done += chunk.Length;
            Console.Error.WriteLine($"embeddings: {done}/{missing.Count} ({done / sw.Elapsed.TotalSeconds:F1}/s)");
        }
    }
}
