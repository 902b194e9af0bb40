using System.Globalization;
using System.Text;

namespace DailyPapers.Search;

/// <summary>
/// BERT uncased WordPiece as the MiniLM model was trained with: control characters dropped, text split at
/// white space, lower-cased, accents stripped (canonical decomposition, non-spacing marks removed), every
/// punctuation character and every CJK ideograph a word of its own; each word then split greedily into the
/// longest vocabulary pieces ("##" marks a piece inside a word), a word that cannot be split, or is longer than
/// 100 characters, becomes [UNK].
/// </summary>
public sealed class WordPieceTokenizer
{
    private const int MaxCharsPerWord = 100;

    private readonly string[] _pieces;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _starts;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;

    public int Unknown { get; }
    public int Cls { get; }
    public int Sep { get; }

    /// <summary>The vocabulary: one piece per line, the line number is its id.</summary>
    public WordPieceTokenizer(IReadOnlyList<string> vocabulary)
    {
        _pieces = [.. vocabulary];
        var starts = new Dictionary<string, int>(StringComparer.Ordinal);
        var continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < _pieces.Length; id++)
        {
            var p = _pieces[id];
            if (p.Length == 0) continue;
            if (p.StartsWith("##", StringComparison.Ordinal)) continuations.TryAdd(p[2..], id);
            else starts.TryAdd(p, id);
        }
        _starts = starts.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        Unknown = Id(starts, "[UNK]");
        Cls = Id(starts, "[CLS]");
        Sep = Id(starts, "[SEP]");
    }

    private static int Id(Dictionary<string, int> d, string token) =>
        d.TryGetValue(token, out var id) ? id : throw new InvalidOperationException($"The vocabulary has no {token}.");

    public static WordPieceTokenizer FromText(string vocabularyText) =>
        new(vocabularyText.Split('\n').Select(l => l.TrimEnd('\r')).ToList());

    public string Piece(int id) => (uint)id < (uint)_pieces.Length ? _pieces[id] : "?";

    /// <summary>[CLS], at most <paramref name="maxTokens"/> − 2 pieces of the text, [SEP].</summary>
    public int[] Encode(string text, int maxTokens)
    {
        var ids = new List<int>(Math.Min(maxTokens, text.Length / 4 + 8)) { Cls };
        int limit = maxTokens - 1;
        var word = new StringBuilder(32);
        foreach (var rune in text.EnumerateRunes())
        {
            if (ids.Count >= limit) break;
            int cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD) continue;
            if (IsWhiteSpace(rune)) { Flush(word, ids, limit); continue; }
            if (IsControl(rune)) continue;
            if (IsCjk(cp))
            {
                // An ideograph is a word of its own (compatibility ideographs fold to the unified ones first).
                Flush(word, ids, limit);
                AppendNormalised(rune, word, ids, limit);
                Flush(word, ids, limit);
                continue;
            }
            AppendNormalised(rune, word, ids, limit);
        }
        Flush(word, ids, limit);
        ids.Add(Sep);
        return [.. ids];
    }

    /// <summary>Lower case, decomposed, marks removed; punctuation (after that) ends the word and is a word itself.</summary>
    private void AppendNormalised(Rune rune, StringBuilder word, List<int> ids, int limit)
    {
        if (rune.Value < 0x80)
        {
            char c = (char)rune.Value;
            if (IsPunctuation(rune)) { Flush(word, ids, limit); Single(c.ToString(), ids, limit); }
            else word.Append(char.ToLowerInvariant(c));
            return;
        }
        var folded = new StringBuilder(4); // non-ASCII is rare in this corpus; the allocation does not show
        AccentFolding.Append(Rune.ToLowerInvariant(rune), folded);
        foreach (var r in folded.ToString().EnumerateRunes())
        {
            if (IsPunctuation(r)) { Flush(word, ids, limit); Single(r.ToString(), ids, limit); }
            else word.Append(r.ToString());
        }
    }

    private void Single(string token, List<int> ids, int limit)
    {
        if (ids.Count < limit) ids.Add(_starts.TryGetValue(token.AsSpan(), out var id) ? id : Unknown);
    }

    /// <summary>Greedy longest-match split of the current word into pieces; the whole word is [UNK] if any part fails.</summary>
    private void Flush(StringBuilder word, List<int> ids, int limit)
    {
        if (word.Length == 0) return;
        var w = word.ToString();
        word.Clear();
        if (ids.Count >= limit) return;
        if (w.Length > MaxCharsPerWord) { ids.Add(Unknown); return; }
        int mark = ids.Count;
        for (int start = 0; start < w.Length;)
        {
            int end = w.Length, found = -1;
            var lookup = start == 0 ? _starts : _continuations;
            for (; end > start; end--)
            {
                if (lookup.TryGetValue(w.AsSpan(start, end - start), out found)) break;
            }
            if (end == start)
            {
                ids.RemoveRange(mark, ids.Count - mark);
                ids.Add(Unknown);
                return;
            }
            ids.Add(found);
            start = end;
        }
        if (ids.Count > limit) ids.RemoveRange(limit, ids.Count - limit);
    }

    private static bool IsWhiteSpace(Rune r) =>
        r.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    private static bool IsControl(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    /// <summary>All non-letter, non-digit ASCII symbols count as punctuation (as in BERT), plus Unicode P* categories.</summary>
    private static bool IsPunctuation(Rune r)
    {
        int cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>The CJK Unified Ideograph blocks BERT treats as single characters (not Hangul, Hiragana or Katakana).</summary>
    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
