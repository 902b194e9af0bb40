using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DailyPapers.Papers;

namespace DailyPapers.Ingest;

/// <summary>Parses lines of Kaggle's <c>arxiv-metadata-oai-snapshot.json</c>.</summary>
public static class KaggleSnapshot
{
    internal sealed class Line
    {
        [JsonPropertyName("id")][JsonConverter(typeof(IdConverter))] public string? Id { get; set; }
        [JsonPropertyName("submitter")] public string? Submitter { get; set; }
        [JsonPropertyName("authors")] public string? Authors { get; set; }
        [JsonPropertyName("title")] public string? Title { get; set; }
        [JsonPropertyName("comments")] public string? Comments { get; set; }
        [JsonPropertyName("journal-ref")] public string? JournalRef { get; set; }
        [JsonPropertyName("doi")] public string? Doi { get; set; }
        [JsonPropertyName("report-no")] public string? ReportNo { get; set; }
        [JsonPropertyName("categories")] public string? Categories { get; set; }
        [JsonPropertyName("license")] public string? License { get; set; }
        [JsonPropertyName("abstract")] public string? Abstract { get; set; }
        [JsonPropertyName("versions")] public List<LineVersion>? Versions { get; set; }
        [JsonPropertyName("update_date")] public string? UpdateDate { get; set; }
        [JsonPropertyName("authors_parsed")] public List<List<string?>>? AuthorsParsed { get; set; }
    }

    internal sealed class LineVersion
    {
        [JsonPropertyName("version")] public string? Version { get; set; }
        [JsonPropertyName("created")] public string? Created { get; set; }
        [JsonPropertyName("size")] public string? Size { get; set; }
    }

    /// <summary>Parses one line; on failure returns null and a reason fit for the import report.</summary>
    public static PaperRecord? Parse(ReadOnlySpan<byte> utf8Line, out string? error)
    {
        Line? line;
        try
        {
            line = JsonSerializer.Deserialize(utf8Line, KaggleJson.Default.Line);
        }
        catch (JsonException ex)
        {
            error = "invalid JSON: " + ex.Message.Split(" Path:")[0];
            return null;
        }
        if (line is null) { error = "the line is not a JSON object"; return null; }
        return FromLine(line, out error);
    }

    private static PaperRecord? FromLine(Line line, out string? error)
    {
        string? rawId = line.Id;
        if (rawId is null) { error = "missing \"id\""; return null; }
        if (!ArxivId.TryParse(rawId, out var id, out var idError)) { error = idError; return null; }

        var title = Text.Squash(line.Title);
        if (title.Length == 0) { error = $"{id}: missing title"; return null; }
        var abs = Text.Squash(line.Abstract);
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
            Categories = cats.Distinct().ToArray(),
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

    /// <summary>Reads the id as a string; some tools write new-style ids as numbers and lose the leading zero (704.1158 → 0704.1158).</summary>
    internal sealed class IdConverter : JsonConverter<string?>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => RepairNumericId(System.Text.Encoding.UTF8.GetString(reader.ValueSpan)),
            _ => throw new JsonException("\"id\" must be a string"),
        };

        public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    private static string RepairNumericId(string raw)
    {
        var dot = raw.IndexOf('.');
        return dot is > 0 and < 4 ? raw.PadLeft(raw.Length + (4 - dot), '0') : raw;
    }

    private static List<AuthorName> ParseAuthors(Line line)
    {
        var result = new List<AuthorName>();
        if (line.AuthorsParsed is { Count: > 0 } parsed)
        {
            foreach (var parts in parsed)
            {
                var last = Text.Squash(parts.ElementAtOrDefault(0));
                var first = Text.Squash(parts.ElementAtOrDefault(1));
                var suffix = Text.Squash(parts.ElementAtOrDefault(2));
                var name = string.Join(' ', new[] { first, last, suffix }.Where(s => s.Length > 0));
                if (name.Length > 0) result.Add(new AuthorName(name, last.Length > 0 ? last : null, first.Length > 0 ? first : null));
            }
            if (result.Count > 0) return result;
        }
        foreach (var name in SplitAuthorString(line.Authors))
            result.Add(new AuthorName(name));
        return result;
    }

    /// <summary>Splits arXiv's free-text author field ("A, B and C").</summary>
    public static IEnumerable<string> SplitAuthorString(string? authors) =>
        Text.Squash(authors)
            .Replace(" and ", ", ", StringComparison.Ordinal)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s.Length > 0);
}

[JsonSerializable(typeof(KaggleSnapshot.Line))]
internal sealed partial class KaggleJson : JsonSerializerContext;
