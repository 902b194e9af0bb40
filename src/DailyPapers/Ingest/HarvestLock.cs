using DailyPapers.Data;

namespace DailyPapers.Ingest;

/// <summary>"Only one harvest at a time" (<see cref="DatabaseLock"/>), whoever starts it: scheduler, admin page or CLI.</summary>
public sealed class HarvestLock(DatabaseSettings db) : DatabaseLock(db, Key, FileName)
{
    /// <summary>Arbitrary but fixed advisory-lock key for "the harvest".</summary>
    public const long Key = 7210003;

    public const string FileName = "harvest.lock";
}
