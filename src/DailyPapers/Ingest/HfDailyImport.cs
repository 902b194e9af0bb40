using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DailyPapers.Data;
using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Ingest;

public sealed class HfImportSummary
{
    public int Days;
    public int Entries;
    public int NewPapers;
    public int KnownPapers;
    public int Rejected;
    public List<string> Problems { get; } = [];
    /// <summary>Why an archive stopped before its proper end (cut short or damaged); the complete days before were imported.</summary>
    public string? InputProblem;
}

/// <summary>
/// Imports recorded Hugging Face <c>daily_papers</c> responses (a file, a folder of files, or a .tar.gz of them).
/// Rules: papers we do not have are inserted through <see cref="PaperUpsert"/> with the HF day as their listing day
/// and no categories (HF gives none; the next OAI or API record fills them in). Papers we already have keep their
/// metadata untouched, since HF's copy is poorer. Every entry's HF upvotes, comments and links go to
/// <c>hf_daily_entries</c>, one row per paper and day, replaced on re-import; <c>papers.Upvotes</c> is not touched.
/// </summary>
public sealed class HfDailyImport(DatabaseSettings db, PaperUpsert upsert)
{
    public async Task<HfImportSummary> RunAsync(string path, CancellationToken ct = default)
    {
        var summary = new HfImportSummary();
        foreach (var (name, bytes) in ReadFiles(path, summary))
            await ImportDayAsync(name, bytes, summary, ct);
        return summary;
    }

    private static IEnumerable<(string Name, byte[] Bytes)> ReadFiles(string path, HfImportSummary summary)
    {
        if (Directory.Exists(path))
            return Directory.GetFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => (f, File.ReadAllBytes(f)));
        if (!File.Exists(path)) throw new FileNotFoundException($"No such file or folder: {path}", path);
        if (path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
            return ReadArchive(path, summary).OrderBy(f => f.Name, StringComparer.Ordinal);
        return [(path, File.ReadAllBytes(path))];
    }

    /// <summary>The archive's complete .json files; an archive cut short or damaged keeps the files before the cut and says why in the summary.</summary>
    private static List<(string Name, byte[] Bytes)> ReadArchive(string path, HfImportSummary summary)
    {
        var (file, data, gzip) = InputFiles.Open(path);
        using var counted = new CountingStream(data);
        var files = new List<(string, byte[])>();
        try
        {
            using (var tar = new TarReader(counted, leaveOpen: true))
            {
                while (tar.GetNextEntry() is { } e)
                {
                    if (e.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || e.DataStream is null || !e.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) continue;
                    using var ms = new MemoryStream();
                    e.DataStream.CopyTo(ms);
                    // A short read ends silently at the end of the data: the header's length tells a cut entry.
                    if (ms.Length < e.Length) throw new EndOfStreamException();
                    files.Add((e.Name, ms.ToArray()));
                }
            }
            // The tar ends at its end-of-archive blocks; the gzip trailer is checked against everything after them too.
            counted.CopyTo(Stream.Null);
            if (gzip) summary.InputProblem = InputFiles.GzipEndProblem(path, counted.Count);
        }
        catch (EndOfStreamException)
        {
            // The entry being read when the data ran out is incomplete and is not among the files.
            summary.InputProblem = $"{path} is truncated: the archive stops in the middle of an entry after {files.Count} complete files";
        }
        catch (InvalidDataException ex)
        {
            summary.InputProblem = InputFiles.Damaged(path, ex) + $" (after {files.Count} complete files)";
        }
        return files;
    }

    private async Task ImportDayAsync(string name, byte[] bytes, HfImportSummary summary, CancellationToken ct)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(bytes); }
        catch (JsonException ex) { summary.Problems.Add($"{name}: not JSON ({ex.Message.Split(" Path:")[0]})"); return; }

        DateOnly? day = DayFromName(name);
        // 2025-01-10 was recorded wrapped as {status, date, count, data}.
        if (root is JsonObject wrapper && wrapper["data"] is JsonArray data)
        {
            if (DateOnly.TryParseExact((string?)wrapper["date"], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) day = d;
            root = data;
        }
        if (root is not JsonArray entries) { summary.Problems.Add($"{name}: expected a JSON array of entries"); return; }
        if (day is null) { summary.Problems.Add($"{name}: no YYYY-MM-DD in the file name, so the listing day is unknown"); return; }

        var rows = new List<HfDailyEntry>();
        var records = new List<PaperRecord>();
        for (int rank = 0; rank < entries.Count; rank++)
        {
            var node = entries[rank];
            // 22 days of late 2024 were recorded with each entry as a Python repr string.
            if (node is JsonValue v && v.TryGetValue<string>(out var repr))
            {
                try { node = PythonLiteral.Parse(repr); }
                catch (FormatException ex) { summary.Rejected++; summary.Problems.Add($"{name} entry {rank}: unreadable Python repr ({ex.Message})"); continue; }
            }
            if (node is not JsonObject entry || entry["paper"] is not JsonObject paper || !ArxivId.TryParse((string?)paper["id"], out var id))
            {
                summary.Rejected++;
                summary.Problems.Add($"{name} entry {rank}: no paper with an arXiv id");
                continue;
            }
            summary.Entries++;
            rows.Add(new HfDailyEntry
            {
                ArxivId = id.BaseId,
                ListDate = day.Value,
                Rank = rank,
                Upvotes = Int(paper["upvotes"]) ?? 0,
                NumComments = Int(entry["numComments"]),
                GithubRepo = Str(paper["githubRepo"]),
                GithubStars = Int(paper["githubStars"]),
                ProjectPage = Str(paper["projectPage"]),
                Organization = Str(paper["organization"]?["name"]) ?? Str(entry["organization"]?["name"]),
                OrganizationName = Str(paper["organization"]?["fullname"]) ?? Str(entry["organization"]?["fullname"]),
                Submitter = Str(paper["submittedOnDailyBy"]?["user"]) ?? Str(paper["submittedOnDailyBy"]?["name"]) ?? Str(entry["submittedBy"]?["name"]),
                AiSummary = Str(paper["ai_summary"]),
                AiKeywords = Keywords(paper["ai_keywords"]),
            });
            var published = DateTime.TryParse((string?)paper["publishedAt"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var p)
                ? DateTime.SpecifyKind(p, DateTimeKind.Utc) : day.Value.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var title = Text.Squash(Str(paper["title"]) ?? Str(entry["title"]));
            var abs = Text.Squash(Str(paper["summary"]) ?? Str(entry["summary"]));
            if (title.Length == 0 || abs.Length == 0) continue;
            records.Add(new PaperRecord
            {
                ArxivId = id.BaseId,
                Title = title,
                Abstract = abs,
                Authors = (paper["authors"] as JsonArray ?? []).Select(a => Text.Squash(Str(a?["name"]))).Where(n => n.Length > 0).Select(n => new AuthorName(n)).ToList(),
                Categories = [],
                Versions = [new VersionInfo(1, published)],
                AnnouncedOn = day,
            });
        }
        rows = rows.DistinctBy(r => r.ArxivId).ToList();

        await using var ctx = db.CreateContext();
        var ids = records.Select(r => r.ArxivId).ToList();
        var known = (await ctx.Papers.Where(p => ids.Contains(p.ArxivId)).Select(p => p.ArxivId).ToListAsync(ct)).ToHashSet();
        var fresh = records.Where(r => !known.Contains(r.ArxivId)).DistinctBy(r => r.ArxivId).ToList();
        summary.KnownPapers += records.Count - fresh.Count;
        summary.NewPapers += (await upsert.UpsertAsync(fresh, ct)).Inserted;

        await using var tx = await ctx.Database.BeginTransactionAsync(ct);
        var date = day.Value;
        var before = await ctx.Set<HfDailyEntry>().Where(e => e.ListDate == date).Select(e => e.ArxivId).ToListAsync(ct);
        await ctx.Set<HfDailyEntry>().Where(e => e.ListDate == date).ExecuteDeleteAsync(ct);
        ctx.AddRange(rows);
        await ctx.SaveChangesAsync(ct);
        await RefreshSignalsAsync(ctx, before.Concat(rows.Select(r => r.ArxivId)).Distinct().ToList(), ct);
        await tx.CommitAsync(ct);
        summary.Days++;
    }

    /// <summary>
    /// Copies the curated source's signals onto the papers (Papers/PaperSignals): the highest upvote and comment
    /// counts any of a paper's listed days recorded, and the newest non-empty links, organisation, submitter and
    /// AI fields. A paper no longer listed on any day loses them.
    /// </summary>
    public static async Task RefreshSignalsAsync(AppDbContext ctx, IReadOnlyList<string> arxivIds, CancellationToken ct)
    {
        foreach (var chunk in arxivIds.Chunk(500))
        {
            var entries = (await ctx.Set<HfDailyEntry>().Where(e => chunk.Contains(e.ArxivId)).ToListAsync(ct))
                .GroupBy(e => e.ArxivId).ToDictionary(g => g.Key, g => g.OrderByDescending(e => e.ListDate).ToList());
            foreach (var id in chunk)
            {
                var list = entries.GetValueOrDefault(id) ?? [];
                string? Newest(Func<HfDailyEntry, string?> f) => list.Select(f).FirstOrDefault(v => v is not null);
                var upvotes = list.Count == 0 ? 0 : list.Max(e => e.Upvotes);
                var comments = list.Count == 0 ? 0 : list.Max(e => e.NumComments ?? 0);
                var stars = list.Select(e => e.GithubStars).FirstOrDefault(v => v is not null);
                var org = list.FirstOrDefault(e => e.Organization is not null);
                var (repo, project, submitter, summary, keywords) =
                    (Newest(e => e.GithubRepo), Newest(e => e.ProjectPage), Newest(e => e.Submitter), Newest(e => e.AiSummary), Newest(e => e.AiKeywords));
                await ctx.Papers.Where(p => p.ArxivId == id).ExecuteUpdateAsync(u => u
                    .SetProperty(p => p.CuratedSource, list.Count > 0)
                    .SetProperty(p => p.HfUpvotes, upvotes)
                    .SetProperty(p => p.HfComments, comments)
                    .SetProperty(p => p.GithubRepo, repo)
                    .SetProperty(p => p.GithubStars, stars)
                    .SetProperty(p => p.ProjectPage, project)
                    .SetProperty(p => p.Organization, org == null ? null : org.Organization)
                    .SetProperty(p => p.OrganizationName, org == null ? null : org.OrganizationName)
                    .SetProperty(p => p.HfSubmitter, submitter)
                    .SetProperty(p => p.AiSummary, summary)
                    .SetProperty(p => p.AiKeywords, keywords), ct);
            }
        }
    }

    private static string? Keywords(JsonNode? n)
    {
        if (n is not JsonArray a) return null;
        var words = a.Select(Str).Where(w => w is not null).Select(w => Text.Squash(w)).Where(w => w.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Take(30).ToList();
        return words.Count == 0 ? null : string.Join('\n', words);
    }

    private static DateOnly? DayFromName(string name)
    {
        var m = System.Text.RegularExpressions.Regex.Match(Path.GetFileName(name), @"\d{4}-\d{2}-\d{2}");
        return m.Success && DateOnly.TryParseExact(m.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    private static int? Int(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) ? (int)d : n is JsonValue v2 && v2.TryGetValue<int>(out var i) ? i : null;
}

/// <summary>Reads the Python literals (dict, list, str, int, float, True, False, None) that a recorder wrote with repr().</summary>
public static class PythonLiteral
{
    public static JsonNode? Parse(string s)
    {
        int i = 0;
        var node = Value(s, ref i);
        Skip(s, ref i);
        if (i != s.Length) throw new FormatException($"unexpected text at {i}");
        return node;
    }

    private static void Skip(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
    }

    private static JsonNode? Value(string s, ref int i)
    {
        Skip(s, ref i);
        if (i >= s.Length) throw new FormatException("unexpected end");
        char c = s[i];
        if (c == '{')
        {
            var o = new JsonObject();
            i++;
            while (true)
            {
                Skip(s, ref i);
                if (i < s.Length && s[i] == '}') { i++; return o; }
                var key = Value(s, ref i)?.ToString() ?? throw new FormatException($"bad key at {i}");
                Skip(s, ref i);
                Expect(s, ref i, ':');
                o[key] = Value(s, ref i);
                Skip(s, ref i);
                if (i < s.Length && s[i] == ',') i++;
            }
        }
        if (c == '[' || c == '(')
        {
            char close = c == '[' ? ']' : ')';
            var a = new JsonArray();
            i++;
            while (true)
            {
                Skip(s, ref i);
                if (i < s.Length && s[i] == close) { i++; return a; }
                a.Add(Value(s, ref i));
                Skip(s, ref i);
                if (i < s.Length && s[i] == ',') i++;
            }
        }
        if (c is '\'' or '"') return JsonValue.Create(Str(s, ref i));
        foreach (var (word, value) in new (string, JsonNode?)[] { ("True", JsonValue.Create(true)), ("False", JsonValue.Create(false)), ("None", null) })
            if (string.CompareOrdinal(s, i, word, 0, word.Length) == 0) { i += word.Length; return value; }
        int start = i;
        while (i < s.Length && (char.IsDigit(s[i]) || s[i] is '-' or '+' or '.' or 'e' or 'E')) i++;
        if (i > start && double.TryParse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return d == Math.Floor(d) && Math.Abs(d) < long.MaxValue ? JsonValue.Create((long)d) : JsonValue.Create(d);
        throw new FormatException($"unexpected '{c}' at {start}");
    }

    private static void Expect(string s, ref int i, char c)
    {
        if (i >= s.Length || s[i] != c) throw new FormatException($"expected '{c}' at {i}");
        i++;
    }

    private static string Str(string s, ref int i)
    {
        char q = s[i++];
        var sb = new StringBuilder();
        while (i < s.Length && s[i] != q)
        {
            if (s[i] != '\\') { sb.Append(s[i++]); continue; }
            i++;
            if (i >= s.Length) break;
            char e = s[i++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'x': sb.Append((char)Convert.ToInt32(s.Substring(i, 2), 16)); i += 2; break;
                case 'u': sb.Append((char)Convert.ToInt32(s.Substring(i, 4), 16)); i += 4; break;
                case 'U': sb.Append(char.ConvertFromUtf32(Convert.ToInt32(s.Substring(i, 8), 16))); i += 8; break;
                default: sb.Append(e); break; // \\, \', \"
            }
        }
        if (i >= s.Length) throw new FormatException("unterminated string");
        i++;
        return sb.ToString();
    }
}
