using System.Text;
using System.Text.RegularExpressions;
using DailyPapers.Data;
using DailyPapers.Papers;
using Microsoft.EntityFrameworkCore;

namespace DailyPapers.Library;

/// <summary>One entry of a BibTeX file: its key, first line and the fields (names lower case).</summary>
public sealed record BibEntry(string Type, string Key, int Line, IReadOnlyDictionary<string, string> Fields)
{
    public string? this[string field] => Fields.GetValueOrDefault(field);
    public string Label => Fields.GetValueOrDefault("title") is { } t ? $"{Key} ({BibTexImport.Plain(t)})" : Key;
}

public sealed class BibTexException(string message) : Exception(message);

/// <summary>What an import did: papers added, entries matched to papers already in the collection, and those not found here.</summary>
public sealed record ImportReport(int Entries, int Added, int AlreadyThere, IReadOnlyList<string> Unmatched);

/// <summary>
/// Reads a BibTeX file (Zotero, JabRef, Google Scholar exports) and matches its entries to papers here: by arXiv id
/// (eprint, "arXiv:…" anywhere in journal/note/number, arxiv.org URLs, arXiv DOIs 10.48550/arXiv.…), then DOI,
/// then normalised title. The whole file is parsed and checked before anything is written, and the items are added
/// in one transaction, so a bad file leaves the library as it was.
/// </summary>
public static partial class BibTexImport
{
    /// <summary>1 MiB holds about 2,000 Zotero entries with abstracts; a whole library beyond that should be split.</summary>
    public const int MaxBytes = 1 << 20;
    public const int MaxEntries = 5_000;
    /// <summary>Title look-ups go through the search index one at a time; bounded so one upload can't monopolise it.</summary>
    public const int MaxTitleLookups = 1_000;

    public static IReadOnlyList<BibEntry> Parse(byte[] bytes)
    {
        if (bytes.Length == 0) throw new BibTexException("The file is empty: export your library from Zotero as BibTeX and upload that .bib file.");
        if (bytes.Length > MaxBytes) throw new BibTexException($"The file is {bytes.Length / 1024.0 / 1024.0:0.0} MB; the limit is {MaxBytes / 1024 / 1024} MB (about 2,000 entries). Export a smaller collection, or split the file.");
        if (Array.IndexOf(bytes, (byte)0) >= 0) throw new BibTexException("That is a binary file, not BibTeX text: upload the .bib file your reference manager exported.");
        string text;
        try { text = new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { text = Encoding.Latin1.GetString(bytes); } // old .bib files are often Latin-1
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var entries = new Parser(text).Entries();
        if (entries.Count == 0) throw new BibTexException("No BibTeX entries (@article{…}, @misc{…}) were found in the file.");
        return entries;
    }

    private sealed class Parser(string s)
    {
        private int _i;
        private int Line => 1 + s.AsSpan(0, Math.Min(_i, s.Length)).Count('\n');

        public List<BibEntry> Entries()
        {
            var list = new List<BibEntry>();
            while (true)
            {
                int at = s.IndexOf('@', _i);
                if (at < 0) return list;
                _i = at + 1;
                int line = Line;
                var type = Word().ToLowerInvariant();
                SkipSpace();
                if (type.Length == 0 || _i >= s.Length || (s[_i] != '{' && s[_i] != '(')) continue; // an @ in free text between entries
                char close = s[_i] == '{' ? '}' : ')';
                _i++;
                if (type is "comment" or "preamble" or "string") { SkipGroup(close, line); continue; }
                if (list.Count >= MaxEntries) throw new BibTexException($"The file has more than {MaxEntries:N0} entries; import at most {MaxEntries:N0} at a time.");
                list.Add(Entry(type, close, line));
            }
        }

        private BibEntry Entry(string type, char close, int line)
        {
            SkipSpace();
            int keyStart = _i;
            while (_i < s.Length && s[_i] != ',' && s[_i] != close && !char.IsWhiteSpace(s[_i])) _i++;
            var key = s[keyStart.._i];
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            while (true)
            {
                SkipSpace();
                if (_i >= s.Length) throw Unclosed(line, key);
                if (s[_i] == ',') { _i++; continue; }
                if (s[_i] == close) { _i++; break; }
                var name = Word().ToLowerInvariant();
                if (name.Length == 0) throw new BibTexException($"Line {Line}: entry “{key}” (line {line}) has something that is not a field: '{Preview()}'.");
                SkipSpace();
                if (_i >= s.Length || s[_i] != '=') throw new BibTexException($"Line {Line}: field “{name}” of entry “{key}” has no '='.");
                _i++;
                var value = new StringBuilder();
                while (true)
                {
                    SkipSpace();
                    if (_i >= s.Length) throw Unclosed(line, key);
                    char c = s[_i];
                    if (c == '{') { _i++; value.Append(Braced(line, key)); }
                    else if (c == '"') { _i++; value.Append(Quoted(line, key)); }
                    else
                    {
                        var w = Word();
                        if (w.Length == 0) throw new BibTexException($"Line {Line}: field “{name}” of entry “{key}” has no value.");
                        value.Append(w); // a number or a @string macro (month names): kept as written
                    }
                    SkipSpace();
                    if (_i < s.Length && s[_i] == '#') { _i++; continue; }
                    break;
                }
                fields.TryAdd(name, value.ToString());
            }
            return new BibEntry(type, key, line, fields);
        }

        private string Braced(int line, string key)
        {
            int depth = 1, start = _i;
            for (; _i < s.Length; _i++)
            {
                if (s[_i] == '\\') { _i++; continue; }
                if (s[_i] == '{') depth++;
                else if (s[_i] == '}' && --depth == 0) { var v = s[start.._i]; _i++; return v; }
            }
            throw Unclosed(line, key);
        }

        private string Quoted(int line, string key)
        {
            int depth = 0, start = _i;
            for (; _i < s.Length; _i++)
            {
                if (s[_i] == '\\') { _i++; continue; }
                if (s[_i] == '{') depth++;
                else if (s[_i] == '}') depth--;
                else if (s[_i] == '"' && depth == 0) { var v = s[start.._i]; _i++; return v; }
            }
            throw Unclosed(line, key);
        }

        private void SkipGroup(char close, int line)
        {
            int depth = 1;
            for (; _i < s.Length; _i++)
            {
                if (s[_i] == (close == '}' ? '{' : '(')) depth++;
                else if (s[_i] == close && --depth == 0) { _i++; return; }
            }
            throw new BibTexException($"Line {line}: the @comment, @string or @preamble block opened there is never closed.");
        }

        private BibTexException Unclosed(int line, string key) =>
            new($"Line {line}: entry “{key}” is never closed: a brace or quote is missing (unbalanced braces). Nothing was imported; fix the file or export it again.");

        private string Word()
        {
            int start = _i;
            while (_i < s.Length && (char.IsLetterOrDigit(s[_i]) || s[_i] is '_' or '-' or ':' or '.' or '+' or '/')) _i++;
            return s[start.._i];
        }

        private void SkipSpace() { while (_i < s.Length && char.IsWhiteSpace(s[_i])) _i++; }

        private string Preview() => s.Substring(_i, Math.Min(20, s.Length - _i)).ReplaceLineEndings(" ");
    }

    [GeneratedRegex(@"(?:arxiv[:\s/.]*|arxiv\.org/(?:abs|pdf)/)(?<id>\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)", RegexOptions.IgnoreCase)]
    private static partial Regex ArxivMention();

    /// <summary>The arXiv id an entry names, if any.</summary>
    public static string? ArxivIdOf(BibEntry e)
    {
        var prefix = e["archiveprefix"] ?? e["eprinttype"];
        if (e["eprint"] is { } ep && (prefix is null || prefix.Contains("arxiv", StringComparison.OrdinalIgnoreCase)) && ArxivId.TryParse(Plain(ep), out var id))
            return id.BaseId;
        foreach (var f in new[] { "url", "journal", "note", "number", "doi", "howpublished", "archiveprefix", "eprint", "volume" })
            if (e[f] is { } v && ArxivMention().Match(v) is { Success: true } m && ArxivId.TryParse(m.Groups["id"].Value, out var mid))
                return mid.BaseId;
        return null;
    }

    /// <summary>A DOI, lower case (DOIs are case-insensitive), without a resolver prefix.</summary>
    public static string? DoiOf(BibEntry e)
    {
        var d = e["doi"]?.Trim();
        if (string.IsNullOrEmpty(d)) return null;
        foreach (var p in new[] { "https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:" })
            if (d.StartsWith(p, StringComparison.OrdinalIgnoreCase)) d = d[p.Length..];
        return d.StartsWith("10.", StringComparison.Ordinal) ? d.ToLowerInvariant() : null;
    }

    /// <summary>Field text without TeX grouping and commands, for messages and titles.</summary>
    public static string Plain(string v)
    {
        var t = PaperText.Text(v.Replace("{", "").Replace("}", ""));
        return string.Join(' ', t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>A title for matching: letters and digits only, accents folded, lower case, single spaces.</summary>
    public static string TitleKey(string title)
    {
        var sb = new StringBuilder(title.Length);
        foreach (var r in Plain(title).EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(r)) Search.AccentFolding.Append(Rune.ToLowerInvariant(r), sb);
            else if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
        }
        return sb.ToString().Trim();
    }

    /// <summary>Matches entries to paper ids (null for unmatched), in the entries' order.</summary>
    public static async Task<long?[]> MatchAsync(AppDbContext db, Search.PaperSearch? search, IReadOnlyList<BibEntry> entries, CancellationToken ct)
    {
        var result = new long?[entries.Count];
        var arxiv = entries.Select(ArxivIdOf).ToArray();
        var wanted = arxiv.OfType<string>().Distinct().ToList();
        var byArxiv = new Dictionary<string, long>();
        foreach (var chunk in wanted.Chunk(500))
            foreach (var p in await db.Papers.Where(p => chunk.Contains(p.ArxivId)).Select(p => new { p.Id, p.ArxivId }).ToListAsync(ct))
                byArxiv[p.ArxivId] = p.Id;
        var dois = new string?[entries.Count];
        for (int k = 0; k < entries.Count; k++)
        {
            if (arxiv[k] is { } a && byArxiv.TryGetValue(a, out var id)) result[k] = id;
            else dois[k] = DoiOf(entries[k]);
        }
        var wantedDois = dois.OfType<string>().Distinct().ToList();
        if (wantedDois.Count > 0)
        {
            var byDoi = new Dictionary<string, long>();
            foreach (var chunk in wantedDois.Chunk(500))
                foreach (var p in await db.Papers.Where(p => p.Doi != null && chunk.Contains(p.Doi.ToLower())).Select(p => new { p.Id, p.Doi }).ToListAsync(ct))
                    byDoi.TryAdd(p.Doi!.ToLowerInvariant(), p.Id);
            for (int k = 0; k < entries.Count; k++)
                if (dois[k] is { } d && byDoi.TryGetValue(d, out var id)) result[k] = id;
        }
        if (search is null) return result;
        int lookups = 0;
        for (int k = 0; k < entries.Count && lookups < MaxTitleLookups; k++)
        {
            if (result[k] is not null || entries[k]["title"] is not { } title) continue;
            var key = TitleKey(title);
            if (key.Length < 8) continue; // "Notes", "Intro": too short to identify a paper by
            lookups++;
            var words = key.Split(' ').Take(30);
            try
            {
                var hits = await search.SearchAsync(new Search.SearchRequest(string.Join(' ', words.Select(w => "title:" + w)), "keyword", PageSize: 5), ct);
                if (hits.Hits.FirstOrDefault(h => TitleKey(h.Paper.Title) == key) is { } hit) result[k] = hit.Paper.Id;
            }
            catch (Search.SearchRequestException) { }
        }
        return result;
    }

    /// <summary>Parses, matches and adds the matched papers to the collection in one transaction.</summary>
    public static async Task<ImportReport> ImportAsync(AppDbContext db, Search.PaperSearch? search, Collection into, byte[] file, CancellationToken ct)
    {
        var entries = Parse(file);
        var matched = await MatchAsync(db, search, entries, ct);
        var ids = matched.OfType<long>().Distinct().ToList();
        var present = (await db.Set<CollectionItem>().Where(i => i.CollectionId == into.Id).Select(i => i.PaperId).ToListAsync(ct)).ToHashSet();
        var add = ids.Where(id => !present.Contains(id)).ToList();
        if (add.Count > 0 && await Collections.ItemCountAsync(db, into.UserId, ct) + add.Count > Collections.MaxItems)
            throw new BibTexException($"Adding {add.Count:N0} papers would take your library over {Collections.MaxItems:N0} papers; nothing was imported.");
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = DateTime.UtcNow;
            foreach (var id in add)
                await db.Database.ExecuteSqlAsync(
                    $"INSERT INTO collection_items (\"CollectionId\", \"PaperId\", \"AddedAt\") VALUES ({into.Id}, {id}, {now}) ON CONFLICT DO NOTHING", ct);
            await tx.CommitAsync(ct);
        });
        var unmatched = entries.Where((_, k) => matched[k] is null).Select(e => e.Label).ToList();
        return new ImportReport(entries.Count, add.Count, ids.Count - add.Count, unmatched);
    }
}
