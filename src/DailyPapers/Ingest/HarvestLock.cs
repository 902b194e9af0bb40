using DailyPapers.Data;

namespace DailyPapers.Ingest;

/// <summary>"Only one harvest at a time" (<see cref="DatabaseLock"/>), whoever starts it: scheduler, admin page or CLI.</summary>
public sealed class HarvestLock(DatabaseSettings db) : DatabaseLock(db, Key, FileName)
{
    public const long Key = AdvisoryLocks.Harvest;

    public const string FileName = "harvest.lock";
}
