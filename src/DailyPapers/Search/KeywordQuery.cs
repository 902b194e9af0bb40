using System.Text;
using System.Text.RegularExpressions;
using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace DailyPapers.Search;

/// <summary>
/// Turns what a user typed into a Lucene query that cannot fail. The supported syntax is phrases in quotes, +/-,
/// AND/OR/NOT, parentheses, field prefixes (<c>author:</c>, <c>cat:</c>, <c>title:</c>, <c>abstract:</c>) and a
/// trailing <c>*</c> for a word's prefix; every other character Lucene would read as syntax is text (docs/hardening.md).
/// </summary>
public static partial class KeywordQuery
{
    private static readonly Dictionary<string, string> FieldAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["author"] = SearchAnalysis.Authors, ["authors"] = SearchAnalysis.Authors, ["au"] = SearchAnalysis.Authors,
        ["cat"] = SearchAnalysis.Category, ["category"] = SearchAnalysis.Category,
        ["title"] = SearchAnalysis.Title, ["ti"] = SearchAnalysis.Title,
        ["abstract"] = SearchAnalysis.Abstract, ["abs"] = SearchAnalysis.Abstract,
    };

    /// <summary>Parses; null when the text has no searchable word (only stop words or punctuation).</summary>
    public static Query? Parse(string text, Analyzer analyzer, KeywordRanking ranking)
    {
        var prepared = MapFields(EscapeUnsupported(text));
        Query? q;
        try
        {
            q = NewParser(analyzer, ranking).Parse(prepared);
        }
        catch (Exception e) when (e is ParseException or BooleanQuery.TooManyClausesException or ArgumentException)
        {
            // Not valid syntax (unbalanced brackets, a lone '+'), or a term Lucene cannot build: search the words as written.
            q = ParsePlain(text, analyzer, ranking);
        }
        // Author names keep stop words ("Working Group of the …"); a query of only common words is no query.
        if (!FieldPrefix().IsMatch(text) && !HasContentWord(text, analyzer)) return null;
        return IsEmpty(q) ? null : q;
    }

    private static bool HasContentWord(string text, Analyzer analyzer)
    {
        using var ts = analyzer.GetTokenStream(SearchAnalysis.Title, text);
        ts.Reset();
        bool any = ts.IncrementToken();
        ts.End();
        return any;
    }

    /// <summary>Every character of the text taken literally: for benchmark queries and as the fallback.</summary>
    public static Query? ParsePlain(string text, Analyzer analyzer, KeywordRanking ranking)
    {
        try
        {
            var q = NewParser(analyzer, ranking).Parse(QueryParserBase.Escape(text.Replace("AND", "and").Replace("OR", "or").Replace("NOT", "not")));
            return IsEmpty(q) ? null : q;
        }
        catch (Exception e) when (e is ParseException or BooleanQuery.TooManyClausesException)
        {
            return null;
        }
    }

    /// <summary>Characters Lucene's classic syntax reads as operators that a papers site does not offer.</summary>
    /// <remarks>
    /// '/' starts a regular expression (a malformed one throws, a large repetition overflows the stack while the
    /// automaton is built, and "HAM/TSP" in a pasted abstract is one); '?' and a '*' inside or before a word are
    /// wildcards that can expand to every term; '~' is fuzzy matching, '^' a boost, brackets ranges, and
    /// '!', '&amp;&amp;', '||' spell NOT, AND, OR.
    /// </remarks>
    private const string UnsupportedSyntax = "\\/?*~^[]{}!&|";

    /// <summary>Escapes every operator but the supported ones, so they are searched as text.</summary>
    /// <remarks>
    /// A quote opens a phrase only when another closes it (inside it only a backslash is special, and it is escaped); '*' stays a
    /// prefix operator only at the end of a word with at least <see cref="MinPrefixLength"/> letters or digits.
    /// </remarks>
    internal static string EscapeUnsupported(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"' && text.IndexOf('"', i + 1) is var close and > 0)
            {
                sb.Append('"');
                foreach (char inner in text.AsSpan(i + 1, close - i - 1))
                {
                    if (inner == '\\') sb.Append('\\');
                    sb.Append(inner);
                }
                sb.Append('"');
                i = close;
                continue;
            }
            if (c == '*' && IsPrefixEnd(text, i))
            {
                sb.Append(c);
                continue;
            }
            if (c == '"' || UnsupportedSyntax.Contains(c)) sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Shorter prefixes ("a*") would expand to a large share of the vocabulary for little meaning.</summary>
    private const int MinPrefixLength = 2;

    private static bool IsPrefixEnd(string text, int star)
    {
        if (star + 1 < text.Length && !char.IsWhiteSpace(text[star + 1]) && text[star + 1] != ')') return false;
        int start = star;
        while (start > 0 && char.IsLetterOrDigit(text[start - 1])) start--;
        return star - start >= MinPrefixLength && (start == 0 || !UnsupportedSyntax.Contains(text[start - 1]));
    }

    private static QueryParser NewParser(Analyzer analyzer, KeywordRanking r)
    {
        var boosts = new Dictionary<string, float>
        {
            [SearchAnalysis.Title] = r.TitleBoost,
            [SearchAnalysis.Abstract] = r.AbstractBoost,
            [SearchAnalysis.Text] = r.TextBoost,
            [SearchAnalysis.Authors] = r.AuthorsBoost,
        }.Where(kv => kv.Value > 0).ToDictionary();
        return new MultiFieldQueryParser(SearchAnalysis.Version, boosts.Keys.ToArray(), analyzer, boosts)
        {
            DefaultOperator = Operator.OR,
            AllowLeadingWildcard = false,
            // "graph-based" stays one clause of its parts rather than a required phrase.
            AutoGeneratePhraseQueries = false,
        };
    }

    /// <summary>Known field prefixes become index fields; any other "word:" is text, so "Note: foo" does not search a field "Note".</summary>
    private static string MapFields(string text) => FieldPrefix().Replace(text, m =>
        FieldAliases.TryGetValue(m.Groups[1].Value, out var field) ? field + ":" : m.Groups[1].Value + "\\:");

    [GeneratedRegex(@"(?<![\\\w.])([\p{L}_][\w.\-]*):")]
    private static partial Regex FieldPrefix();

    private static bool IsEmpty(Query? q) => q switch
    {
        null => true,
        BooleanQuery b => b.Clauses.Count == 0 || b.Clauses.All(c => c.IsProhibited || IsEmpty(c.Query)),
        _ => false,
    };

    /// <summary>Restricts to a category or archive (cs.CL or cs), a listing-date range and an author name.</summary>
    public static Query? Filter(Analyzer analyzer, string? category, DateOnly? from, DateOnly? to, string? author)
    {
        var b = new BooleanQuery();
        if (!string.IsNullOrWhiteSpace(category))
            b.Add(new TermQuery(new Term(SearchAnalysis.Category, category.Trim().ToLowerInvariant())), Occur.MUST);
        if (from is not null || to is not null)
            b.Add(NumericRangeQuery.NewInt32Range(SearchAnalysis.Date, from is { } f ? KeywordIndex.DateKey(f) : null, to is { } t ? KeywordIndex.DateKey(t) : null, true, true), Occur.MUST);
        if (!string.IsNullOrWhiteSpace(author))
        {
            var phrase = new QueryBuilder(analyzer).CreatePhraseQuery(SearchAnalysis.Authors, author);
            // A name with no letters in it matches nobody rather than everybody.
            b.Add(phrase ?? new TermQuery(new Term(SearchAnalysis.Authors, "\u0000")), Occur.MUST);
        }
        return b.Clauses.Count == 0 ? null : b;
    }

    /// <summary>The query restricted by the filter, which does not change the BM25 scores.</summary>
    public static Query Restrict(Query query, Query? filter) =>
        filter is null ? query : new FilteredQuery(query, new QueryWrapperFilter(filter));
}
