using System.Globalization;
using System.Text;

namespace DailyPapers.Community;

/// <summary>
/// The one check for the names members show to others: 1–64 characters, trimmed, and none of the
/// characters that break the lines they appear on (mail headers, logs, feeds) or disguise them: control characters
/// (CR, LF, tab, NUL…), line and paragraph separators, bidirectional overrides and unpaired surrogates.
/// </summary>
public static class DisplayNames
{
    public const int MaxLength = 64;

    /// <summary>Null when <paramref name="input"/> is acceptable (the name to store is in <paramref name="name"/>), otherwise what is wrong.</summary>
    public static string? Check(string? input, out string name)
    {
        name = (input ?? "").Trim();
        for (int i = 0; i < name.Length; i++)
        {
            if (Rune.DecodeFromUtf16(name.AsSpan(i), out var rune, out var used) != System.Buffers.OperationStatus.Done)
                return "A display name must be valid text.";
            if (IsForbidden(rune)) return "A display name can't contain line breaks, tabs or other control characters.";
            i += used - 1;
        }
        if (name.Length == 0) return "Enter a display name.";
        if (name.Length > MaxLength) return $"A display name can be at most {MaxLength} characters.";
        return null;
    }

    private static bool IsForbidden(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        // Directional marks, embeddings, overrides and isolates reorder the text around them.
        || r.Value is 0x200E or 0x200F or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);
}
