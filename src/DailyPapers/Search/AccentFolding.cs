using System.Globalization;
using System.Text;

namespace DailyPapers.Search;

/// <summary>
/// Canonical decomposition with non-spacing marks removed (BERT's "strip accents": é → e, ﬁ stays, 가 → ᄀ ᅡ).
/// The app runs with invariant globalization, where <see cref="string.Normalize()"/> cannot decompose, so the
/// decompositions come from a generated table (AccentFolding.Data.cs) and Hangul syllables from their formula.
/// </summary>
internal static partial class AccentFolding
{
    private static readonly Dictionary<int, string> Table = Parse();

    private static Dictionary<int, string> Parse()
    {
        var table = new Dictionary<int, string>(2100);
        foreach (var entry in Data.Split('\u0001', StringSplitOptions.RemoveEmptyEntries))
        {
            var key = Rune.GetRuneAt(entry, 0);
            table[key.Value] = entry[key.Utf16SequenceLength..];
        }
        return table;
    }

    /// <summary>Appends the rune decomposed and without non-spacing marks.</summary>
    public static void Append(Rune r, StringBuilder to)
    {
        int cp = r.Value;
        if (cp is >= 0xAC00 and <= 0xD7A3)
        {
            int s = cp - 0xAC00;
            to.Append((char)(0x1100 + s / 588)).Append((char)(0x1161 + s % 588 / 28));
            if (s % 28 != 0) to.Append((char)(0x11A7 + s % 28));
            return;
        }
        if (Table.TryGetValue(cp, out var folded)) { to.Append(folded); return; }
        if (Rune.GetUnicodeCategory(r) == UnicodeCategory.NonSpacingMark) return;
        to.Append(r.ToString());
    }
}
