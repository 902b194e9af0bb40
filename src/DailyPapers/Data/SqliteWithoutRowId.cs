using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace DailyPapers.Data;

/// <summary>
/// SQLite's migrations SQL, with the paper child tables created WITHOUT ROWID: their rows are only ever reached by
/// (paper, position), so they live in that key's B-tree alone rather than in a rowid table plus a primary-key index,
/// which halves the B-tree inserts of a bulk import (docs/benchmarks.md, import). EF has no such option, so the
/// tables are named here and every CREATE TABLE of them (a migration's, or a table rebuild's ef_temp_ copy) gets it.
/// </summary>
public sealed class SqliteWithoutRowId(MigrationsSqlGeneratorDependencies dependencies, IRelationalAnnotationProvider annotations)
    : SqliteMigrationsSqlGenerator(dependencies, annotations)
{
    public static readonly IReadOnlySet<string> Tables = new HashSet<string>(StringComparer.Ordinal) { "paper_authors", "paper_categories", "paper_versions" };

    /// <summary>The prefix EF's SQLite provider gives the new copy of a table it rebuilds.</summary>
    private const string RebuildPrefix = "ef_temp_";

    protected override void Generate(CreateTableOperation operation, IModel? model, MigrationCommandListBuilder builder, bool terminate = true)
    {
        var name = operation.Name.StartsWith(RebuildPrefix, StringComparison.Ordinal) ? operation.Name[RebuildPrefix.Length..] : operation.Name;
        if (!Tables.Contains(name))
        {
            base.Generate(operation, model, builder, terminate);
            return;
        }
        base.Generate(operation, model, builder, terminate: false);
        builder.Append(" WITHOUT ROWID");
        if (!terminate) return;
        builder.AppendLine(Dependencies.SqlGenerationHelper.StatementTerminator);
        EndStatement(builder);
    }
}
