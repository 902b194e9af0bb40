using System.Text;

namespace DailyPapers.Recommend;

/// <summary>
/// The words of a paper for the TF-IDF features: title and abstract lower-cased, split into runs of letters and
/// digits (TeX commands such as <c>\alpha</c> become the word "alpha", which is what a reader would search for), common
/// English function words dropped, and every pair of neighbouring kept words as a bigram — the analyzer of
/// arxiv-sanity-lite (scikit-learn's TfidfVectorizer, <c>ngram_range=(1, 2)</c>, <c>sublinear_tf=True</c>).
/// </summary>
internal static class TextFeatures
{
    /// <summary>
    /// Words shorter than this are dropped: single letters are mostly TeX variables (<c>$x$</c>, <c>$n$</c>) and carry no
    /// topic; scikit-learn's default token pattern drops them too (it needs two word characters).
    /// </summary>
    private const int MinWordLength = 2;

    /// <summary>Tokens longer than this are not words (base64, long hashes in abstracts): dropped.</summary>
    private const int MaxWordLength = 40;

    /// <summary>
    /// Function words: frequent in every abstract, so their IDF is near the floor anyway; dropping them keeps bigrams
    /// like "graph neural" instead of "of graph". A short list (articles, prepositions, pronouns, auxiliaries) rather
    /// than a long stop list, so that words like "learning" or "model" stay.
    /// </summary>
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "if", "then", "of", "in", "on", "at", "to", "for", "from", "by", "with",
        "as", "into", "onto", "over", "under", "between", "through", "via", "about", "than", "such", "which", "that",
        "this", "these", "those", "it", "its", "we", "our", "us", "they", "their", "them", "he", "she", "his", "her",
        "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "can", "could",
        "may", "might", "will", "would", "should", "shall", "must", "not", "no", "also", "both", "each", "all", "any",
        "some", "there", "here", "where", "when", "while", "what", "who", "whom", "how", "so", "very", "more", "most",
        "other", "only", "well", "using", "use", "used", "paper", "show", "shows", "propose", "proposed", "present",
    };

    /// <summary>
    /// Unigrams and bigrams of a paper's title and abstract, with their counts; with <paramref name="maxN"/> = 3 also
    /// trigrams (the recommender's <see cref="RecommenderOptions.MaxNGram"/>; the arxiv-sanity baseline keeps 2).
    /// </summary>
    public static Dictionary<string, int> Terms(string title, string @abstract, int maxN = 2)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        string? previous = null, previous2 = null;
        foreach (var text in (ReadOnlySpan<string>)[title, @abstract])
        {
            // No bigram across the title/abstract boundary.
            previous = null; previous2 = null;
            var sb = new StringBuilder();
            for (int i = 0; i <= text.Length; i++)
            {
                char c = i < text.Length ? text[i] : ' ';
                if (char.IsLetterOrDigit(c))
                {
                    sb.Append(char.ToLowerInvariant(c));
                    continue;
                }
                if (sb.Length == 0) continue;
                var word = sb.ToString();
                sb.Clear();
                if (word.Length < MinWordLength || word.Length > MaxWordLength || StopWords.Contains(word))
                {
                    // A dropped word breaks the bigram chain only when it is a real word, not a TeX fragment.
                    if (word.Length >= MinWordLength) { previous = null; previous2 = null; }
                    continue;
                }
                Add(counts, word);
                if (previous is not null) Add(counts, previous + " " + word);
                if (maxN >= 3 && previous2 is not null) Add(counts, previous2 + " " + previous + " " + word);
                previous2 = previous;
                previous = word;
            }
        }
        return counts;
    }

    /// <summary>A paper's category codes as features of their own (the primary one is not told apart).</summary>
    public static IEnumerable<string> CategoryTerms(string categories) =>
        categories.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Select(c => "\u0001" + c);

    private static void Add(Dictionary<string, int> counts, string term)
    {
        ref int n = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, term, out _);
        n++;
    }
}
