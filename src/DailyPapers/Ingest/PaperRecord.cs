
namespace DailyPapers.Ingest;

/// <summary>Paper metadata as any source delivers it, normalised; the one input of <see cref="PaperUpsert"/>.</summary>
public sealed record PaperRecord
{
    public required string ArxivId { get; init; }
    public required string Title { get; init; }
    public required string Abstract { get; init; }
    public required IReadOnlyList<AuthorName> Authors { get; init; }
    /// <summary>Primary first.</summary>
    public required IReadOnlyList<string> Categories { get; init; }
    public required IReadOnlyList<VersionInfo> Versions { get; init; }
    public string? Comments { get; init; }
    public string? JournalRef { get; init; }
    public string? Doi { get; init; }
    public string? ReportNo { get; init; }
    public string? License { get; init; }
    public string? Submitter { get; init; }
    public DateTime? UpdatedAt { get; init; }
    /// <summary>The announced listing day when the source knows it (RSS, HF); otherwise <see cref="ListingDates.ForSubmission"/> decides.</summary>
    public DateOnly? AnnouncedOn { get; init; }
    public bool Withdrawn { get; init; }

    public int LatestVersion => Versions.Count == 0 ? 1 : Versions.Max(v => v.Version);
    public DateTime FirstSubmittedAt => Versions.Count == 0 ? DateTime.UnixEpoch : Versions.Min(v => v.CreatedAt);

    public DateTime LastUpdatedAt
    {
        get
        {
            var latest = Versions.Count == 0 ? DateTime.UnixEpoch : Versions.Max(v => v.CreatedAt);
            return UpdatedAt is { } u && u > latest ? u : latest;
        }
    }

    public string AuthorsDisplay => string.Join(", ", Authors.Select(a => a.Name));

    /// <summary>A stable 64-bit digest of everything the upsert stores, so unchanged re-imports cost no writes.</summary>
    public long ComputeHash()
    {
        // XxHash3 is deterministic across processes (unlike string.GetHashCode) and much faster than a cryptographic hash.
        // The digest is of the UTF-16 text "id␟title␟abstract␟…" (␟ = U+001F), streamed piece by piece: a streaming
        // hash equals the hash of the concatenation, so stored digests stay valid without building that string.
        var h = new HashText();
        h.Add(ArxivId).Sep().Add(Title).Sep().Add(Abstract).Sep();
        foreach (var a in Authors) h.Add(a.Name).Add('|').Add(a.LastName).Add('|').Add(a.FirstNames).Sep();
        for (var i = 0; i < Categories.Count; i++)
        {
            if (i > 0) h.Add(' ');
            h.Add(Categories[i]);
        }
        h.Sep();
        foreach (var v in Versions) h.Add(v.Version).Add('@').Add(v.CreatedAt.Ticks).Add(v.Size).Sep();
        h.Add(Comments).Sep().Add(JournalRef).Sep().Add(Doi).Sep().Add(ReportNo).Sep()
         .Add(License).Sep().Add(Submitter).Sep().Add(UpdatedAt?.Ticks).Sep()
         .Add(AnnouncedOn?.DayNumber).Sep().Add(Withdrawn ? "True" : "False");
        return h.Digest();
    }

    /// <summary>Feeds text to XxHash3 as UTF-16 bytes, numbers in invariant decimal form (as StringBuilder.Append writes them).</summary>
    private readonly struct HashText()
    {
        private readonly System.IO.Hashing.XxHash3 _hash = new();

        public HashText Add(string? s)
        {
            if (s is not null) _hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(s.AsSpan()));
            return this;
        }

        public HashText Add(char c)
        {
            _hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<char>(in c)));
            return this;
        }

        public HashText Add(long? n)
        {
            if (n is null) return this;
            Span<char> digits = stackalloc char[24];
            n.Value.TryFormat(digits, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            _hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(digits[..written]));
            return this;
        }

        public HashText Sep() => Add('\u001f');

        public long Digest() => unchecked((long)_hash.GetCurrentHashAsUInt64());
    }
}

public sealed record AuthorName(string Name, string? LastName = null, string? FirstNames = null);

public sealed record VersionInfo(int Version, DateTime CreatedAt, string? Size = null);

/// <summary>How a paper's day on the list is decided when no announcement date is known.</summary>
public static class ListingDates
{
    /// <summary>
    /// The UTC calendar day of the first version; a paper submitted on a Saturday or Sunday is listed on
    /// the following Monday, because arXiv announces nothing at weekends.
    /// </summary>
    public static DateOnly ForSubmission(DateTime firstSubmittedUtc)
    {
        var day = DateOnly.FromDateTime(firstSubmittedUtc);
        return day.DayOfWeek switch
        {
            DayOfWeek.Saturday => day.AddDays(2),
            DayOfWeek.Sunday => day.AddDays(1),
            _ => day,
        };
    }
}

/// <summary>Whitespace clean-up shared by every parser.</summary>
public static class Text
{
    /// <summary>Collapses runs of whitespace (arXiv metadata wraps lines) into single spaces.</summary>
    public static string Squash(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        char[]? rented = null;
        Span<char> buffer = s.Length <= 2048 ? stackalloc char[s.Length] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(s.Length));
        int n = Collapse(s, buffer, out var changed);
        var result = changed ? new string(buffer[..n]) : s;
        if (rented is not null) System.Buffers.ArrayPool<char>.Shared.Return(rented);
        return result;
    }

    /// <summary>Squashes text in place (it only shrinks) and returns it as a string.</summary>
    public static string SquashToString(Span<char> text)
    {
        int n = Collapse(text, text, out _);
        return n == 0 ? "" : new string(text[..n]);
    }

    /// <summary>
    /// Writes <paramref name="source"/> with whitespace runs collapsed to single spaces and trimmed into
    /// <paramref name="target"/> (which may be the same memory: it never writes ahead of what it reads); returns the
    /// length, and whether anything differs from the source. One scalar pass: most characters are neither whitespace
    /// nor above U+0084, which costs two comparisons (searching with SearchValues was slower: words are short).
    /// </summary>
    private static int Collapse(ReadOnlySpan<char> source, Span<char> target, out bool changed)
    {
        int n = 0;
        bool space = false;
        changed = false;
        foreach (var ch in source)
        {
            if (IsWhiteSpace(ch))
            {
                if (ch != ' ' || space || n == 0) changed = true;
                space = n > 0;
                continue;
            }
            if (space) { target[n++] = ' '; space = false; }
            target[n++] = ch;
        }
        if (space) changed = true; // trailing whitespace
        return n;
    }

    private static bool IsWhiteSpace(char c) => c <= ' ' ? c == ' ' || (c >= '\t' && c <= '\r') : c >= '\u0085' && char.IsWhiteSpace(c);

    public static string? NullIfBlank(string? s)
    {
        var t = Squash(s);
        return t.Length == 0 ? null : t;
    }
}
