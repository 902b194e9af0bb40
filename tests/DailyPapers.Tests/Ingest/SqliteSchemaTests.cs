using DailyPapers.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace DailyPapers.Tests.Ingest;

/// <summary>The SQLite schema keeps what EF cannot express, however the migrations are regenerated.</summary>
public sealed class SqliteSchemaTests
{
    private static readonly string[] ChildTables = ["paper_authors", "paper_categories", "paper_versions"];

    [Fact]
    public async Task PaperChildTablesOfAFreshDatabaseAreWithoutRowId()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await using var conn = new SqliteConnection(db.Settings.ConnectionString);
        await conn.OpenAsync();
        foreach (var table in ChildTables)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $name";
            cmd.Parameters.AddWithValue("$name", table);
            var sql = (string?)await cmd.ExecuteScalarAsync();
            Assert.NotNull(sql);
            Assert.EndsWith("WITHOUT ROWID", sql.TrimEnd());
        }
    }

    [Fact]
    public async Task ATableRebuildOfAChildTableIsWithoutRowIdToo()
    {
        await using var db = await TestDatabase.CreateAsync(TestDatabase.Sqlite);
        await using var ctx = db.Settings.CreateContext();
        var generator = ctx.GetService<IMigrationsSqlGenerator>();
        // EF rebuilds a SQLite table it cannot ALTER by creating an ef_temp_ copy and renaming it.
        var rebuild = new CreateTableOperation { Name = "ef_temp_paper_authors" };
        rebuild.Columns.Add(new AddColumnOperation { Name = "PaperId", Table = rebuild.Name, ClrType = typeof(long), ColumnType = "INTEGER" });
        rebuild.PrimaryKey = new AddPrimaryKeyOperation { Table = rebuild.Name, Columns = ["PaperId"] };
        var other = new CreateTableOperation { Name = "papers_elsewhere" };
        other.Columns.Add(new AddColumnOperation { Name = "Id", Table = other.Name, ClrType = typeof(long), ColumnType = "INTEGER" });

        var sql = generator.Generate([rebuild, other], ctx.Model).Select(c => c.CommandText).ToList();

        Assert.Contains("WITHOUT ROWID", sql[0]);
        Assert.DoesNotContain("WITHOUT ROWID", sql[1]);
    }
}
