using System.Globalization;
using System.Text;
using System.Text.Json;
using DailyPapers.Papers;

namespace DailyPapers.Ingest;

/// <summary>Parses lines of Kaggle's <c>arxiv-metadata-oai-snapshot.json</c>.</summary>
public static class KaggleSnapshot
{
    /// <summary>One line's fields as <see cref="ReadLine"/> read them: title, abstract, authors and comments already squashed.</summary>
    internal sealed class Line
    {
        public string? Id { get; set; }
        public string? Submitter { get; set; }
        public string? Authors { get; set; }
        public string? Title { get; set; }
        public string? Comments { get; set; }
        public string? JournalRef { get; set; }
        public string? Doi { get; set; }
        public string? ReportNo { get; set; }
        public string? Categories { get; set; }
        public string? License { get; set; }
        public string? Abstract { get; set; }
        public List<LineVersion>? Versions { get; set; }
        public string? UpdateDate { get; set; }
        public List<List<string?>>? AuthorsParsed { get; set; }
    }

    internal sealed class LineVersion
    {
        public string? Version { get; set; }
        public string? Created { get; set; }
        public string? Size { get; set; }
    }

    /// <summary>Parses one line; on failure returns null and a reason fit for the import report.</summary>
    public static PaperRecord? Parse(ReadOnlySpan<byte> utf8Line, out string? error)
    {
        Line? line;
        try
        {
            line = ReadLine(utf8Line);
        }
        catch (JsonException ex)
        {
            error = "invalid JSON: " + ex.Message.Split(" Path:")[0];
            return null;
        }
        if (line is null) { error = "the line is not a JSON object"; return null; }
        return FromLine(line, out error);
    }

    /// <summary>
    /// Reads the fields of one line with the forward-only JSON reader: the general deserializer's per-property
    /// machinery cost more than the reading itself on a 229k-line snapshot. Unknown fields are skipped.
    /// </summary>
    internal static Line? ReadLine(ReadOnlySpan<byte> utf8)
    {
        var r = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!r.Read()) throw new JsonException("The input does not contain any JSON tokens.");
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw new JsonException($"expected an object, found {r.TokenType}");
        var line = new Line();
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("id"u8)) { Next(ref r); line.Id = r.TokenType == JsonTokenType.Number ? RepairNumericId(Encoding.UTF8.GetString(r.ValueSpan)) : Str(ref r, "id"); }
            else if (r.ValueTextEquals("abstract"u8)) { Next(ref r); line.Abstract = Squashed(ref r, "abstract"); }
            else if (r.ValueTextEquals("title"u8)) { Next(ref r); line.Title = Squashed(ref r, "title"); }
            else if (r.ValueTextEquals("authors"u8)) { Next(ref r); line.Authors = Squashed(ref r, "authors"); }
            else if (r.ValueTextEquals("categories"u8)) { Next(ref r); line.Categories = Str(ref r, "categories"); }
            else if (r.ValueTextEquals("submitter"u8)) { Next(ref r); line.Submitter = Str(ref r, "submitter"); }
            else if (r.ValueTextEquals("comments"u8)) { Next(ref r); line.Comments = Squashed(ref r, "comments"); }
            else if (r.ValueTextEquals("journal-ref"u8)) { Next(ref r); line.JournalRef = Str(ref r, "journal-ref"); }
            else if (r.ValueTextEquals("doi"u8)) { Next(ref r); line.Doi = Str(ref r, "doi"); }
            else if (r.ValueTextEquals("report-no"u8)) { Next(ref r); line.ReportNo = Str(ref r, "report-no"); }
            else if (r.ValueTextEquals("license"u8)) { Next(ref r); line.License = Str(ref r, "license"); }
            else if (r.ValueTextEquals("update_date"u8)) { Next(ref r); line.UpdateDate = Str(ref r, "update_date"); }
            else if (r.ValueTextEquals("versions"u8)) { Next(ref r); line.Versions = ReadVersions(ref r); }
            else if (r.ValueTextEquals("authors_parsed"u8)) { Next(ref r); line.AuthorsParsed = ReadAuthorsParsed(ref r); }
            else { Next(ref r); r.Skip(); }
        }
        if (r.TokenType != JsonTokenType.EndObject) throw new JsonException("expected a property name or the end of the object");
        if (r.Read()) throw new JsonException("'" + (char)utf8[(int)r.TokenStartIndex] + "' is invalid after a single JSON value.");
        return line;
    }

    private static JsonTokenType Next(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw new JsonException("the line ends inside the JSON object");
        return r.TokenType;
    }

    private static string? Str(ref Utf8JsonReader r, string field) => r.TokenType switch
    {
        JsonTokenType.String => r.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"\"{field}\" must be a string, not {r.TokenType}"),
    };

    /// <summary>
    /// A string value with its whitespace runs collapsed, decoded into a pooled buffer and squashed there: one string
    /// allocated instead of the decoded one and then its squashed copy (abstracts always contain line breaks).
    /// </summary>
    private static string? Squashed(ref Utf8JsonReader r, string field)
    {
        if (r.TokenType != JsonTokenType.String) return Str(ref r, field);
        int max = r.HasValueSequence ? checked((int)r.ValueSequence.Length) : r.ValueSpan.Length; // UTF-8 bytes ≥ UTF-16 chars
        var buffer = System.Buffers.ArrayPool<char>.Shared.Rent(Math.Max(1, max));
        try
        {
            int n = r.CopyString(buffer);
            return Text.SquashToString(buffer.AsSpan(0, n));
        }
        finally { System.Buffers.ArrayPool<char>.Shared.Return(buffer); }
    }

    private static List<LineVersion>? ReadVersions(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw new JsonException("\"versions\" must be an array");
        var list = new List<LineVersion>(2);
        while (Next(ref r) == JsonTokenType.StartObject)
        {
            var v = new LineVersion();
            while (Next(ref r) == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("version"u8)) { Next(ref r); v.Version = Str(ref r, "version"); }
                else if (r.ValueTextEquals("created"u8)) { Next(ref r); v.Created = Str(ref r, "created"); }
                else if (r.ValueTextEquals("size"u8)) { Next(ref r); v.Size = Str(ref r, "size"); }
                else { Next(ref r); r.Skip(); }
            }
            list.Add(v);
        }
        if (r.TokenType != JsonTokenType.EndArray) throw new JsonException("\"versions\" must be an array of objects");
        return list;
    }

    private static List<List<string?>>? ReadAuthorsParsed(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw new JsonException("\"authors_parsed\" must be an array");
        var list = new List<List<string?>>();
        while (Next(ref r) == JsonTokenType.StartArray)
        {
            var parts = new List<string?>(3);
            while (Next(ref r) != JsonTokenType.EndArray) parts.Add(Str(ref r, "authors_parsed"));
            list.Add(parts);
        }
        if (r.TokenType != JsonTokenType.EndArray) throw new JsonException("\"authors_parsed\" must be an array of arrays");
        return list;
    }

    private static PaperRecord? FromLine(Line line, out string? error)
    {
        string? rawId = line.Id;
        if (rawId is null) { error = "missing \"id\""; return null; }
        if (!ArxivId.TryParse(rawId, out var id, out var idError)) { error = idError; return null; }

        var title = line.Title ?? ""; // squashed by ReadLine
        if (title.Length == 0) { error = $"{id}: missing title"; return null; }
        var abs = line.Abstract ?? "";
        if (abs.Length == 0) { error = $"{id}: missing abstract"; return null; }
        var cats = (line.Categories ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (cats.Length == 0) { error = $"{id}: missing categories"; return null; }

        var versions = new List<VersionInfo>();
        foreach (var v in line.Versions ?? [])
        {
            if (v.Version is not { Length: > 1 } vs || !int.TryParse(vs.AsSpan(1), out var n) || n < 1)
            { error = $"{id}: bad version '{v.Version}'"; return null; }
            // RFC 1123 ("Thu, 30 Oct 2014 00:00:00 GMT") is the snapshot's form: parse it exactly, fall back to the general parser.
            if (!DateTime.TryParseExact(v.Created, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created)
                && !DateTime.TryParse(v.Created, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out created))
            { error = $"{id}: bad version date '{v.Created}'"; return null; }
            versions.Add(new VersionInfo(n, DateTime.SpecifyKind(created, DateTimeKind.Utc), v.Size));
        }
        if (versions.Count == 0) { error = $"{id}: no versions"; return null; }

        DateTime? updated = null;
        if (!string.IsNullOrEmpty(line.UpdateDate))
        {
            if (!DateTime.TryParseExact(line.UpdateDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var u))
            { error = $"{id}: bad update_date '{line.UpdateDate}'"; return null; }
            updated = DateTime.SpecifyKind(u, DateTimeKind.Utc);
        }

        error = null;
        return new PaperRecord
        {
            ArxivId = id.BaseId,
            Title = title,
            Abstract = abs,
            Authors = ParseAuthors(line),
            Categories = cats.Length == 1 ? cats : cats.Distinct().ToArray(),
            Versions = versions,
            Comments = Text.NullIfBlank(line.Comments),
            JournalRef = Text.NullIfBlank(line.JournalRef),
            Doi = Text.NullIfBlank(line.Doi),
            ReportNo = Text.NullIfBlank(line.ReportNo),
            License = Text.NullIfBlank(line.License),
            Submitter = Text.NullIfBlank(line.Submitter),
            UpdatedAt = updated,
        };
    }

    /// <summary>Some tools write new-style ids as numbers and lose the leading zero (704.1158 → 0704.1158).</summary>
    private static string RepairNumericId(string raw)
    {
        var dot = raw.IndexOf('.');
        return dot is > 0 and < 4 ? raw.PadLeft(raw.Length + (4 - dot), '0') : raw;
    }

    private static List<AuthorName> ParseAuthors(Line line)
    {
        var result = new List<AuthorName>(line.AuthorsParsed?.Count ?? 4);
        if (line.AuthorsParsed is { Count: > 0 } parsed)
        {
            foreach (var parts in parsed)
            {
                var last = Text.Squash(parts.Count > 0 ? parts[0] : null);
                var first = Text.Squash(parts.Count > 1 ? parts[1] : null);
                var suffix = Text.Squash(parts.Count > 2 ? parts[2] : null);
                var name = JoinNonEmpty(first, last, suffix);
                if (name.Length > 0) result.Add(new AuthorName(name, last.Length > 0 ? last : null, first.Length > 0 ? first : null));
            }
            if (result.Count > 0) return result;
        }
        foreach (var name in SplitAuthorString(line.Authors))
            result.Add(new AuthorName(name));
        return result;
    }

    /// <summary>"First Last Suffix" without empty parts (called for every author of the snapshot: no LINQ here).</summary>
    private static string JoinNonEmpty(string a, string b, string c) =>
        (a.Length > 0, b.Length > 0, c.Length > 0) switch
        {
            (true, true, true) => string.Concat(a, " ", b, " ", c),
            (true, true, false) => string.Concat(a, " ", b),
            (true, false, true) => string.Concat(a, " ", c),
            (false, true, true) => string.Concat(b, " ", c),
            (true, false, false) => a,
            (false, true, false) => b,
            (false, false, true) => c,
            _ => "",
        };

    /// <summary>Splits arXiv's free-text author field ("A, B and C").</summary>
    public static IEnumerable<string> SplitAuthorString(string? authors) =>
        Text.Squash(authors)
            .Replace(" and ", ", ", StringComparison.Ordinal)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s.Length > 0);
}

