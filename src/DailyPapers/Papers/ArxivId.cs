using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace DailyPapers.Papers;

/// <summary>An arXiv identifier normalised to its base id plus an optional version.</summary>
public readonly partial record struct ArxivId
{
    /// <summary>The id without version, e.g. <c>2401.12345</c> or <c>hep-th/9901001</c>.</summary>
    public string BaseId { get; }

    /// <summary>The version number, or null when the input named none.</summary>
    public int? Version { get; }

    private ArxivId(string baseId, int? version)
    {
        BaseId = baseId;
        Version = version;
    }

    public bool IsOldStyle => BaseId.Contains('/');

    /// <summary>
    /// The first day of the month in the id (its YYMM). arXiv assigns ids when it announces a paper, so version 1 was
    /// submitted before the end of that month: an id alone can show that a paper is older than some age.
    /// </summary>
    public DateOnly Month
    {
        get
        {
            var yymm = IsOldStyle ? BaseId.AsSpan(BaseId.IndexOf('/') + 1, 4) : BaseId.AsSpan(0, 4);
            int yy = int.Parse(yymm[..2]), mm = int.Parse(yymm[2..]);
            // Old-style ids ran from 1991 to March 2007; new-style ones start at 0704.
            int year = IsOldStyle ? (yy >= 91 ? 1900 + yy : 2000 + yy) : 2000 + yy;
            return new DateOnly(year, mm, 1);
        }
    }

    public override string ToString() => Version is int v ? $"{BaseId}v{v}" : BaseId;

    public ArxivId WithoutVersion() => new(BaseId, null);

    public static ArxivId Parse(string input) =>
        TryParse(input, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse(string? input, out ArxivId id) => TryParse(input, out id, out _);

    public static bool TryParse(string? input, out ArxivId id, [NotNullWhen(false)] out string? error)
    {
        id = default;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "The arXiv id is empty.";
            return false;
        }
        var s = input.Trim();
        if (s.Length > 200)
        {
            error = "The arXiv id is too long.";
            return false;
        }

        // Plain ids are the common case (bulk imports): only try the URL form when the input names arxiv.org.
        var url = s.Contains("arxiv.org", StringComparison.OrdinalIgnoreCase) ? UrlForm().Match(s) : Match.Empty;
        if (url.Success)
        {
            s = url.Groups["id"].Value;
            if (s.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase)) s = s[..^4];
        }
        else if (s.StartsWith("arxiv:", StringComparison.OrdinalIgnoreCase))
        {
            s = s[6..].Trim();
        }

        var m = NewStyle().Match(s);
        if (m.Success)
        {
            var yymm = m.Groups["yymm"].Value;
            var number = m.Groups["num"].Value;
            int yy = int.Parse(yymm.AsSpan(0, 2));
            int mm = int.Parse(yymm.AsSpan(2, 2));
            if (mm is < 1 or > 12)
            {
                error = $"'{input}' has month {mm:00}; arXiv ids are YYMM.NNNNN with a month from 01 to 12.";
                return false;
            }
            // New-style ids began in April 2007 (0704); from January 2015 (1501) the number has five digits.
            if (yy < 7 || (yy == 7 && mm < 4))
            {
                error = $"'{input}' is not a valid arXiv id: new-style ids start at 0704.";
                return false;
            }
            bool fiveDigits = yy > 14;
            if (fiveDigits && number.Length != 5)
            {
                error = $"'{input}' is not a valid arXiv id: ids from 1501 on have five digits after the dot.";
                return false;
            }
            if (!fiveDigits && number.Length != 4)
            {
                error = $"'{input}' is not a valid arXiv id: ids before 1501 have four digits after the dot.";
                return false;
            }
            if (!TryVersion(m, input, out var version, out error)) return false;
            id = new ArxivId($"{yymm}.{number}", version);
            return true;
        }

        m = OldStyle().Match(s);
        if (m.Success)
        {
            var archive = m.Groups["archive"].Value.ToLowerInvariant();
            var subject = m.Groups["subject"].Success ? m.Groups["subject"].Value : "";
            var yymm = m.Groups["yymm"].Value;
            int mm = int.Parse(yymm.AsSpan(2, 2));
            if (mm is < 1 or > 12)
            {
                error = $"'{input}' has month {mm:00}; old-style arXiv ids are archive/YYMMNNN.";
                return false;
            }
            if (!TryVersion(m, input, out var version, out error)) return false;
            // Subject classes are upper-case in old ids (math.GT); keep the canonical spelling.
            var subjectPart = subject.Length > 0 ? "." + subject.ToUpperInvariant() : "";
            id = new ArxivId($"{archive}{subjectPart}/{yymm}{m.Groups["num"].Value}", version);
            return true;
        }

        error = $"'{input}' is not an arXiv id (expected e.g. 2401.12345, 2401.12345v2, hep-th/9901001 or an arxiv.org/abs URL).";
        return false;
    }

    private static bool TryVersion(Match m, string input, out int? version, [NotNullWhen(false)] out string? error)
    {
        version = null;
        error = null;
        if (!m.Groups["v"].Success) return true;
        if (!int.TryParse(m.Groups["v"].Value, out var v) || v < 1 || v > 999)
        {
            error = $"'{input}' has an invalid version; versions are v1, v2, …";
            return false;
        }
        version = v;
        return true;
    }

    [GeneratedRegex(@"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(?<id>[^?#\s]+?)/?(?:[?#].*)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlForm();

    [GeneratedRegex(@"^(?<yymm>\d{4})\.(?<num>\d{4,5})(?:v(?<v>\d+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex NewStyle();

    [GeneratedRegex(@"^(?<archive>[a-zA-Z]+(?:-[a-zA-Z]+)?)(?:\.(?<subject>[a-zA-Z]{2}))?/(?<yymm>\d{4})(?<num>\d{3})(?:v(?<v>\d+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex OldStyle();
}
