namespace DailyPapers.Data;

/// <summary>The PostgreSQL advisory-lock keys the app takes, named in one place so no two uses share a number.</summary>
public static class AdvisoryLocks
{
    /// <summary>Taken for each write transaction of <c>PaperUpsert</c>: serialises paper id and sequence assignment across app nodes.</summary>
    public const long PaperWrites = 7210001;

    /// <summary>Held by <c>HarvestLock</c> for a whole harvest: one harvest at a time across app nodes, the CLI and the admin page.</summary>
    public const long Harvest = 7210003;
}
