using System.Linq.Expressions;

namespace DailyPapers.Papers;

/// <summary>
/// A paper's popularity signals combined into one score (docs/discovery.md, "Ranking"): the one ranking that the
/// day, week and month lists, trending, the digest and the APIs use.
/// <code>
/// score = upvotes + importedUpvotes
///       + CommentWeight × (comments + importedComments)
///       + StarPoints(githubStars)
///       + SubmissionBonus  (submitted here, or listed by a curated source)
///       + FeatureBonus     (picked by a moderator)
/// </code>
/// Local and imported figures are stored apart (papers.Upvotes vs papers.HfUpvotes) and shown apart; they only
/// meet here. The score is an expression over the paper's columns, so it is evaluated by the database in ORDER BY
/// and WHERE on both engines, and is never stale.
/// </summary>
public static class PaperSignals
{
    /// <summary>A comment counts a quarter of a vote: a real sign of interest, but cheaper to give and sometimes a complaint.</summary>
    public const double CommentWeight = 0.25;
    /// <summary>Someone thought the paper worth bringing to the list: worth one vote.</summary>
    public const int SubmissionBonus = 1;
    /// <summary>A moderator's pick: worth three votes, enough to lift it above a quiet day's papers, not above a popular one.</summary>
    public const int FeatureBonus = 3;
    /// <summary>
    /// Stars count by order of magnitude, two points per tenfold, capped: a repository is a strong sign that a paper
    /// is usable, but stars accumulate for years and would otherwise drown the votes of the day.
    /// 10–99 stars → 2, 100–999 → 4, 1,000–9,999 → 6, 10,000 or more → 8.
    /// </summary>
    public static int StarPoints(int? stars) => stars switch
    {
        >= 10_000 => 8,
        >= 1_000 => 6,
        >= 100 => 4,
        >= 10 => 2,
        _ => 0,
    };

    public static double Score(int upvotes, int importedUpvotes, int comments, int importedComments, int? stars,
        bool submitted, bool curatedSource, bool featured) =>
        upvotes + importedUpvotes + CommentWeight * (comments + importedComments) + StarPoints(stars)
        + (submitted || curatedSource ? SubmissionBonus : 0) + (featured ? FeatureBonus : 0);

    /// <summary><see cref="Score(int,int,int,int,int?,bool,bool,bool)"/> as an expression the database evaluates.</summary>
    public static readonly Expression<Func<Paper, double>> ScoreOf = p =>
        p.Upvotes + p.HfUpvotes + CommentWeight * (p.CommentCount + p.HfComments)
        + (p.GithubStars >= 10_000 ? 8 : p.GithubStars >= 1_000 ? 6 : p.GithubStars >= 100 ? 4 : p.GithubStars >= 10 ? 2 : 0)
        + (p.Submitted || p.CuratedSource ? SubmissionBonus : 0) + (p.Featured ? FeatureBonus : 0);

    /// <summary>
    /// The curated view: papers with a community signal — submitted, upvoted, discussed (here or on the curated
    /// source), listed by a curated source, or featured by a moderator. Everything else is only in "All new papers".
    /// </summary>
    public static readonly Expression<Func<Paper, bool>> IsCurated = p =>
        p.Featured || p.Submitted || p.CuratedSource || p.Upvotes > 0 || p.CommentCount > 0 || p.HfUpvotes > 0 || p.HfComments > 0;

    public static double ScoreOfCard(PaperCard c) =>
        Score(c.Upvotes, c.HfUpvotes, c.CommentCount, c.HfComments, c.GithubStars, c.Submitted, c.CuratedSource, c.Featured);
}

/// <summary>Which papers of a period a list shows.</summary>
public enum ListView
{
    /// <summary>Papers with a community signal (<see cref="PaperSignals.IsCurated"/>), the default.</summary>
    Curated,
    /// <summary>Every paper listed in the period: the full harvest.</summary>
    All,
}

public static class ListViews
{
    /// <summary>Parses <c>?view=</c>: absent or "curated" is the curated view, "all" the full list.</summary>
    public static bool TryParse(string? value, out ListView view)
    {
        view = ListView.Curated;
        switch (value)
        {
            case null or "" or "curated": return true;
            case "all": view = ListView.All; return true;
            default: return false;
        }
    }

    public const string Error = "'view' must be 'curated' (papers the community picked, the default) or 'all' (every new paper).";

    /// <summary>The query-string value, or null for the default.</summary>
    public static string? QueryValue(this ListView v) => v == ListView.All ? "all" : null;
}
