using System.Text.RegularExpressions;

namespace DailyPapers.Papers;

public static partial class Categories
{
    /// <summary>An arXiv archive (cs, hep-th) or category (cs.CL, math.GT, q-bio.NC) code.</summary>
    public static bool IsValidCode(string s) => s.Length <= 32 && CodePattern().IsMatch(s);

    [GeneratedRegex(@"^[a-z]+(-[a-z]+)?(\.[A-Za-z]+(-[A-Za-z]+)?)?$")]
    private static partial Regex CodePattern();
}
