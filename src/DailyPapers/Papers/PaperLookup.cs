namespace DailyPapers.Papers;

/// <summary>Finding the stored paper an arXiv id names: the one look-up of every page, feed, export and API that takes an id.</summary>
public static class PaperLookup
{
    /// <summary>The paper with the id's base id; with a version, only when that version exists here (no later than the latest stored).</summary>
    public static IQueryable<Paper> Named(this IQueryable<Paper> papers, ArxivId id)
    {
        var baseId = id.BaseId;
        var q = papers.Where(p => p.ArxivId == baseId);
        if (id.Version is int v) q = q.Where(p => p.LatestVersion >= v);
        return q;
    }

    /// <summary>What a 404 says: the id as asked for, so "1906.05153v9" reads as a missing version, not a missing paper.</summary>
    public static string NotHere(ArxivId id) => $"There is no paper {id} here.";
}
