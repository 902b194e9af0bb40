using System.Text.RegularExpressions;

namespace DailyPapers.Papers;

public static partial class Categories
{
    /// <summary>An arXiv archive (cs, hep-th) or category (cs.CL, math.GT, q-bio.NC) code.</summary>
    public static bool IsValidCode(string s) => s.Length <= 32 && CodePattern().IsMatch(s);

    /// <summary>What every page, feed and API says of a category filter that is not a code: null when <paramref name="code"/> is absent or valid.</summary>
    public static string? CodeError(string? code) =>
        code is null || IsValidCode(code) ? null : $"'{code}' is not an arXiv category code such as cs.CL or an archive such as cs.";

    [GeneratedRegex(@"^[a-z]+(-[a-z]+)?(\.[A-Za-z]+(-[A-Za-z]+)?)?$")]
    private static partial Regex CodePattern();
}
