using System.Globalization;
using System.Text;
using DailyPapers.Papers;

namespace DailyPapers.Feeds;

/// <summary>BibTeX and RIS records for papers, the two formats reference managers (Zotero, JabRef, EndNote) import.</summary>
public static class Citations
{
    public const string BibTexType = "application/x-bibtex; charset=utf-8";
    public const string RisType = "application/x-research-info-systems; charset=utf-8";

    public static string BibTex(IEnumerable<ListItem> items)
    {
        var sb = new StringBuilder();
        foreach (var i in items)
        {
            if (sb.Length > 0) sb.Append('\n');
            // Keys must be unique and stable; the arXiv id is both ('/' of old-style ids is not safe in every BibTeX tool).
            sb.Append("@misc{arXiv:").Append(i.ArxivId.Replace('/', '_')).Append(",\n");
            Field(sb, "title", PaperText.Text(i.Title));
            if (i.Authors.Count > 0) Field(sb, "author", string.Join(" and ", i.Authors.Select(PaperText.Text)));
            Field(sb, "year", i.FirstSubmittedAt.Year.ToString(CultureInfo.InvariantCulture));
            Field(sb, "month", i.FirstSubmittedAt.ToString("MMM", CultureInfo.InvariantCulture).ToLowerInvariant(), raw: true);
            Field(sb, "eprint", i.ArxivId);
            Field(sb, "archivePrefix", "arXiv");
            if (i.Categories.Count > 0) Field(sb, "primaryClass", i.Categories[0]);
            if (i.Doi is not null) Field(sb, "doi", i.Doi);
            if (i.JournalRef is not null) Field(sb, "note", i.JournalRef);
            Field(sb, "url", $"https://arxiv.org/abs/{i.ArxivId}");
            Field(sb, "abstract", PaperText.Text(i.Abstract));
            sb.Length -= 2; // the last field's ",\n"
            sb.Append("\n}\n");
        }
        return sb.ToString();
    }

    public static string Ris(IEnumerable<ListItem> items)
    {
        var sb = new StringBuilder();
        foreach (var i in items)
        {
            // UNPB (unpublished work) is how reference managers file a preprint; a journal reference makes it JOUR.
            Tag(sb, "TY", i.JournalRef is null ? "UNPB" : "JOUR");
            Tag(sb, "TI", PaperText.Text(i.Title));
            foreach (var a in i.Authors) Tag(sb, "AU", PaperText.Text(a));
            Tag(sb, "PY", i.FirstSubmittedAt.Year.ToString(CultureInfo.InvariantCulture));
            Tag(sb, "DA", i.FirstSubmittedAt.ToString("yyyy'/'MM'/'dd'/'", CultureInfo.InvariantCulture));
            Tag(sb, "AB", PaperText.Text(i.Abstract));
            foreach (var c in i.Categories) Tag(sb, "KW", c);
            if (i.JournalRef is not null) Tag(sb, "JO", i.JournalRef);
            if (i.Doi is not null) Tag(sb, "DO", i.Doi);
            Tag(sb, "UR", $"https://arxiv.org/abs/{i.ArxivId}");
            Tag(sb, "L1", $"https://arxiv.org/pdf/{i.ArxivId}");
            Tag(sb, "AN", "arXiv:" + i.ArxivId);
            sb.Append("ER  - \n");
        }
        return sb.ToString();
    }

    private static void Field(StringBuilder sb, string name, string value, bool raw = false)
    {
        sb.Append("  ").Append(name).Append(" = ");
        if (raw) sb.Append(value);
        else sb.Append('{').Append(BibValue(value)).Append('}');
        sb.Append(",\n");
    }

    /// <summary>
    /// Keeps TeX as written (titles and abstracts are TeX), but escapes bare %, &amp; and # which would break the
    /// record, and drops braces when they are unbalanced, since one stray brace swallows the rest of the file.
    /// </summary>
    internal static string BibValue(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        int depth = 0;
        bool balanced = true;
        for (int k = 0; k < s.Length; k++)
        {
            char c = s[k];
            bool escaped = k > 0 && s[k - 1] == '\\';
            if (c == '{' && !escaped) depth++;
            else if (c == '}' && !escaped && --depth < 0) balanced = false;
            if (c is '%' or '&' or '#' && !escaped) sb.Append('\\');
            sb.Append(c);
        }
        if (!balanced || depth != 0)
        {
            for (int k = sb.Length - 1; k >= 0; k--)
                if ((sb[k] == '{' || sb[k] == '}') && (k == 0 || sb[k - 1] != '\\')) sb.Remove(k, 1);
        }
        return Ingest.Text.Squash(sb.ToString());
    }

    /// <summary>One RIS line; RIS values are single lines.</summary>
    private static void Tag(StringBuilder sb, string tag, string value) =>
        sb.Append(tag).Append("  - ").Append(Ingest.Text.Squash(value)).Append('\n');
}
