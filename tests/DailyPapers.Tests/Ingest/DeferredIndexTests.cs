using DailyPapers.Ingest;
using DailyPapers.Tests.Support;
using DailyPapers.Web;
using Microsoft.Data.Sqlite;

namespace DailyPapers.Tests.Ingest;

/// <summary>A bulk import into an empty SQLite database builds the secondary indexes at the end, and never loses one.</summary>
public sealed class DeferredIndexTests
{
    private static List<string> Indexes(TestDatabase db)
    {
        using var conn = new SqliteConnection(db.Settings.ConnectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name";
        using var rd = cmd.ExecuteReader();
        var names = new List<string>();
        while (rd.Read()) names.Add(rd.GetString(0));
        return names;
    }

    [Fact]
    public async Task AnImportIntoAnEmptyDatabaseEndsWithEveryIndexAndTheSameRows()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var before = Indexes(db);
        Assert.Contains("IX_paper_categories_Code_PaperId", before);

        var summary = await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(TestEnv.Sample1000);

        Assert.Equal(1000, summary.Counts.Inserted);
        Assert.Equal(before, Indexes(db));
        await using var ctx = db.Settings.CreateContext();
        Assert.Equal(1000, ctx.Papers.Count());
    }

    [Fact]
    public async Task IndexesDroppedByAKilledImportAreBuiltAtTheNextStart()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        var before = Indexes(db);

        // What a killed import leaves behind: the indexes dropped, their definitions noted.
        Assert.True(DeferredIndexes.DropIfEmpty(db.Settings));
        var during = Indexes(db);
        Assert.DoesNotContain("IX_paper_categories_Code_PaperId", during);
        Assert.Contains("IX_papers_ArxivId", during); // unique: the upsert needs it
        Assert.Contains("IX_papers_Sequence", during);

        await ServerApp.MigrateAsync(db.Settings);
        Assert.Equal(before, Indexes(db));
        Assert.Equal(0, DeferredIndexes.Restore(db.Settings)); // nothing left to do
    }

    [Fact]
    public async Task ADatabaseWithPapersKeepsItsIndexesDuringAnImport()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await new SnapshotImport(new PaperUpsert(db.Settings)).RunAsync(TestEnv.Sample1000);
        Assert.False(DeferredIndexes.DropIfEmpty(db.Settings));
    }
}
