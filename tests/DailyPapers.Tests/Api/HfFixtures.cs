using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using DailyPapers.Ingest;
using DailyPapers.Tests.Support;

namespace DailyPapers.Tests.Api;

/// <summary>The recorded Hugging Face responses in shared/data: the three fixture days and the 580-day archive.</summary>
public static class HfFixtures
{
    public static string Dir => Path.Combine(TestEnv.SharedData, "fixtures", "hf-api");

    public static JsonElement Load(string day) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir, $"daily_papers_{day}.json"))).RootElement;

    /// <summary>
    /// The fixture's papers as PaperRecords from the fixture's own data. HF sends no arXiv categories, so every
    /// paper gets cs.AI; the listing day is the fixture's day; the submitter is HF's submittedBy.name when present.
    /// </summary>
    public static List<PaperRecord> Records(JsonElement entries, DateOnly day) =>
        entries.EnumerateArray().Select(e =>
        {
            var p = e.GetProperty("paper");
            return new PaperRecord
            {
                ArxivId = p.GetProperty("id").GetString()!,
                Title = Text.Squash(p.GetProperty("title").GetString()),
                Abstract = Text.Squash(p.GetProperty("summary").GetString()),
                Authors = p.GetProperty("authors").EnumerateArray().Select(a => new AuthorName(a.GetProperty("name").GetString()!)).ToList(),
                Categories = ["cs.AI"],
                Versions = [new VersionInfo(1, DateTime.Parse(p.GetProperty("publishedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal))],
                AnnouncedOn = day,
                Submitter = e.TryGetProperty("submittedBy", out var sb) ? sb.GetProperty("name").GetString() : null,
            };
        }).ToList();

    /// <summary>Copies the named days of the 580-day archive into a new folder (raw/YYYY-MM-DD.json), for the HF history import.</summary>
    public static string ExtractDays(params string[] days)
    {
        var dir = Directory.CreateTempSubdirectory("dp-hf-").FullName;
        var path = Path.Combine(TestEnv.SharedData, "hf-daily-papers", "raw_api_responses_2024-05-27_to_2026-08-21.tar.gz");
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        var wanted = days.ToHashSet();
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null || !wanted.Contains(Path.GetFileNameWithoutExtension(entry.Name))) continue;
            using var file = File.Create(Path.Combine(dir, Path.GetFileName(entry.Name)));
            entry.DataStream.CopyTo(file);
        }
        Assert.Equal(days.Length, Directory.GetFiles(dir).Length);
        return dir;
    }

    /// <summary>The recorded days within <paramref name="days"/> of <paramref name="day"/>, as arrays of entry objects (repr-string days yield none).</summary>
    public static IEnumerable<JsonElement> ArchiveAround(DateOnly day, int days)
    {
        var path = Path.Combine(TestEnv.SharedData, "hf-daily-papers", "raw_api_responses_2024-05-27_to_2026-08-21.tar.gz");
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        while (tar.GetNextEntry() is { } entry)
        {
            var name = Path.GetFileNameWithoutExtension(entry.Name);
            if (entry.DataStream is null || !DateOnly.TryParseExact(name, "yyyy-MM-dd", out var d) || Math.Abs(d.DayNumber - day.DayNumber) > days) continue;
            using var ms = new MemoryStream();
            entry.DataStream.CopyTo(ms);
            var root = JsonDocument.Parse(ms.ToArray()).RootElement;
            // One day is recorded wrapped as {status, date, count, data}.
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data)) root = data;
            if (root.ValueKind == JsonValueKind.Array) yield return root;
        }
    }
}

/// <summary>
/// The JSON shape of a set of responses: for every path (e.g. <c>.paper.authors[].name</c>) the JSON types seen,
/// and how many objects at the parent path carried the key.
/// </summary>
public sealed class JsonShape
{
    public Dictionary<string, HashSet<string>> Types { get; } = [];
    public Dictionary<string, int> KeyCount { get; } = [];
    public Dictionary<string, int> ObjectCount { get; } = [];

    public void AddEntries(JsonElement array)
    {
        foreach (var e in array.EnumerateArray())
            if (e.ValueKind == JsonValueKind.Object) Walk(e, "");
    }

    private void Walk(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            ObjectCount[path] = ObjectCount.GetValueOrDefault(path) + 1;
            foreach (var p in e.EnumerateObject())
            {
                var key = path + "." + p.Name;
                KeyCount[key] = KeyCount.GetValueOrDefault(key) + 1;
                (Types.TryGetValue(key, out var t) ? t : Types[key] = []).Add(TypeOf(p.Value));
                Walk(p.Value, key);
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var x in e.EnumerateArray())
            {
                (Types.TryGetValue(path + "[]", out var t) ? t : Types[path + "[]"] = []).Add(TypeOf(x));
                Walk(x, path + "[]");
            }
        }
    }

    public static string Parent(string key) => key.EndsWith("[]", StringComparison.Ordinal) ? key[..^2] : key[..key.LastIndexOf('.')];

    /// <summary>Keys every object at their parent path carried.</summary>
    public IEnumerable<string> AlwaysPresent => KeyCount.Where(k => k.Value == ObjectCount.GetValueOrDefault(Parent(k.Key))).Select(k => k.Key);

    public bool IsOptional(string key) => KeyCount.TryGetValue(key, out var n) && ObjectCount.TryGetValue(Parent(key), out var m) && n < m;

    private static string TypeOf(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => "number",
        JsonValueKind.String => "string",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };
}
